package io.fleetrun.config;

import io.fleetrun.model.HttpSettings;
import io.fleetrun.model.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code http:}: where the daemon's HTTP server listens and the bearer tokens it takes.
 * Token values are never in the config (only {@code env:} or {@code file:}), and a server that
 * others can reach must have tokens.
 */
final class HttpSection {
  static final List<String> KEYS = List.of("listen", "tokens", "metricsPublic");
  /** Keys an operator might write a token's value under: known, so the message can be precise. */
  private static final List<String> INLINE_KEYS = List.of("value", "token", "secret");
  static final List<String> TOKEN_KEYS = List.of("name", "role", "file", "env", "value", "token", "secret");
  private static final Pattern LISTEN = Pattern.compile("(\\[([0-9A-Fa-f:.]+)]|([^:\\[\\]]+)):([0-9]{1,5})");

  private HttpSection() {}

  /** The settings; empty when there is no {@code http:} section (no HTTP server at all). */
  static Optional<HttpSettings> read(Optional<MapReader> section, LoadContext context, Problems problems) {
    if (section.isEmpty()) {
      return Optional.empty();
    }
    MapReader r = section.get();
    Optional<String[]> listen = r.requiredText("listen").flatMap(text -> listen(r, text));
    List<YamlNode> items = r.list("tokens").orElse(List.of());
    List<HttpSettings.Token> tokens = tokens(r, items, context, problems);
    boolean metricsPublic = r.bool("metricsPublic").orElse(false);
    if (listen.isEmpty()) {
      return Optional.empty();
    }
    String host = listen.get()[0];
    if (items.isEmpty() && !HttpSettings.isLoopback(host)) {
      r.problem("listen", ("binds %s, which is not a loopback address, and http.tokens names no token:"
          + " anyone who reaches it could read every record; add tokens, or listen on 127.0.0.1").formatted(host));
    }
    return Optional.of(new HttpSettings(host, Integer.parseInt(listen.get()[1]), tokens, metricsPublic));
  }

  /** {@code host:port} or {@code [v6]:port}, as host and port. */
  private static Optional<String[]> listen(MapReader r, String text) {
    Matcher m = LISTEN.matcher(text.trim());
    if (!m.matches()) {
      r.problem("listen", "must be HOST:PORT like 127.0.0.1:8620 or [::1]:8620, got '" + text + "'");
      return Optional.empty();
    }
    int port = Integer.parseInt(m.group(4));
    if (port < 1 || port > 65535) {
      r.problem("listen", "port must be between 1 and 65535, got " + port);
      return Optional.empty();
    }
    String host = m.group(2) != null ? m.group(2) : m.group(3).trim();
    return Optional.of(new String[] {host, m.group(4)});
  }

  private static List<HttpSettings.Token> tokens(
      MapReader r, List<YamlNode> items, LoadContext context, Problems problems) {
    List<HttpSettings.Token> tokens = new ArrayList<>();
    Map<String, Integer> lineOf = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      if (!(items.get(i) instanceof YamlNode.MapNode)) {
        // Not echoed: a bare item here is most likely the token itself.
        problems.add(items.get(i), r.pathOf("tokens") + "[" + i + "]",
            "expected { name: NAME, role: reader|operator, file: PATH } or { ..., env: VAR }; token values are never written inline");
        continue;
      }
      MapReader t = MapReader.of(items.get(i), r.pathOf("tokens") + "[" + i + "]", problems, TOKEN_KEYS).orElseThrow();
      int before = problems.count();
      Optional<String> name = t.requiredText("name").filter(n -> wellFormed(t, n));
      name.ifPresent(n -> {
        Integer earlier = lineOf.putIfAbsent(n, t.mark().line());
        if (earlier != null) {
          t.problem("name", "duplicate token name '%s': already used at line %d".formatted(n, earlier));
        }
      });
      Optional<HttpSettings.Role> role = t.requiredText("role").flatMap(text -> role(t, text));
      Optional<SecretRef> secret = secret(t, context, problems);
      if (problems.count() == before) {
        tokens.add(new HttpSettings.Token(name.orElseThrow(), role.orElseThrow(), secret.orElseThrow()));
      }
    }
    return tokens;
  }

  private static boolean wellFormed(MapReader t, String name) {
    if (ConfigDefaults.ID.matcher(name).matches()) {
      return true;
    }
    t.problem("name", "token name '%s' %s".formatted(name, IdRegistry.ID_RULE));
    return false;
  }

  private static Optional<HttpSettings.Role> role(MapReader t, String text) {
    Optional<HttpSettings.Role> role = HttpSettings.Role.fromConfigName(text.trim());
    if (role.isEmpty()) {
      List<String> names = Arrays.stream(HttpSettings.Role.values()).map(HttpSettings.Role::configName).toList();
      t.problem("role", "must be one of %s, got '%s'%s"
          .formatted(String.join(", ", names), text, Suggest.didYouMean(text, names)));
    }
    return role;
  }

  /** Where the token's value is read from: exactly one of {@code env:} and {@code file:}. */
  private static Optional<SecretRef> secret(MapReader t, LoadContext context, Problems problems) {
    for (String key : INLINE_KEYS) {
      if (t.value(key).isPresent()) {
        // Never echoed: it is the token.
        t.problem(key, "token values are never written inline; use file: PATH (chmod 600) or env: VAR");
        return Optional.empty();
      }
    }
    boolean hasEnv = t.value("env").isPresent();
    boolean hasFile = t.value("file").isPresent();
    if (hasEnv == hasFile) {
      problems.add(t.mark(), t.path(), "give exactly one of file: PATH or env: VAR");
      return Optional.empty();
    }
    if (hasEnv) {
      Optional<String> env = t.nonBlankText("env");
      if (env.isPresent() && !ConfigDefaults.ENV_VAR.matcher(env.get()).matches()) {
        t.problem("env", "is not an environment variable name (letters, digits and '_')");
        return Optional.empty();
      }
      return env.map(SecretRef.Env::new);
    }
    Optional<Path> file = t.path("file", context);
    file.ifPresent(f -> {
      InstanceSection.requirePrivate(t, "file", f, "token file");
      if (empty(f)) {
        t.problem("file", "token file " + f + " is empty");
      }
    });
    return file.map(SecretRef.File::new);
  }

  /**
   * Whether {@code file} exists and holds nothing but line breaks. A missing or unreadable file
   * is not reported here: the server's start reports it (it may be put in place before then).
   */
  private static boolean empty(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > 4096) {
        return false;
      }
      return Files.readString(file, StandardCharsets.UTF_8).strip().isEmpty();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
