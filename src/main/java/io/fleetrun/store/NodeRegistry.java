package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.DAEMON_NODE;

import io.fleetrun.store.jooq.tables.records.DaemonNodeRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongPredicate;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * This daemon's row of {@code daemon_node} (PostgreSQL clusters), on the control connection: the
 * node registers at start, beats every second and marks its clean stop. Several daemons run on
 * one database, each under its own node id; two live processes under one id would share Quartz's
 * instance id (each would recover the other's fires as its own), so a second one is refused.
 * Beats and stops are written, and beat ages judged, by the database's clock ({@link
 * DatabaseClock}), never this node's: a node whose clock is off is neither taken for dead nor
 * kept for alive by it.
 */
public final class NodeRegistry {
  /** A node whose beat is older than this is dead: a new process with its id may take its row. */
  public static final Duration FAILOVER_WINDOW = ClusterNode.FAILOVER_WINDOW;

  /** Queries of the database's clock behind one skew reading; the shortest round trip counts. */
  private static final int SKEW_SAMPLES = 5;

  private final Database db;
  private final NodeInfo self;

  /**
   * Who a node is.
   *
   * @param configDigest the {@code ConfigDigest} of the config file it runs
   */
  public record NodeInfo(
      String nodeId, String host, long pid, String version, String configDigest, Instant startedAt) {
    public NodeInfo {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(configDigest, "configDigest");
      Objects.requireNonNull(startedAt, "startedAt");
    }
  }

  /** The process that holds a node id (for the refusal message). */
  public record Holder(String nodeId, String host, long pid, Instant startedAt, Instant beatAt) {}

  /** A start refused: another live process runs under this node id. */
  public static final class NodeIdTaken extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Holder holder;

    NodeIdTaken(Holder holder, Instant dbNow) {
      super(("node id '%s' is in use by a live daemon: pid %d on host %s, started %s, last beat %s"
              + " (%d ms ago). Give each daemon its own cluster.nodeId (or its own"
              + " cluster.nodeIdFile); a daemon that was killed frees its id %d s after its last"
              + " beat.")
          .formatted(holder.nodeId(), holder.pid(), holder.host(), holder.startedAt(),
              holder.beatAt(), Math.max(0, Duration.between(holder.beatAt(), dbNow).toMillis()),
              FAILOVER_WINDOW.toSeconds()));
      this.holder = holder;
    }

