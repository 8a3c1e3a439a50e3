package io.fleetrun.config;

import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.SecretFiles;
import io.fleetrun.model.SecretRef;
import io.fleetrun.model.SshSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code instances:}, applying the {@code ssh:} defaults. */
final class InstanceSection {
  static final List<String> KEYS =
      List.of("id", "host", "port", "user", "identityFile", "password", "tags");
  static final List<String> PASSWORD_KEYS = List.of("env", "file");
  private static final String INLINE_PASSWORD =
      "passwords are never written inline; use { env: VAR } or { file: PATH }";

  /**
   * @param instances the valid instances, in config order
   * @param tagsById every declared instance id with its tags, also of instances that had other
   *     problems, so a job naming them is not reported a second time
   */
  record Result(List<Instance> instances, Map<String, Set<String>> tagsById) {}

  private InstanceSection() {}

  static Result read(
      List<YamlNode> items, SshSettings ssh, LoadContext context, Problems problems) {
    IdRegistry ids = new IdRegistry("instance");
    List<Instance> instances = new ArrayList<>();
    Map<String, Set<String>> tagsById = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Optional<MapReader> item = MapReader.of(items.get(i), "instances[" + i + "]", problems, KEYS);
      if (item.isEmpty()) {
        continue;
      }
      MapReader r = item.get();
      int before = problems.count();
      Optional<String> id = ids.claim(r);
      Optional<String> host = r.requiredText("host");
      int port = r.integer("port", 1, 65535).orElse(ConfigDefaults.PORT);
      String user = r.nonBlankText("user").orElse(ssh.user());
      Optional<Path> ownKey = r.path("identityFile", context);
      ownKey.ifPresent(key -> requirePrivate(r, "identityFile", key, "private key"));
      Optional<Path> identity = ownKey.or(ssh::identityFile);
      Optional<SecretRef> password = password(r, context, problems);
      Set<String> tags = tags(r, problems);
      id.ifPresent(v -> tagsById.put(v, tags));
      if (problems.count() == before) {
        instances.add(
            new Instance(
                new InstanceId(id.orElseThrow()),
                host.orElseThrow(),
                port,
                user,
                identity,
                password,
                tags));
      }
    }
    return new Result(instances, tagsById);
  }

  private static Set<String> tags(MapReader r, Problems problems) {
    Set<String> tags = new LinkedHashSet<>();
    for (MapReader.TextItem item : r.textList("tags")) {
      String tag = item.text();
      if (ConfigDefaults.ID.matcher(tag).matches()) {
        tags.add(tag);
      } else {
        problems.add(item.node(), item.path(), "tag '%s' %s".formatted(tag, IdRegistry.ID_RULE));
      }
    }
    return tags;
  }

  /**
   * Where the {@code password} of {@code r} is read from when it is needed; its value is never
   * read here (an instance's, and the database's).
   */
  static Optional<SecretRef> password(MapReader r, LoadContext context, Problems problems) {
    return secretRef(r, "password", INLINE_PASSWORD, "password file", context, problems);
  }

  /**
   * Where the secret at {@code key} of {@code r} is read from: {@code { env: VAR }} or {@code {
   * file: PATH }}. A value written inline is refused with {@code inline} as the message, never
   * echoed (it is probably the secret itself).
   *
   * @param what what the file holds, for messages ("password file")
   */
  static Optional<SecretRef> secretRef(MapReader r, String key, String inline, String what, LoadContext context,
      Problems problems) {
    Optional<YamlNode> node = r.value(key);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    if (!(node.get() instanceof YamlNode.MapNode)) {
      r.problem(key, inline);
      return Optional.empty();
    }
    MapReader p =
        new MapReader((YamlNode.MapNode) node.get(), r.pathOf(key), problems, PASSWORD_KEYS);
    Optional<String> env = p.nonBlankText("env");
    Optional<Path> file = p.path("file", context);
    boolean hasEnv = p.value("env").isPresent();
    boolean hasFile = p.value("file").isPresent();
    if (hasEnv == hasFile) {
      problems.add(p.mark(), p.path(), "give exactly one of { env: VAR } or { file: PATH }");
      return Optional.empty();
    }
    if (env.isPresent()) {
      if (!ConfigDefaults.ENV_VAR.matcher(env.get()).matches()) {
        // Not echoed either: an operator may have pasted the secret here.
        p.problem("env", "is not an environment variable name (letters, digits and '_')");
        return Optional.empty();
      }
      return Optional.of(new SecretRef.Env(env.get()));
    }
    file.ifPresent(f -> requirePrivate(p, "file", f, what));
    return file.map(SecretRef.File::new);
  }

  /**
   * Reports {@code file} at {@code key} when group or others may open it (see {@link
   * SecretFiles}). A missing file is not reported here: it may be put in place before the first
   * run, which reports it if not.
   */
  static void requirePrivate(MapReader r, String key, Path file, String what) {
    SecretFiles.tooOpen(file, what).ifPresent(message -> r.problem(key, message));
  }
}
