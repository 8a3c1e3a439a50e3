package io.fleetrun.cli;

import io.fleetrun.store.ReadConnections;
import java.time.Instant;

/**
 * {@code fleetrun status}'s text for a database a test reads through its own connections (a
 * {@code Database}): what the CLI prints, without the CLI's own way of opening the database.
 */
public final class StatusProbe {
  private StatusProbe() {}

  public static String text(ReadConnections db, Instant now) {
    return StatusText.text(StatusCommand.read(db, now));
  }
}