    public Holder holder() {
      return holder;
    }
  }

  /** How a registration went. */
  public enum Registered {
    /** No row under this id yet. */
    NEW,
    /** The row of an earlier process under this id (stopped, silent, or gone from this host). */
    TAKEN_OVER
  }

  public NodeRegistry(Database db, NodeInfo self) {
    this.db = Objects.requireNonNull(db, "db");
    this.self = Objects.requireNonNull(self, "self");
  }

  public NodeInfo self() {
    return self;
  }

  /**
   * Registers this node: inserts its row, or takes the row of its id over when the process that
   * held it stopped, went silent for {@link #FAILOVER_WINDOW} by the database's clock, or ran on
   * this host and is gone ({@code alive} says which pids of this host still run). Race-free: the
   * insert is keyed, the take-over reads the row {@code FOR UPDATE}.
   *
   * @throws NodeIdTaken when another live process runs under this node id
   */
  public Registered register(LongPredicate alive) {
    return db.controlDsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      int inserted = tx.insertInto(DAEMON_NODE)
          .set(registration())
          .onConflictDoNothing()
          .execute();
      if (inserted == 1) {
        return Registered.NEW;
      }
      DaemonNodeRow row = tx.selectFrom(DAEMON_NODE)
          .where(DAEMON_NODE.NODE_ID.eq(self.nodeId()))
          .forUpdate()
          .fetchSingle();
      // Read once the row is locked: the beat it is compared with cannot change any more.
      Instant dbNow = tx.select(DatabaseClock.now()).fetchSingle().value1();
      if (isLive(row, dbNow, alive)) {
        throw new NodeIdTaken(new Holder(row.getNodeId(), row.getHost(), row.getPid(),
            row.getStartedAt(), row.getBeatAt()), dbNow);
      }
      tx.update(DAEMON_NODE)
          .set(registration())
          .setNull(DAEMON_NODE.STOPPED_AT)
          .setNull(DAEMON_NODE.DECLARED_DEAD_AT)
          .setNull(DAEMON_NODE.DECLARED_DEAD_BY)
          .where(DAEMON_NODE.NODE_ID.eq(self.nodeId()))
          .execute();
      return Registered.TAKEN_OVER;
    });
  }

  /** This process's row as it registers: a new row, or a taken-over one. */
  private Map<Field<?>, Object> registration() {
    Map<Field<?>, Object> row = new LinkedHashMap<>();
    row.put(DAEMON_NODE.NODE_ID, self.nodeId());
    row.put(DAEMON_NODE.HOST, self.host());
    row.put(DAEMON_NODE.PID, self.pid());
    row.put(DAEMON_NODE.VERSION, self.version());
    row.put(DAEMON_NODE.CONFIG_DIGEST, self.configDigest());
    row.put(DAEMON_NODE.STARTED_AT, self.startedAt());
    row.put(DAEMON_NODE.BEAT_AT, DatabaseClock.now());
    return row;
  }

  /**
   * A process is live under the id unless it stopped cleanly, its beat is older than the
   * failover window at the database's {@code dbNow}, or it ran on this host and its pid is gone (or
   * is this very process: a container restarted with the same pid). A pid on another host means
   * nothing here.
   */
  private boolean isLive(DaemonNodeRow row, Instant dbNow, LongPredicate alive) {
    if (row.getStoppedAt() != null || row.getBeatAt().plus(FAILOVER_WINDOW).isBefore(dbNow)) {
      return false;
    }
    if (row.getHost().equals(self.host())) {
      return row.getPid() != self.pid() && alive.test(row.getPid());
    }
    return true;
  }

  /**
   * Refreshes this node's beat, by the database's clock (and the digest of the config it runs
   * now). Returns false when the row is no longer this process's: another process took the id
   * over after this one went silent for the failover window, or a surviving node declared this
   * one dead (see {@link #declaredDeadBy}); the caller must stop then. A node declared dead never
   * beats again: its records were ended by the survivor, and a fresh beat would make it look
   * alive beside that.
   */
  public boolean beat(String configDigest) {
    return db.controlDsl().update(DAEMON_NODE)
        .set(DAEMON_NODE.BEAT_AT, DatabaseClock.now())
        .set(DAEMON_NODE.CONFIG_DIGEST, configDigest)
        .where(mine())
        .and(DAEMON_NODE.DECLARED_DEAD_AT.isNull())
        .execute() == 1;
  }

  /**
   * The node that declared this process's node dead (and when), if one did; empty when the row is
   * still this process's and alive, or another process took it over.
   */
  public Optional<Declaration> declaredDeadBy() {
    return db.controlDsl().selectFrom(DAEMON_NODE)
        .where(mine())
        .and(DAEMON_NODE.DECLARED_DEAD_AT.isNotNull())
        .fetchOptional(r -> new Declaration(r.getDeclaredDeadBy(), r.getDeclaredDeadAt(), r.getBeatAt()));
  }

  /** This node declared dead by node {@code by} at {@code at}; its last beat was {@code lastBeat}. */
  public record Declaration(String by, Instant at, Instant lastBeat) {}

  /**
   * Marks this node stopped (clean stop), by the database's clock; its row stays, as the node's
   * history. Not once it was declared dead: the row tells what the survivors decided.
   */
  public void stopped() {
    db.controlDsl().update(DAEMON_NODE)
        .set(DAEMON_NODE.STOPPED_AT, DatabaseClock.now())
        .set(DAEMON_NODE.BEAT_AT, DatabaseClock.now())
        .where(mine())
        .and(DAEMON_NODE.DECLARED_DEAD_AT.isNull())
        .execute();
  }

  /**
   * The database's clock ({@code clock_timestamp()}) minus this node's {@code clock}, taken at the
   * middle of the shortest of a few queries' round trips: beats are judged by the database's
   * clock, but Quartz's own clustering (fire times, its check-ins) and the records' times use the
   * nodes' clocks, so the nodes must still agree on the time. Empty on SQLite.
   */
  public Optional<Duration> clockSkew(Clock clock) {
    if (!db.isPostgresql()) {
      return Optional.empty();
    }
    // The sample with the shortest round trip: the first query of a process also loads classes
    // and may wait for the pool, which puts the database's reading late in a long round trip
    // and made a node on the database's own host report a skew of 1.2 s at start under load.
    DSLContext control = db.controlDsl();
    Duration best = null;
    long bestRoundTrip = Long.MAX_VALUE;
    for (int i = 0; i < SKEW_SAMPLES; i++) {
      Instant before = clock.instant();
      Long dbMillis = control
          .select(DSL.field("CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)", Long.class))
          .fetchOne(0, Long.class);
      Instant after = clock.instant();
      long roundTrip = Duration.between(before, after).toMillis();
      if (dbMillis != null && roundTrip < bestRoundTrip) {
        bestRoundTrip = roundTrip;
        best = Duration.ofMillis(dbMillis - (before.toEpochMilli() + roundTrip / 2));
      }
    }
    return Optional.ofNullable(best);
  }

  private org.jooq.Condition mine() {
    return DAEMON_NODE.NODE_ID.eq(self.nodeId())
        .and(DAEMON_NODE.PID.eq(self.pid()))
        .and(DAEMON_NODE.STARTED_AT.eq(self.startedAt()));
  }
}
