package io.fleetrun.config;

import io.fleetrun.config.YamlNode.MapNode;
import io.fleetrun.config.YamlNode.Mark;
import io.fleetrun.model.ClusterSettings;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.HttpSettings;
import io.fleetrun.model.Job;
import io.fleetrun.model.Limits;
import io.fleetrun.model.Notification;
import io.fleetrun.model.Retention;
import io.fleetrun.model.SshSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the YAML config an operator edits into a validated {@link FleetConfig}. Every problem in
 * the file is reported at once, each with file, line, column and dotted key.
 *
 * <p>Nothing secret is kept here: passwords, HTTP tokens and webhook secrets are only references
 * ({@code { env: VAR }} or {@code { file: PATH }}) that the SSH layer resolves when it connects,
 * the HTTP server when it starts and the webhooks at each signing. (A token file is opened once,
 * to report an empty one; its content is not kept.)
 */
public final class ConfigLoader {
  /** Environment variable naming the config file when {@code --config} is not given. */
  public static final String CONFIG_ENV = "FLEETRUN_CONFIG";

  /** Where the config lives relative to the install directory when nothing else names it. */
  public static final Path DEFAULT_RELATIVE_PATH = Path.of("config", "fleetrun.yaml");

  static final List<String> ROOT_KEYS =
      List.of(
          "database", "ssh", "limits", "instances", "commands", "jobs", "retention", "cluster",
          "http", "notifications");

  private ConfigLoader() {}

  /**
   * Reads and validates {@code file}.
   *
   * @throws ConfigException with every problem found, also when the file is missing or unreadable
   */
  public static FleetConfig load(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    return parse(LoadContext.ofSystem(absolute), decode(absolute, readBytes(absolute)));
  }

  /**
   * Reads and validates {@code file}, and tells which bytes it read: the daemon compares that
   * digest with the file later ({@link ConfigDigest#of(Path)}) to notice an edit it has not
   * applied.
   *
   * @throws ConfigException with every problem found, also when the file is missing or unreadable
   */
  public static Loaded loadWithDigest(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    byte[] bytes = readBytes(absolute);
    return new Loaded(parse(LoadContext.ofSystem(absolute), decode(absolute, bytes)), ConfigDigest.of(bytes));
  }

  /** A config and the {@link ConfigDigest} of the exact bytes it was parsed from. */
  public record Loaded(FleetConfig config, String digest) {}

  /**
   * Validates {@code yamlText} as if it were the content of {@code file}: relative paths resolve
   * against the file's folder, and problems name it. The file itself is not read.
   *
   * @throws ConfigException with every problem found
   */
  public static FleetConfig parse(Path file, String yamlText) {
    return parse(LoadContext.ofSystem(file), yamlText);
  }

  /**
   * The config file to use: {@code option} (from {@code --config}) wins, then the environment
   * variable {@value #CONFIG_ENV}, then {@code config/fleetrun.yaml} under {@code installDir}.
   * Relative paths are taken relative to the working directory.
   */
  public static Path locate(Optional<Path> option, Map<String, String> env, Path installDir) {
    Path chosen =
        option.orElseGet(
            () -> {
              String fromEnv = env.get(CONFIG_ENV);
              return fromEnv != null && !fromEnv.isBlank()
                  ? Path.of(fromEnv.trim())
                  : installDir.resolve(DEFAULT_RELATIVE_PATH);
            });
    return chosen.toAbsolutePath().normalize();
  }

  static FleetConfig parse(LoadContext context, String yamlText) {
    Problems problems = new Problems(context.file());
    Optional<YamlNode> tree = YamlTreeReader.read(yamlText, problems);
    if (tree.isEmpty()) {
      // Malformed YAML stops here; duplicate keys and aliases do not, so the rest is checked too.
      problems.throwIfAny();
    }
    MapNode empty = new MapNode(new Mark(1, 1), List.of());
    Optional<MapReader> root = MapReader.of(tree.orElse(empty), "", problems, ROOT_KEYS);
    if (root.isEmpty()) {
      problems.throwIfAny();
    }
    MapReader r = root.orElseThrow();
    DatabaseSettings database =
        SettingsSection.database(r.map("database", SettingsSection.DATABASE_KEYS), context, problems);
    SshSettings ssh = SettingsSection.ssh(r.map("ssh", SettingsSection.SSH_KEYS), context);
    Limits limits = SettingsSection.limits(r.map("limits", SettingsSection.LIMITS_KEYS));
    Retention retention = RetentionSection.read(r.map("retention", RetentionSection.KEYS));
    ClusterSettings cluster = ClusterSection.read(r.map("cluster", ClusterSection.KEYS), context);
    Optional<HttpSettings> http = HttpSection.read(r.map("http", HttpSection.KEYS), context, problems);
    InstanceSection.Result instances =
        InstanceSection.read(r.list("instances").orElse(List.of()), ssh, context, problems);
    CommandSection.Result commands =
        CommandSection.read(r.list("commands").orElse(List.of()), problems);
    List<Job> jobs =
        JobSection.read(
            r.list("jobs").orElse(List.of()), instances, commands, context.clock(), problems);
    List<Notification> notifications =
        NotificationSection.read(r.list("notifications").orElse(List.of()), context, problems);
    problems.throwIfAny();
    Fleet fleet =
        new Fleet(instances.instances(), new ArrayList<>(commands.commands().values()), jobs);
    return new FleetConfig(
        context.file(), database, ssh, limits, fleet, retention, cluster, http, notifications);
  }

  /** The file's bytes; a missing or unreadable file is a {@link ConfigException}. */
  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw fileProblem(file, Mark.NONE, "config file not found: " + file);
    } catch (IOException e) {
      throw fileProblem(file, Mark.NONE, "cannot read config file " + file + ": " + e);
    }
  }

  /** The file's text; a non-UTF-8 file is a {@link ConfigException}. */
  private static String decode(Path file, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw fileProblem(file, new Mark(1, 1), "config file is not UTF-8 text");
    }
  }

  private static ConfigException fileProblem(Path file, Mark mark, String message) {
    return new ConfigException(
        List.of(new ConfigProblem(file, mark.line(), mark.column(), "(file)", message)));
  }
}
