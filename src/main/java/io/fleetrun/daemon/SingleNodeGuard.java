package io.fleetrun.daemon;

import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.DaemonLease;
import io.fleetrun.store.Heartbeat;
import io.fleetrun.store.LeaseClaim;
import io.fleetrun.store.LeaseHolder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a second daemon off a database that one already schedules on. At start it takes the
 * {@link DaemonLease}. A fresh lease may belong to a live daemon or to one killed a moment ago;
 * rather than guess from a pid (which means nothing on another host or in another pid namespace)
 * it watches the lease: a holder that renews it is alive and the start is refused, one that stays
 * silent for {@link #STALE_AFTER} is dead and its lease is taken over. So a second daemon is
 * refused within about a second, and a restart after {@code kill -9} waits at most ~5 s.
 */
final class SingleNodeGuard {
  private static final Logger log = LoggerFactory.getLogger(SingleNodeGuard.class);
  /** A lease not renewed for this long belongs to a dead daemon (the heartbeat's rule). */
  static final Duration STALE_AFTER = Heartbeat.ALIVE_WITHIN;
  private static final Duration POLL = Duration.ofMillis(200);

  private final DaemonLease lease;
  private final DaemonInfo self;
  private final AtomicBoolean lost = new AtomicBoolean();

  private SingleNodeGuard(DaemonLease lease, DaemonInfo self) {
    this.lease = lease;
    this.self = self;
  }

  /**
   * Takes the lease for {@code self}, waiting at most {@link #STALE_AFTER} and a second for a
   * silent holder to go stale.
   *
   * @throws AnotherDaemonException when another daemon renews the lease meanwhile
   */
  static SingleNodeGuard acquire(DaemonLease lease, DaemonInfo self, Clock clock, String database) {
    Objects.requireNonNull(lease, "lease");
    long deadline = System.nanoTime() + STALE_AFTER.plus(POLL).plusSeconds(1).toNanos();
    LeaseHolder first = null;
    while (true) {
      Instant now = clock.instant();
      LeaseClaim claim = lease.claim(self, now, STALE_AFTER);
      if (claim instanceof LeaseClaim.Taken taken) {
        taken.previous().ifPresent(p -> log.warn("took over the database from daemon pid {} on {} "
            + "(started {}), silent since {}: it was killed or hung", p.pid(), p.host(),
            p.startedAt(), p.beatAt()));
        return new SingleNodeGuard(lease, self);
      }
      LeaseHolder holder = ((LeaseClaim.Held) claim).holder();
      if (first == null) {
        first = holder;
        log.info("daemon pid {} on {} holds the database (last heartbeat {}); waiting to see "
            + "whether it is alive", holder.pid(), holder.host(), holder.beatAt());
      } else if (!holder.nodeId().equals(first.nodeId()) || !holder.beatAt().equals(first.beatAt())
          || System.nanoTime() > deadline) {
        throw new AnotherDaemonException(database, holder, now);
      }
      sleep(POLL);
    }
  }

  /**
   * Renews the lease (with the heartbeat). Returns false from the moment another daemon took it
   * over (logged once); the caller must stop scheduling then.
   */
  boolean renew(Instant now) {
    if (lost.get()) {
      return false;
    }
    if (lease.renew(self.nodeId(), now)) {
      return true;
    }
    lost.set(true);
    String other = lease.holder()
        .map(h -> "daemon pid " + h.pid() + " on " + h.host() + " (started " + h.startedAt() + ")")
        .orElse("nobody");
    log.error("this daemon lost the database to {}: it went too long without a heartbeat. "
        + "Scheduling and CLI requests stop here; restart this daemon once the other one is gone",
        other);
    return false;
  }

  /** Whether another daemon took the lease over. */
  boolean lost() {
    return lost.get();
  }

  /** Gives the lease up (clean stop), so a new daemon can start at once. */
  void release() {
    if (!lost.get()) {
      lease.release(self.nodeId());
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the database lease", e);
    }
  }
}
