package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.SecretRef;
import io.fleetrun.model.SshSettings;
import io.fleetrun.model.Targets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Path FILE = Path.of("/srv/fleetrun/fleetrun.yaml");
  private static final LoadContext CONTEXT = new LoadContext(FILE, Path.of("/home/ops"), "ops");

  @Test
  void fullConfigLoadsIntoDomainRecordsWithDefaultsAndResolvedPaths() throws IOException {
    FleetConfig config = ConfigLoader.parse(CONTEXT, resource("full.yaml"));

    assertThat(config.source()).isEqualTo(FILE);
    assertThat(config.databaseUrl()).isEqualTo("jdbc:sqlite:/srv/fleetrun/data/fleetrun.db");
    assertThat(config.ssh())
        .isEqualTo(
            new SshSettings(
                "root",
                Optional.of(Path.of("/home/ops/.ssh/id_ed25519")),
                Path.of("/srv/fleetrun/keys/known_hosts"),
                HostKeyPolicy.ACCEPT_NEW,
                Duration.ofSeconds(5),
                List.of("curve25519-sha256", "ecdh-sha2-nistp256")));
    assertThat(config.limits()).isEqualTo(new Limits(50, 4096));

    Fleet fleet = config.fleet();
    assertThat(fleet.instances())
        .containsExactly(
            new Instance(
                new InstanceId("web-1"),
                "10.0.0.5",
                2222,
                "deploy",
                Optional.of(Path.of("/etc/fleetrun/web.key")),
                Optional.of(new SecretRef.Env("WEB1_PW")),
                Set.of("web", "prod")),
            new Instance(
                new InstanceId("web-2"),
                "web2.example",
                22,
                "root",
                Optional.of(Path.of("/home/ops/.ssh/id_ed25519")),
                Optional.of(new SecretRef.File(Path.of("/srv/fleetrun/secrets/web2.pw"))),
                Set.of("web")),
            new Instance(
                new InstanceId("db-1"),
                "::1",
                22,
                "root",
                Optional.of(Path.of("/home/ops/.ssh/id_ed25519")),
                Optional.empty(),
                Set.of()));
    assertThat(fleet.commands())
        .containsExactly(
            new Command(
                new CommandId("disk"),
                "df -h {{mount}} && echo {{fleetrun.instanceId}} {{fleetrun.invokeId}}",
                Optional.of("/tmp"),
                Duration.ofMinutes(2),
                Map.of("mount", "/")),
            new Command(
                new CommandId("hello"),
                "echo hello",
                Optional.empty(),
                Command.DEFAULT_TIMEOUT,
                Map.of()));
    assertThat(fleet.jobs())
        .containsExactly(
            new Job(
                new JobId("nightly-disk"),
                new CommandId("disk"),
                new Targets(List.of(new InstanceId("db-1")), Set.of("web")),
                RepeatMode.Period,
                Optional.of(new Frequency.Cron("0 0 2 * * ?")),
                Map.of("mount", "/var"),
                MisfirePolicy.SKIP,
                OverlapPolicy.ALLOW),
            new Job(
                new JobId("every-30s"),
                new CommandId("disk"),
                new Targets(List.of(), Set.of("prod")),
                RepeatMode.Period,
                Optional.of(new Frequency.Rate(Duration.ofSeconds(30))),
                Map.of(),
                MisfirePolicy.RUN_ONCE,
                OverlapPolicy.SKIP),
            new Job(
                new JobId("hello-now"),
                new CommandId("hello"),
                new Targets(List.of(new InstanceId("web-1")), Set.of()),
                RepeatMode.Once,
                Optional.empty(),
                Map.of(),
                MisfirePolicy.RUN_ONCE,
                OverlapPolicy.SKIP),
            new Job(
                new JobId("hello-later"),
                new CommandId("hello"),
                new Targets(List.of(new InstanceId("web-2")), Set.of()),
                RepeatMode.Once,
                Optional.of(new Frequency.At(Instant.parse("2026-12-01T02:00:00Z"))),
                Map.of(),
                MisfirePolicy.SKIP,
                OverlapPolicy.SKIP));
    assertThat(fleet.resolve(fleet.jobs().get(0).targets()))
        .extracting(Instance::id)
        .containsExactly(new InstanceId("web-1"), new InstanceId("web-2"), new InstanceId("db-1"));
  }

  @Test
  void emptyFileGivesEveryDefault() {
    FleetConfig config = ConfigLoader.parse(CONTEXT, "# nothing yet\n");

    assertThat(config.databaseUrl()).isEqualTo("jdbc:sqlite:/srv/fleetrun/data/fleetrun.db");
    assertThat(config.ssh())
        .isEqualTo(
            new SshSettings(
                "ops",
                Optional.empty(),
                Path.of("/home/ops/.ssh/known_hosts"),
                HostKeyPolicy.STRICT,
                Duration.ofSeconds(10),
                SshSettings.DEFAULT_KEY_EXCHANGES));
    assertThat(config.limits()).isEqualTo(Limits.defaults());
    assertThat(config.fleet()).isEqualTo(new Fleet(List.of(), List.of(), List.of()));
  }

  @Test
  void connectionReuseIsReadAndZeroTurnsItOff() {
    FleetConfig reuse = ConfigLoader.parse(CONTEXT,
        "ssh: { keepAlive: 90s, channelsPerConnection: 4, connectionLifetime: 20m }\n");
    FleetConfig off = ConfigLoader.parse(CONTEXT, "ssh: { keepAlive: 0 }\n");

    assertThat(reuse.ssh().keepAlive()).isEqualTo(Duration.ofSeconds(90));
    assertThat(reuse.ssh().channelsPerConnection()).isEqualTo(4);
    assertThat(reuse.ssh().connectionLifetime()).isEqualTo(Duration.ofMinutes(20));
    assertThat(off.ssh().connectionLifetime()).isEqualTo(Duration.ofHours(1));
    assertThat(off.ssh().keepAlive()).isZero();
    assertThat(off.ssh().channelsPerConnection())
        .isEqualTo(SshSettings.DEFAULT_CHANNELS_PER_CONNECTION);
    assertThat(ConfigLoader.parse(CONTEXT, "# defaults\n").ssh().keepAlive())
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void instanceWithoutSshSectionLogsInAsTheDaemonUserWithNoKey() {
    FleetConfig config = ConfigLoader.parse(CONTEXT, "instances: [{ id: a, host: h }]\n");

    assertThat(config.fleet().instances())
        .containsExactly(
            new Instance(
                new InstanceId("a"), "h", 22, "ops", Optional.empty(), Optional.empty(), Set.of()));
  }

  @Test
  void databaseUrlsKeepAbsolutePathsAndQueries() {
    assertThat(url("jdbc:sqlite:/var/lib/fleetrun/f.db"))
        .isEqualTo("jdbc:sqlite:/var/lib/fleetrun/f.db");
    assertThat(url("jdbc:sqlite:~/f.db")).isEqualTo("jdbc:sqlite:/home/ops/f.db");
    assertThat(url("jdbc:sqlite:../f.db?busy_timeout=5000"))
        .isEqualTo("jdbc:sqlite:/srv/f.db?busy_timeout=5000");
  }

  @Test
  void loadReadsTheFileAndResolvesAgainstItsFolderAndTheRealUser(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("etc/fleetrun.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file, "database: { url: jdbc:sqlite:state/f.db }\n" + "ssh: { identityFile: id_key }\n");

    FleetConfig config = ConfigLoader.load(file);

    assertThat(config.source()).isEqualTo(file.toAbsolutePath());
    assertThat(config.databaseUrl()).isEqualTo("jdbc:sqlite:" + dir.resolve("etc/state/f.db"));
    assertThat(config.ssh().identityFile()).contains(dir.resolve("etc/id_key"));
    assertThat(config.ssh().user()).isEqualTo(System.getProperty("user.name"));
    assertThat(config.ssh().knownHosts())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
  }

  @Test
  void missingFileIsAConfigExceptionNamingIt(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file + ":0:0: (file): config file not found: " + file);
  }

  @Test
  void locatePrefersTheOptionThenTheEnvironmentThenTheInstallDirectory() {
    Path install = Path.of("/opt/fleetrun");
    Map<String, String> env = Map.of(ConfigLoader.CONFIG_ENV, "/etc/fleetrun/f.yaml");

    assertThat(ConfigLoader.locate(Optional.of(Path.of("/tmp/x.yaml")), env, install))
        .isEqualTo(Path.of("/tmp/x.yaml"));
    assertThat(ConfigLoader.locate(Optional.empty(), env, install))
        .isEqualTo(Path.of("/etc/fleetrun/f.yaml"));
    assertThat(ConfigLoader.locate(Optional.empty(), Map.of(ConfigLoader.CONFIG_ENV, " "), install))
        .isEqualTo(Path.of("/opt/fleetrun/config/fleetrun.yaml"));
    assertThat(ConfigLoader.locate(Optional.of(Path.of("rel.yaml")), env, install))
        .isEqualTo(Path.of("rel.yaml").toAbsolutePath());
  }

  private static String url(String url) {
    return ConfigLoader.parse(CONTEXT, "database: { url: \"" + url + "\" }\n").databaseUrl();
  }

  static String resource(String name) throws IOException {
    try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/config/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
