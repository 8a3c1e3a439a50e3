package io.fleetrun.cli;

import io.fleetrun.store.Database;

/** Opens the database named by the config for one CLI command. */
final class CliDatabase {
  private CliDatabase() {}

  static Database open(ConfigOption config) {
    return Database.open(config.load().databaseUrl());
  }
}
