package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Is a database's schema as new as this build? A cheap check for the CLI: the versions Flyway
 * recorded in {@code flyway_schema_history} against the {@code V<n>__*.sql} files the jar
 * carries, read with plain JDBC. Starting Flyway for this costs the CLI about a second.
 */
final class SchemaVersion {
  private static final Pattern MIGRATION = Pattern.compile("V(\\d+)__[^/]*\\.sql");

  private SchemaVersion() {}

  /**
   * The newest migration of this build the database lacks; empty when it has every one (it may
   * have newer ones: a newer daemon migrated it, which old readers tolerate).
   *
   * @throws IllegalStateException when the database has no {@code flyway_schema_history} (not a
   *     fleetrun database, or no daemon ever started on it)
   */
  static Optional<Integer> missing(Connection connection, String jdbcUrl) throws SQLException {
    SortedSet<Integer> lacking =
        new TreeSet<>(
            inJar(
                DatabaseSettings.kindOf(jdbcUrl) == DatabaseSettings.Kind.POSTGRESQL
                    ? Database.POSTGRESQL_MIGRATIONS
                    : Database.SQLITE_MIGRATIONS));
    lacking.removeAll(applied(connection, jdbcUrl));
    return lacking.isEmpty() ? Optional.empty() : Optional.of(lacking.last());
  }

  /** The message for a database that lacks migration {@code version} of this build. */
  static String lacks(String jdbcUrl, int version) {
    return "the database at " + DatabaseSettings.redacted(jdbcUrl) + " lacks schema version " + version
        + "; start the daemon of this version first, it migrates the schema";
  }

  private static SortedSet<Integer> applied(Connection connection, String jdbcUrl) throws SQLException {
    SortedSet<Integer> versions = new TreeSet<>();
    try (Statement st = connection.createStatement()) {
      boolean known;
      // The driver's catalogue, not sqlite_master or pg_tables: the same call on both databases.
      try (ResultSet rs =
          connection.getMetaData().getTables(null, null, "flyway_schema_history", new String[] {"TABLE"})) {
        known = rs.next();
      }
      if (!known) {
        throw new IllegalStateException("the database at " + DatabaseSettings.redacted(jdbcUrl)
            + " has no fleetrun schema version"
            + " (no flyway_schema_history table); start the daemon of this version first, it creates it");
      }
      try (ResultSet rs = st.executeQuery(
          "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
        while (rs.next()) {
          versions.add(Integer.parseInt(rs.getString(1)));
        }
      }
    }
    return versions;
  }

  /** The migration versions under the class path folder {@code folder}. */
  static SortedSet<Integer> inJar(String folder) {
    URL url = SchemaVersion.class.getClassLoader().getResource(folder);
    if (url == null) {
      throw new IllegalStateException("this build carries no migrations at " + folder);
    }
    SortedSet<Integer> versions = new TreeSet<>();
    try {
      if ("jar".equals(url.getProtocol())) {
        JarURLConnection jar = (JarURLConnection) url.openConnection();
        jar.setUseCaches(false);
        try (var file = jar.getJarFile()) {
          Enumeration<JarEntry> entries = file.entries();
          for (JarEntry e : Collections.list(entries)) {
            if (e.getName().startsWith(folder + "/")) {
              version(e.getName().substring(folder.length() + 1)).ifPresent(versions::add);
            }
          }
        }
      } else {
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
          files.forEach(f -> version(f.getFileName().toString()).ifPresent(versions::add));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the migrations at " + url + ": " + e.getMessage(), e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot list the migrations at " + url, e);
    }
    return versions;
  }

  private static Optional<Integer> version(String fileName) {
    Matcher m = MIGRATION.matcher(fileName);
    return m.matches() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }
}
