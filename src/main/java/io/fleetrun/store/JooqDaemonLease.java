package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.DAEMON_LEASE;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * {@link DaemonLease} over the one-row {@code daemon_lease} table. Every transaction of {@link
 * Database} begins IMMEDIATE, so a claim reads and writes under the write lock: of two daemons
 * claiming at once, the second sees the first one's row.
 */
public final class JooqDaemonLease implements DaemonLease {
  private static final int ROW = 1;

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
    return dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      Optional<LeaseHolder> current = find(tx);
      if (current.isPresent() && !current.get().beatAt().plus(staleAfter).isBefore(now)) {
        return new LeaseClaim.Held(current.get());
      }
      tx.deleteFrom(DAEMON_LEASE).execute();
      insert(tx, daemon.nodeId(), daemon.pid(), daemon.host(), daemon.startedAt(), now);
      return new LeaseClaim.Taken(current);
    });
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

  private static void insert(
      DSLContext tx, String nodeId, long pid, String host, Instant startedAt, Instant now) {
    tx.insertInto(DAEMON_LEASE)
        .set(DAEMON_LEASE.LEASE_ID, ROW)
        .set(DAEMON_LEASE.NODE_ID, nodeId)
        .set(DAEMON_LEASE.PID, pid)
        .set(DAEMON_LEASE.HOST, host)
        .set(DAEMON_LEASE.STARTED_AT, startedAt)
        .set(DAEMON_LEASE.BEAT_AT, now)
        .execute();
  }
}
