package io.fleetrun.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The single-node guard: at most one daemon schedules and repairs on a database. Each method is
 * one short transaction, so two daemons starting at once never both get the lease.
 */
public interface DaemonLease {

  /**
   * Takes the lease for {@code daemon} when nobody holds it or its holder has not renewed it for
   * longer than {@code staleAfter} (that daemon was killed); otherwise reports the holder.
   */
  LeaseClaim claim(DaemonInfo daemon, Instant now, Duration staleAfter);

  /**
   * Renews the lease of {@code nodeId}; false when it does not hold it any more (another daemon
   * took it over after {@code nodeId} went silent too long, or the row was removed).
   */
  boolean renew(String nodeId, Instant now);

  /** Gives the lease up if {@code nodeId} holds it (a clean stop). */
  void release(String nodeId);

  /** Who holds the lease, if anyone. */
  Optional<LeaseHolder> holder();
}
