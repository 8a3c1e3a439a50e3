package io.fleetrun.daemon;

import io.fleetrun.config.ConfigLoader;
import io.fleetrun.testing.SqlReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A config file that tests rewrite while an in-process daemon runs on it, and plain SQL reads of
 * the daemon's database (as sqlite3 would do them).
 *
 * <p>The daemon's config {@link #file()} starts as a symbolic link to a file in another folder.
 * {@link #edit} writes that other file, which the daemon's watcher does not see (a reload must
 * be asked for: {@link Daemon#reload()}, as SIGHUP does), so a test of the direct path is not
 * raced by the watcher. {@link #save} replaces the link the way an editor saves (temp file,
 * rename), which the watcher sees; a test uses one or the other.
 *
 * @param header the {@code database:}, {@code ssh:} and {@code instances:} part, kept across edits
 */
record ReloadFixture(Path file, Path target, Path db, String header) {

  /** A fixture for {@code dir}: config {@code dir/conf/fleetrun.yaml}, database {@code dir/fleetrun.db}. */
  static ReloadFixture in(Path dir, String header) {
    try {
      Path target = Files.createDirectories(dir.resolve("real")).resolve("fleetrun.yaml");
      Path file = Files.createDirectories(dir.resolve("conf")).resolve("fleetrun.yaml");
      Files.writeString(target, header);
      Files.createSymbolicLink(file, target);
      return new ReloadFixture(file, target, dir.resolve("fleetrun.db"), header);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the header and {@code body} ({@code commands:} and {@code jobs:}) unseen by the watcher. */
  void edit(String body) {
    try {
      Files.writeString(target, header + body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Saves the header and {@code body} as an editor does, in the watched folder: temp file, rename. */
  void save(String body) {
    try {
      Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.writeString(temp, header + body);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a daemon on the file as it is now: 1 s shutdown grace, 100 ms request poll. */
  Daemon start() {
    return Daemon.start(ConfigLoader.load(file), Clock.systemUTC(), new Daemon.Settings(
        Duration.ofSeconds(1), Duration.ofSeconds(5), "reload-" + UUID.randomUUID(), Duration.ofMillis(100)));
  }

  /** The first column of every row, as text. */
  List<String> query(String sql) throws SQLException {
    return SqlReader.firstColumn(db, sql);
  }

  long count(String sql) throws SQLException {
    return Long.parseLong(query(sql).get(0));
  }

  /** The records of job {@code job} as {@code instance:status:output}, oldest first. */
  List<String> records(String job) throws SQLException {
    return query("SELECT r.instance_id || ':' || r.status || ':' || rtrim(r.output, char(10)) FROM invocation_record r "
        + "JOIN invocation i USING (invoke_id) WHERE i.job_id = '" + job + "' ORDER BY r.record_id");
  }
}
