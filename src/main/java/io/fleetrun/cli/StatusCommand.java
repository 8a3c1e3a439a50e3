package io.fleetrun.cli;

import io.fleetrun.config.ConfigException;
import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.store.DaemonStatus;
import io.fleetrun.store.ReadConnections;
import io.fleetrun.store.ReadOnlyDatabase;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fleetrun status}: is a daemon alive on this database, and what is it doing. Reads the
 * database only; exits {@link ExitCodes#NO_DAEMON} when no daemon is alive, after printing what
 * the database still tells.
 */
@Command(
    name = "status",
    description = "Show whether a daemon is alive, its scheduled jobs, running records and pending requests.")
public final class StatusCommand implements Callable<Integer> {
  /** Running records listed by name; the rest are only counted. */
  static final int NEWEST_RUNNING = 5;

  @Mixin ConfigOption config;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DatabaseSettings database;
    try {
      database = config.load().database();
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return ExitCodes.CONFIG;
    }
    ReadOnlyDatabase db;
    try {
      db = ReadOnlyDatabase.openExisting(database);
    } catch (IllegalArgumentException e) {
      // database.password cannot be read: the config's problem, not the daemon's.
      err.println(e.getMessage());
      return ExitCodes.CONFIG;
    } catch (IllegalStateException e) {
      // No database yet, or one a newer daemon must migrate first: no daemon of ours runs on it.
      out.println(json ? Json.write(StatusText.noDatabase(e.getMessage())) : "daemon        not running (" + e.getMessage() + ")");
      return ExitCodes.NO_DAEMON;
    }
    DaemonStatus report;
    try (db) {
      report = read(db, Instant.now());
    }
    out.print(json ? Json.write(StatusText.json(report)) + System.lineSeparator() : StatusText.text(report));
    out.flush();
    return report.alive() ? ExitCodes.OK : ExitCodes.NO_DAEMON;
  }

  static DaemonStatus read(ReadOnlyDatabase db, Instant now) {
    return read((ReadConnections) db, now);
  }

  static DaemonStatus read(ReadConnections db, Instant now) {
    return DaemonStatus.read(db, now, NEWEST_RUNNING);
  }
}
