package io.fleetrun.daemon;

import io.fleetrun.store.LeaseHolder;
import java.time.Duration;
import java.time.Instant;

/**
 * A daemon refused to start: another one is alive on the same SQLite database, or under the same
 * node id on a PostgreSQL cluster.
 */
public final class AnotherDaemonException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient LeaseHolder holder;

  AnotherDaemonException(String database, LeaseHolder holder, Instant now) {
    super(("another fleetrun daemon is running on %s: pid %d on host %s, started %s, last "
        + "heartbeat %s (%d ms ago); stop it first. A daemon that was killed frees the database "
        + "%d s after its last heartbeat.").formatted(database, holder.pid(), holder.host(),
        holder.startedAt(), holder.beatAt(),
        Math.max(0, Duration.between(holder.beatAt(), now).toMillis()),
        SingleNodeGuard.STALE_AFTER.toSeconds()));
    this.holder = holder;
  }

  /** A refusal explained by {@code message} (a cluster node id in use). */
  AnotherDaemonException(String message, LeaseHolder holder) {
    super(message);
    this.holder = holder;
  }

  /** The daemon that holds the database (or the node id). */
  public LeaseHolder holder() {
    return holder;
  }
}
