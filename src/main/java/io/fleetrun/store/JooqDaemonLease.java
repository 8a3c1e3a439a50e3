package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.DAEMON_LEASE;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * {@link DaemonLease} over the one-row {@code daemon_lease} table. A claim reads the row and then
 * takes the lease with one conditional statement: an insert that does nothing when a row
 * appeared meanwhile, or an update that takes over only the stale holder it read. On SQLite the
 * IMMEDIATE transaction already keeps others out since the read; on PostgreSQL, where claims run
 * side by side, the key and the update's condition (re-checked once the other claim committed)
 * leave exactly one winner, and the losers answer Held with the winner's row.
 */
public final class JooqDaemonLease implements DaemonLease {
  private static final int ROW = 1;
  /** Claims lost to a release between a failed take and the re-read; then the claim fails. */
  private static final int ATTEMPTS = 3;

  private final Database db;
  private final boolean ownConnection;

  public JooqDaemonLease(Database db) {
    this(db, false);
  }

  private JooqDaemonLease(Database db, boolean ownConnection) {
    this.db = Objects.requireNonNull(db, "db");
    this.ownConnection = ownConnection;
  }

  /**
   * The lease over the database's own control connection ({@link Database#controlDsl()}), as the
   * daemon uses it: never queued behind the record writes of a fan-out.
   */
  public static JooqDaemonLease onControlConnection(Database db) {
    return new JooqDaemonLease(db, true);
  }

  private DSLContext dsl() {
    return ownConnection ? db.controlDsl() : db.dsl();
  }

  @Override
  public LeaseClaim claim(DaemonInfo daemon, Instant now, Duration staleAfter) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<LeaseClaim> claim = dsl().transactionResult(cfg -> tryClaim(cfg.dsl(), daemon, now, staleAfter));
      if (claim.isPresent()) {
        return claim.get();
      }
    }
    throw new IllegalStateException("the daemon lease changed hands " + ATTEMPTS + " times while "
        + daemon.nodeId() + " claimed it; try again");
  }

  /** The claim's outcome; empty when the lease was taken and released again since the read. */
  private static Optional<LeaseClaim> tryClaim(
      DSLContext tx, DaemonInfo daemon, Instant now, Duration staleAfter) {
    Optional<LeaseHolder> current = find(tx);
    if (current.isPresent() && !current.get().beatAt().plus(staleAfter).isBefore(now)) {
      return Optional.of(new LeaseClaim.Held(current.get()));
    }
    boolean taken = current.isEmpty() ? insert(tx, daemon, now) : takeOver(tx, current.get(), daemon, now);
    if (taken) {
      return Optional.of(new LeaseClaim.Taken(current));
    }
    return find(tx).map(LeaseClaim.Held::new); // another daemon's claim came first
  }

  @Override
  public boolean renew(String nodeId, Instant now) {
    return dsl()
        .update(DAEMON_LEASE)
        .set(DAEMON_LEASE.BEAT_AT, now)
        .where(DAEMON_LEASE.NODE_ID.eq(nodeId))
        .execute() == 1;
  }

  @Override
  public void release(String nodeId) {
    dsl().deleteFrom(DAEMON_LEASE).where(DAEMON_LEASE.NODE_ID.eq(nodeId)).execute();
  }

  @Override
  public Optional<LeaseHolder> holder() {
    return find(dsl());
  }

  private static Optional<LeaseHolder> find(DSLContext ctx) {
    return ctx.select(DAEMON_LEASE.NODE_ID, DAEMON_LEASE.PID, DAEMON_LEASE.HOST,
            DAEMON_LEASE.STARTED_AT, DAEMON_LEASE.BEAT_AT)
        .from(DAEMON_LEASE)
        .fetchOptional()
        .map(JooqDaemonLease::holder);
  }

  private static LeaseHolder holder(Record r) {
    return new LeaseHolder(r.get(DAEMON_LEASE.NODE_ID), r.get(DAEMON_LEASE.PID),
        r.get(DAEMON_LEASE.HOST), r.get(DAEMON_LEASE.STARTED_AT), r.get(DAEMON_LEASE.BEAT_AT));
  }

  /** Takes a free lease; false when another claim inserted its row first. */
  private static boolean insert(DSLContext tx, DaemonInfo daemon, Instant now) {
    return tx.insertInto(DAEMON_LEASE)
        .set(DAEMON_LEASE.LEASE_ID, ROW)
        .set(DAEMON_LEASE.NODE_ID, daemon.nodeId())
        .set(DAEMON_LEASE.PID, daemon.pid())
        .set(DAEMON_LEASE.HOST, daemon.host())
        .set(DAEMON_LEASE.STARTED_AT, daemon.startedAt())
        .set(DAEMON_LEASE.BEAT_AT, now)
        .onConflictDoNothing()
        .execute() == 1;
  }

  /** Takes over the stale lease of {@code stale}; false when another claim (or a renewal) came first. */
  private static boolean takeOver(DSLContext tx, LeaseHolder stale, DaemonInfo daemon, Instant now) {
    return tx.update(DAEMON_LEASE)
        .set(DAEMON_LEASE.NODE_ID, daemon.nodeId())
        .set(DAEMON_LEASE.PID, daemon.pid())
        .set(DAEMON_LEASE.HOST, daemon.host())
        .set(DAEMON_LEASE.STARTED_AT, daemon.startedAt())
        .set(DAEMON_LEASE.BEAT_AT, now)
        .where(DAEMON_LEASE.LEASE_ID.eq(ROW))
        .and(DAEMON_LEASE.NODE_ID.eq(stale.nodeId()))
        .and(DAEMON_LEASE.BEAT_AT.eq(stale.beatAt()))
        .execute() == 1;
  }
}
