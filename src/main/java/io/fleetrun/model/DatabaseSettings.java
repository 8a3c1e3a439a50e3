package io.fleetrun.model;

import java.util.Objects;
import java.util.Optional;

/**
 * Where the fleetrun database is ({@code database:} in config): a SQLite file, the embedded
 * single-node default, or a PostgreSQL server that several daemons share as one cluster.
 *
 * <p>It holds where the password is read from, never the password: safe to log and to print.
 *
 * @param url the JDBC URL; a relative SQLite file is already resolved against the config's folder
 * @param user the PostgreSQL role; empty for SQLite (and for a role the URL or the driver's
 *     default names)
 * @param password where the PostgreSQL password is read from when a connection opens
 */
public record DatabaseSettings(String url, Optional<String> user, Optional<SecretRef> password) {
  public static final String SQLITE_PREFIX = "jdbc:sqlite:";
  public static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

  /** The two databases fleetrun runs on. */
  public enum Kind {
    SQLITE,
    POSTGRESQL
  }

  public DatabaseSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    kindOf(url); // refuses any other URL
  }

  /** A database named by its URL alone: a SQLite file, or a PostgreSQL server that needs no password. */
  public static DatabaseSettings of(String url) {
    return new DatabaseSettings(url, Optional.empty(), Optional.empty());
  }

  public Kind kind() {
    return kindOf(url);
  }

  public boolean isPostgresql() {
    return kind() == Kind.POSTGRESQL;
  }

  /**
   * The kind of database {@code url} names.
   *
   * @throws IllegalArgumentException for a URL that is neither {@code jdbc:sqlite:} nor {@code
   *     jdbc:postgresql:}
   */
  public static Kind kindOf(String url) {
    if (url.startsWith(SQLITE_PREFIX)) {
      return Kind.SQLITE;
    }
    if (url.startsWith(POSTGRESQL_PREFIX)) {
      return Kind.POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "'" + schemeOf(url) + "' is neither a SQLite nor a PostgreSQL URL; write it like "
            + SQLITE_PREFIX + "/var/lib/fleetrun/fleetrun.db or " + POSTGRESQL_PREFIX
            + "//db.example.com:5432/fleetrun");
  }

  /**
   * {@code url} without its query parameters, for messages and logs: config refuses a password
   * there, but a URL given some other way may still carry one.
   */
  public static String redacted(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }

  /** Only the scheme of {@code url}, so a password someone put in a URL is never echoed back. */
  public static String schemeOf(String url) {
    String[] parts = url.split(":", 3);
    return parts.length >= 2 ? parts[0] + ":" + parts[1] + ":..." : url.length() > 20 ? "..." : url;
  }
}
