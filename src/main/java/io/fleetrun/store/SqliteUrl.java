package io.fleetrun.store;

import static io.fleetrun.model.DatabaseSettings.SQLITE_PREFIX;

import java.nio.file.Path;
import java.util.Optional;

/** What a {@code jdbc:sqlite:} URL names; kept apart from {@link Database} so readers load no pool. */
final class SqliteUrl {
  private SqliteUrl() {}

  /**
   * The file of a SQLite URL; empty for an in-memory database.
   *
   * @throws IllegalArgumentException when {@code jdbcUrl} is not a {@code jdbc:sqlite:} URL
   */
  static Optional<Path> file(String jdbcUrl) {
    if (jdbcUrl == null || !jdbcUrl.startsWith(SQLITE_PREFIX)) {
      throw new IllegalArgumentException(
          "'" + jdbcUrl + "' is not a SQLite URL; write it like jdbc:sqlite:/var/lib/fleetrun/fleetrun.db");
    }
    String name = jdbcUrl.substring(SQLITE_PREFIX.length());
    int query = name.indexOf('?');
    if (query >= 0) {
      name = name.substring(0, query);
    }
    if (name.startsWith("file:")) {
      name = name.substring("file:".length());
    }
    if (name.isEmpty() || name.startsWith(":memory:") || name.startsWith(":resource:")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(name).toAbsolutePath());
  }
}
