package io.fleetrun.config;

import static io.fleetrun.config.ConfigDefaults.POSTGRESQL_PREFIX;
import static io.fleetrun.config.ConfigDefaults.SQLITE_PREFIX;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Limits;
import io.fleetrun.model.SecretRef;
import io.fleetrun.model.SshSettings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code database:}, {@code ssh:} and {@code limits:}. A bad value is reported and replaced
 * by its default, so the sections that depend on these settings can still be checked.
 */
final class SettingsSection {
  static final List<String> DATABASE_KEYS = List.of("url", "user", "password");

  /** Query parameters a PostgreSQL URL may carry: TLS and connection behaviour, no secret. */
  static final List<String> URL_PARAMETERS =
      List.of(
          "ssl", "sslmode", "sslrootcert", "sslcert", "sslkey", "connectTimeout", "socketTimeout",
          "loginTimeout", "tcpKeepAlive", "ApplicationName", "targetServerType");
  static final List<String> SSH_KEYS =
      List.of(
          "user", "identityFile", "knownHosts", "hostKeyPolicy", "connectTimeout", "keyExchanges",
          "keepAlive", "channelsPerConnection", "connectionLifetime");
  static final List<String> LIMITS_KEYS = List.of("maxSessions", "outputBytes");

  private SettingsSection() {}

  /**
   * Where the database is: a SQLite file (resolved against the config's folder when relative) or
   * a PostgreSQL server with its role and where its password is read from.
   */
  static DatabaseSettings database(
      Optional<MapReader> section, LoadContext context, Problems problems) {
    DatabaseSettings fallback = DatabaseSettings.of(resolveSqlite(ConfigDefaults.DATABASE_URL, context));
    if (section.isEmpty()) {
      return fallback;
    }
    MapReader r = section.get();
    Optional<String> url = r.requiredText("url").map(String::trim);
    Optional<String> user = r.nonBlankText("user");
    Optional<SecretRef> password = InstanceSection.password(r, context, problems);
    if (url.isEmpty()) {
      return fallback;
    }
    String u = url.get();
    if (u.startsWith(POSTGRESQL_PREFIX)) {
      return postgresql(r, u, user, password).orElse(fallback);
    }
    if (user.isPresent() || password.isPresent()) {
      r.problem(
          user.isPresent() ? "user" : "password",
          "is for a PostgreSQL database; a SQLite file has no user or password");
    }
    if (!u.startsWith(SQLITE_PREFIX)) {
      r.problem(
          "url",
          "must be a %sFILE or a %s//HOST:PORT/DATABASE URL, got '%s'"
              .formatted(SQLITE_PREFIX, POSTGRESQL_PREFIX, DatabaseSettings.schemeOf(u)));
      return fallback;
    }
    if (u.length() == SQLITE_PREFIX.length() || u.charAt(SQLITE_PREFIX.length()) == '?') {
      r.problem("url", "names no database file; write it like " + ConfigDefaults.DATABASE_URL);
      return fallback;
    }
    try {
      return DatabaseSettings.of(resolveSqlite(u, context));
    } catch (InvalidPathException e) {
      r.problem("url", "the SQLite file is not a valid path: " + e.getReason());
      return fallback;
    }
  }

  /**
   * A PostgreSQL URL with its role and password reference. A password or role inside the URL is
   * refused (never echoed): the password would sit in the config and in every log line that
   * names the database, and two places for the role would disagree.
   */
  private static Optional<DatabaseSettings> postgresql(
      MapReader r, String url, Optional<String> user, Optional<SecretRef> password) {
    String rest = url.substring(POSTGRESQL_PREFIX.length());
    int q = rest.indexOf('?');
    String query = q >= 0 ? rest.substring(q + 1) : "";
    String location = q >= 0 ? rest.substring(0, q) : rest;
    for (String parameter : query.isEmpty() ? new String[0] : query.split("&")) {
      String name = parameter.split("=", 2)[0].trim();
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (lower.equals("password") || lower.equals("user")) {
        r.problem(
            "url",
            "must not carry the " + lower + " (" + DatabaseSettings.schemeOf(url) + "); give it as database."
                + lower + (lower.equals("password") ? ": { env: VAR } or { file: PATH }" : ""));
        return Optional.empty();
      }
      // An allowlist, not a denylist: the driver takes other secrets (sslpassword), settings
      // read from elsewhere (service: role and password from pg_service.conf) and server
      // settings (options: -c search_path=...) in the URL too.
      if (!URL_PARAMETERS.contains(name)) {
        r.problem(
            "url",
            "takes only the parameters " + String.join(", ", URL_PARAMETERS) + " (got one named '"
                + (name.matches("[A-Za-z0-9_]{1,40}") ? name : "...") + "')");
        return Optional.empty();
      }
    }
    if (location.contains("@")) {
      r.problem("url", "must not carry a user or password before '@'; use database.user and database.password");
      return Optional.empty();
    }
    if (!location.startsWith("//") || location.length() <= 2 || location.endsWith("/")) {
      r.problem(
          "url",
          "names no server and database; write it like " + POSTGRESQL_PREFIX
              + "//db.example.com:5432/fleetrun");
      return Optional.empty();
    }
    return Optional.of(new DatabaseSettings(url, user, password));
  }

