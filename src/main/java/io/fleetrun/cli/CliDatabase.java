package io.fleetrun.cli;

import io.fleetrun.store.CliRequests;
import io.fleetrun.store.ReadOnlyDatabase;

/**
 * Opens the database named by the config for one CLI command, without migrating it and without
 * pool or jOOQ, so the command answers fast: read-only for the commands that only read ({@link
 * #read}), one plain connection for the requests of {@code run} and {@code stop} ({@link #requests}).
 */
final class CliDatabase {
  private CliDatabase() {}

  /**
   * @throws CliFailure with exit code NO_DAEMON when the database does not exist yet (no daemon
   *     ever ran on it) or its schema is older than this CLI
   */
  static CliRequests requests(ConfigOption config) {
    try {
      return CliRequests.openExisting(config.load().databaseUrl());
    } catch (IllegalStateException e) {
      throw new CliFailure(e.getMessage(), ExitCodes.NO_DAEMON);
    }
  }

  /**
   * Opens the database for reading only (no pool, no Flyway, no jOOQ): {@code invocations},
   * {@code results}, {@code status} and {@code run --wait}'s following.
   *
   * @throws CliFailure as {@link #requests}
   */
  static ReadOnlyDatabase read(ConfigOption config) {
    return read(config.load().databaseUrl());
  }

  /** As {@link #read(ConfigOption)}, for a URL already read from the config. */
  static ReadOnlyDatabase read(String jdbcUrl) {
    try {
      return ReadOnlyDatabase.openExisting(jdbcUrl);
    } catch (IllegalStateException e) {
      throw new CliFailure(e.getMessage(), ExitCodes.NO_DAEMON);
    }
  }
}
