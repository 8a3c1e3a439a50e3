package io.fleetrun.cli;

import io.fleetrun.store.Database;

/** Opens the database named by the config for one CLI command, without migrating it. */
final class CliDatabase {
  private CliDatabase() {}

  /**
   * @throws CliFailure with exit code NO_DAEMON when the database does not exist yet (no daemon
   *     ever ran on it) or its schema is older than this CLI
   */
  static Database open(ConfigOption config) {
    try {
      return Database.openExisting(config.load().databaseUrl());
    } catch (IllegalStateException e) {
      throw new CliFailure(e.getMessage(), ExitCodes.NO_DAEMON);
    }
  }
}
