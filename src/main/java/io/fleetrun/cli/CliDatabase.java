package io.fleetrun.cli;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.store.CliRequests;
import io.fleetrun.store.ReadOnlyDatabase;

/**
 * Opens the database named by the config (a SQLite file or a PostgreSQL database) for one CLI
 * command, without migrating it and without pool or jOOQ, so the command answers fast: read-only
 * for the commands that only read ({@link #read}), one plain connection for the requests of
 * {@code run} and {@code stop} ({@link #requests}).
 */
final class CliDatabase {
  private CliDatabase() {}

  /**
   * @throws CliFailure with exit code NO_DAEMON when the database does not exist yet (no daemon
   *     ever ran on it), cannot be reached, or its schema is older than this CLI; CONFIG when
   *     {@code database.password} cannot be read
   */
  static CliRequests requests(ConfigOption config) {
    try {
      return CliRequests.openExisting(config.load().database());
    } catch (IllegalStateException e) {
      throw new CliFailure(e.getMessage(), ExitCodes.NO_DAEMON);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(e.getMessage(), ExitCodes.CONFIG);
    }
  }

  /**
   * Opens the database for reading only (no pool, no Flyway, no jOOQ): {@code invocations},
   * {@code results}, {@code status} and {@code run --wait}'s following.
   *
   * @throws CliFailure as {@link #requests}
   */
  static ReadOnlyDatabase read(ConfigOption config) {
    return read(config.load().database());
  }

  /** As {@link #read(ConfigOption)}, for the database already read from the config. */
  static ReadOnlyDatabase read(DatabaseSettings database) {
    try {
      return ReadOnlyDatabase.openExisting(database);
    } catch (IllegalStateException e) {
      throw new CliFailure(e.getMessage(), ExitCodes.NO_DAEMON);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(e.getMessage(), ExitCodes.CONFIG);
    }
  }
}