  /**
   * Makes the file of a SQLite URL absolute; in-memory databases and {@code file:} URIs are left as
   * written. Query parameters ({@code ?journal_mode=...}) are kept.
   */
  private static String resolveSqlite(String url, LoadContext context) {
    String rest = url.substring(SQLITE_PREFIX.length());
    if (rest.startsWith(":memory:") || rest.startsWith("file:")) {
      return url;
    }
    int q = rest.indexOf('?');
    String file = q >= 0 ? rest.substring(0, q) : rest;
    String query = q >= 0 ? rest.substring(q) : "";
    return SQLITE_PREFIX + context.resolve(file) + query;
  }

  static SshSettings ssh(Optional<MapReader> section, LoadContext context) {
    Optional<MapReader> r = section;
    String user = r.flatMap(s -> s.nonBlankText("user")).orElse(context.userName());
    Optional<Path> identity = r.flatMap(s -> s.path("identityFile", context));
    identity.ifPresent(
        key -> InstanceSection.requirePrivate(r.get(), "identityFile", key, "private key"));
    Path knownHosts =
        r.flatMap(s -> s.path("knownHosts", context))
            .orElseGet(() -> context.resolve(ConfigDefaults.KNOWN_HOSTS));
    HostKeyPolicy policy =
        r.flatMap(SettingsSection::hostKeyPolicy).orElse(ConfigDefaults.HOST_KEY_POLICY);
    Duration timeout =
        r.flatMap(s -> s.duration("connectTimeout")).orElse(ConfigDefaults.CONNECT_TIMEOUT);
    List<String> kex =
        r.flatMap(SettingsSection::keyExchanges).orElse(SshSettings.DEFAULT_KEY_EXCHANGES);
    Duration keepAlive =
        r.flatMap(SettingsSection::keepAlive).orElse(SshSettings.DEFAULT_KEEP_ALIVE);
    int channels =
        r.flatMap(s -> s.integer("channelsPerConnection", SshSettings.MIN_CHANNELS,
                SshSettings.MAX_CHANNELS))
            .orElse(SshSettings.DEFAULT_CHANNELS_PER_CONNECTION);
    Duration lifetime =
        r.flatMap(s -> s.duration("connectionLifetime"))
            .orElse(SshSettings.DEFAULT_CONNECTION_LIFETIME);
    return new SshSettings(user, identity, knownHosts, policy, timeout, kex, keepAlive, channels,
        lifetime);
  }

  /** A duration like {@code 5m}, or {@code 0} (reuse off). */
  private static Optional<Duration> keepAlive(MapReader r) {
    Optional<String> text = r.text("keepAlive");
    if (text.isPresent() && text.get().trim().equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    return r.duration("keepAlive");
  }

  private static Optional<HostKeyPolicy> hostKeyPolicy(MapReader r) {
    Optional<String> text = r.text("hostKeyPolicy");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<HostKeyPolicy> policy = HostKeyPolicy.fromConfigName(text.get().trim());
    if (policy.isEmpty()) {
      List<String> names =
          Arrays.stream(HostKeyPolicy.values()).map(HostKeyPolicy::configName).toList();
      r.problem(
          "hostKeyPolicy",
          "must be one of %s, got '%s'%s"
              .formatted(
                  String.join(", ", names), text.get(), Suggest.didYouMean(text.get(), names)));
    }
    return policy;
  }

  private static Optional<List<String>> keyExchanges(MapReader r) {
    if (r.value("keyExchanges").isEmpty()) {
      return Optional.empty();
    }
    List<String> names =
        r.textList("keyExchanges").stream()
            .map(MapReader.TextItem::text)
            .filter(s -> !s.isEmpty())
            .toList();
    if (names.isEmpty()) {
      r.problem("keyExchanges", "must name at least one algorithm, or be left out for the default");
      return Optional.empty();
    }
    return Optional.of(names);
  }

  static Limits limits(Optional<MapReader> section) {
    int sessions =
        section
            .flatMap(r -> r.integer("maxSessions", 1, Integer.MAX_VALUE))
            .orElse(ConfigDefaults.MAX_SESSIONS);
    int output =
        section
            .flatMap(
                r ->
                    r.integer(
                        "outputBytes",
                        ConfigDefaults.MIN_OUTPUT_BYTES,
                        ConfigDefaults.MAX_OUTPUT_BYTES))
            .orElse(ConfigDefaults.OUTPUT_BYTES);
    return new Limits(sessions, output);
  }
}
