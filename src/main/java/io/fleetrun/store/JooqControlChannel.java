package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.CONTROL_REQUEST;
import static io.fleetrun.store.jooq.Tables.DAEMON_HEARTBEAT;
import static io.fleetrun.store.jooq.Tables.DAEMON_NODE;

import io.fleetrun.model.ClientToken;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.jooq.tables.records.ControlRequestRow;
import io.fleetrun.store.jooq.tables.records.DaemonHeartbeatRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * {@link ControlChannel} over jOOQ. A request is claimed by one UPDATE that sets {@code
 * claimed_at} only where it and {@code withdrawn_at} are still empty, so two daemons sharing a
 * database never take the same request, and a request its CLI withdrew (one UPDATE that sets
 * {@code withdrawn_at} only where both are empty) is never taken. On PostgreSQL (READ COMMITTED)
 * the UPDATE takes each row's lock and re-reads the row once a concurrent claim holding it
 * commits: the loser finds {@code claimed_at} set and skips the row, so a request is carried out
 * by exactly one node without a lock held across the poll.
 *
 * <p>A daemon's channel knows its node id ({@link #onControlConnection(Database, String)}): its
 * claims name it ({@code claimed_by}), it also takes the requests meant for it alone ({@code
 * for_node}, see {@link #submitFor}), and at start it refuses only the unanswered requests of its
 * own id or of nodes no longer alive. A channel without node id (the CLI's) takes only requests
 * meant for any node.
 */
public final class JooqControlChannel implements ControlChannel {
  /** The error a withdrawn request is answered with, for SQL readers. */
  static final String WITHDRAWN =
      "withdrawn by its sender (the CLI or the HTTP API) before a daemon took it; it did not run";

  private final Database db;
  private final boolean ownConnection;
  private final String nodeId;

  public JooqControlChannel(Database db) {
    this(db, false, null);
  }

  private JooqControlChannel(Database db, boolean ownConnection, String nodeId) {
    this.db = Objects.requireNonNull(db, "db");
    this.ownConnection = ownConnection;
    this.nodeId = nodeId;
  }

  /**
   * The channel over the database's own control connection ({@link Database#controlDsl()}), as the
   * daemon uses it: never queued behind the record writes of a fan-out. Without node id.
   */
  public static JooqControlChannel onControlConnection(Database db) {
    return new JooqControlChannel(db, true, null);
  }

  /** As {@link #onControlConnection(Database)}, for the daemon node {@code nodeId}. */
  public static JooqControlChannel onControlConnection(Database db, String nodeId) {
    return new JooqControlChannel(db, true, Objects.requireNonNull(nodeId, "nodeId"));
  }

  private DSLContext dsl() {
    return ownConnection ? db.controlDsl() : db.dsl();
  }

  @Override
  public long submit(ControlRequest request, Instant now) {
    return dsl()
        .insertInto(CONTROL_REQUEST)
        .set(CONTROL_REQUEST.KIND, ControlPayload.kind(request))
        .set(CONTROL_REQUEST.PAYLOAD, ControlPayload.write(request))
        .set(CONTROL_REQUEST.CREATED_AT, now)
        .returningResult(CONTROL_REQUEST.REQUEST_ID)
        .fetchSingle()
        .value1();
  }

  /** How often {@link #submitOnce} tries: its row can vanish between insert and read only rarely. */
  private static final int SUBMIT_ONCE_TRIES = 3;

  @Override
  public SubmitOnce submitOnce(ControlRequest request, ClientToken token, String caller, Instant now) {
    Objects.requireNonNull(caller, "caller");
    String kind = ControlPayload.kind(request);
    String payload = ControlPayload.write(request);
    // The row found may be gone by the time it is read: withdrawn (its token given up) or
    // deleted by retention. The next insert then wins, so a few tries always settle it.
    for (int tries = 0; tries < SUBMIT_ONCE_TRIES; tries++) {
      // DO NOTHING: on PostgreSQL a concurrent insert of the token is waited for, then this
      // inserts nothing; the read below (a new statement) sees the winner's committed row. The
      // count, not RETURNING, says who won: on SQLite jOOQ reads the id back as the connection's
      // last inserted rowid, an older row's when this inserted nothing.
      int inserted = dsl()
          .insertInto(CONTROL_REQUEST)
          .set(CONTROL_REQUEST.KIND, kind)
          .set(CONTROL_REQUEST.PAYLOAD, payload)
          .set(CONTROL_REQUEST.CREATED_AT, now)
          .set(CONTROL_REQUEST.CLIENT_TOKEN, token.value())
          .set(CONTROL_REQUEST.CLIENT_CALLER, caller)
          .onConflict(CONTROL_REQUEST.CLIENT_TOKEN)
          .doNothing()
          .execute();
      // The token's row: this sender's when it inserted it (only it withdraws it), else the winner's.
      Optional<ControlRequestRow> found = dsl()
          .selectFrom(CONTROL_REQUEST)
          .where(CONTROL_REQUEST.CLIENT_TOKEN.eq(token.value()))
          .fetchOptional();
      if (found.isPresent()) {
        ControlRequestRow row = found.get();
        if (inserted == 1) {
          return new SubmitOnce.First(row.getRequestId());
        }
        boolean same = row.getKind().equals(kind) && row.getPayload().equals(payload)
            && caller.equals(row.getClientCaller());
        return same ? new SubmitOnce.Retry(row.getRequestId()) : new SubmitOnce.Mismatch(row.getRequestId());
      }
    }
    throw new IllegalStateException("the request with clientToken " + token + " was neither queued nor found in "
        + SUBMIT_ONCE_TRIES + " tries");
  }

  @Override
  public long submitFor(String node, ControlRequest.Stop request, Instant now) {
    return dsl()
        .insertInto(CONTROL_REQUEST)
        .set(CONTROL_REQUEST.KIND, ControlPayload.kind(request))
        .set(CONTROL_REQUEST.PAYLOAD, ControlPayload.write(request))
        .set(CONTROL_REQUEST.CREATED_AT, now)
        .set(CONTROL_REQUEST.FOR_NODE, Objects.requireNonNull(node, "node"))
        .returningResult(CONTROL_REQUEST.REQUEST_ID)
        .fetchSingle()
        .value1();
  }

  /** Requests this channel may take: those for any node, and those for its own node. */
  private org.jooq.Condition forThisNode() {
    return nodeId == null ? CONTROL_REQUEST.FOR_NODE.isNull()
        : CONTROL_REQUEST.FOR_NODE.isNull().or(CONTROL_REQUEST.FOR_NODE.eq(nodeId));
  }

  @Override
  public List<PendingRequest> claimPending(Instant now) {
    // A read first (along the done_at index: a request neither taken nor withdrawn is not done),
    // so the daemon's frequent polls take the write lock only when there is something to take.
    if (!dsl().fetchExists(CONTROL_REQUEST, CONTROL_REQUEST.DONE_AT.isNull()
        .and(CONTROL_REQUEST.CLAIMED_AT.isNull()).and(CONTROL_REQUEST.WITHDRAWN_AT.isNull())
        .and(forThisNode()))) {
      return List.of();
    }
    return dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      // Not done: a stop handed to a node and refused at a restart has done_at but no claimed_at.
      org.jooq.Condition open = CONTROL_REQUEST.CLAIMED_AT.isNull()
          .and(CONTROL_REQUEST.WITHDRAWN_AT.isNull())
          .and(CONTROL_REQUEST.DONE_AT.isNull())
          .and(forThisNode());
      // On PostgreSQL the rows another node is claiming right now are skipped, not waited for: a
      // node stalled in the middle of its claim (a paused VM) must not hold up every other node's
      // poll. The condition is checked again by the UPDATE on the rows it locked.
      org.jooq.Condition which = db.isPostgresql()
          ? CONTROL_REQUEST.REQUEST_ID.in(org.jooq.impl.DSL.select(CONTROL_REQUEST.REQUEST_ID)
              .from(CONTROL_REQUEST).where(open).forUpdate().skipLocked())
          : org.jooq.impl.DSL.noCondition();
      List<ControlRequestRow> claimed = tx.update(CONTROL_REQUEST)
          .set(CONTROL_REQUEST.CLAIMED_AT, now)
          .set(CONTROL_REQUEST.CLAIMED_BY, nodeId)
          .where(open)
          .and(which)
          .returning()
          .fetch()
          .sortAsc(CONTROL_REQUEST.REQUEST_ID);
      List<PendingRequest> pending = new ArrayList<>();
      for (ControlRequestRow row : claimed) {
        try {
          pending.add(new PendingRequest(row.getRequestId(),
              ControlPayload.read(row.getKind(), row.getPayload()), row.getForNode() != null));
        } catch (RuntimeException e) {
          // A row written by hand may not parse; answer it rather than fail every later claim.
          tx.update(CONTROL_REQUEST)
              .set(CONTROL_REQUEST.DONE_AT, now)
              .set(CONTROL_REQUEST.ERROR, "unreadable request: " + e.getMessage())
              .where(CONTROL_REQUEST.REQUEST_ID.eq(row.getRequestId()))
              .execute();
        }
      }
      return pending;
    });
  }

  @Override
  public boolean complete(long id, RequestAnswer answer, Instant now) {
    int updated = dsl()
        .update(CONTROL_REQUEST)
        .set(CONTROL_REQUEST.DONE_AT, now)
        .set(CONTROL_REQUEST.INVOKE_ID,
            answer instanceof RequestAnswer.Done done ? done.invokeId().value() : null)
        .set(CONTROL_REQUEST.ERROR,
            answer instanceof RequestAnswer.Refused refused ? refused.error() : null)
        .where(CONTROL_REQUEST.REQUEST_ID.eq(id))
        .and(CONTROL_REQUEST.DONE_AT.isNull())
        .execute();
    if (updated == 0 && !dsl().fetchExists(CONTROL_REQUEST, CONTROL_REQUEST.REQUEST_ID.eq(id))) {
      throw new NoSuchElementException("no control request " + id);
    }
    return updated == 1;
  }

  @Override
  public Optional<RequestState> findRequest(long id) {
    return dsl()
        .selectFrom(CONTROL_REQUEST)
        .where(CONTROL_REQUEST.REQUEST_ID.eq(id))
        .fetchOptional()
        .map(r -> new RequestState(id, answer(r)));
  }

  @Override
  public Withdrawal withdraw(long id, Instant now) {
    return dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      int withdrawn = tx.update(CONTROL_REQUEST)
          .set(CONTROL_REQUEST.WITHDRAWN_AT, now)
          .set(CONTROL_REQUEST.DONE_AT, now)
          .set(CONTROL_REQUEST.ERROR, WITHDRAWN)
          .set(CONTROL_REQUEST.CLIENT_TOKEN, (String) null)
          .where(CONTROL_REQUEST.REQUEST_ID.eq(id))
          .and(CONTROL_REQUEST.CLAIMED_AT.isNull())
          .and(CONTROL_REQUEST.WITHDRAWN_AT.isNull())
          .execute();
      if (withdrawn == 1) {
        return new Withdrawal.Withdrawn();
      }
      ControlRequestRow row = tx.selectFrom(CONTROL_REQUEST)
          .where(CONTROL_REQUEST.REQUEST_ID.eq(id))
          .fetchOptional()
          .orElseThrow(() -> new NoSuchElementException("no control request " + id));
      if (row.getWithdrawnAt() != null) {
        return new Withdrawal.Withdrawn();
      }
      return answer(row).<Withdrawal>map(Withdrawal.Answered::new)
          .orElseGet(() -> new Withdrawal.Taken(row.getClaimedAt()));
    });
  }

  /**
   * {@code node} is this channel's node, or no live node (daemon_node): a beat at or after {@code
   * aliveSince} is alive.
   */
  private org.jooq.Condition ownOrNotAlive(Field<String> node, Field<Instant> aliveSince) {
    return (nodeId == null ? DSL.falseCondition() : node.eq(nodeId))
        .or(node.notIn(DSL.select(DAEMON_NODE.NODE_ID).from(DAEMON_NODE)
            .where(DAEMON_NODE.STOPPED_AT.isNull())
            .and(DAEMON_NODE.DECLARED_DEAD_AT.isNull())
            .and(DAEMON_NODE.BEAT_AT.ge(aliveSince))));
  }

  private static Optional<RequestAnswer> answer(ControlRequestRow row) {
    if (row.getDoneAt() == null) {
      return Optional.empty();
    }
    if (row.getInvokeId() != null) {
      return Optional.of(new RequestAnswer.Done(new InvokeId(row.getInvokeId())));
    }
    return Optional.of(new RequestAnswer.Refused(Objects.requireNonNullElse(row.getError(), "")));
  }

  @Override
  public void heartbeat(DaemonInfo daemon, Instant now) {
    Map<Field<?>, Object> row = new LinkedHashMap<>();
    row.put(DAEMON_HEARTBEAT.PID, daemon.pid());
    row.put(DAEMON_HEARTBEAT.HOST, daemon.host());
    row.put(DAEMON_HEARTBEAT.VERSION, daemon.version());
    row.put(DAEMON_HEARTBEAT.CONFIG_FILE, daemon.configFile());
    row.put(DAEMON_HEARTBEAT.STARTED_AT, daemon.startedAt());
    // On PostgreSQL by the database's clock, which judges it (see Heartbeat).
    row.put(DAEMON_HEARTBEAT.BEAT_AT,
        db.isPostgresql() ? DatabaseClock.now() : DSL.val(now, DAEMON_HEARTBEAT.BEAT_AT));
    dsl()
        .insertInto(DAEMON_HEARTBEAT)
        .set(DAEMON_HEARTBEAT.NODE_ID, daemon.nodeId())
        .set(row)
        .onConflict(DAEMON_HEARTBEAT.NODE_ID)
        .doUpdate()
        .set(row)
        .execute();
  }

  @Override
  public void removeHeartbeat(String nodeId) {
    dsl().deleteFrom(DAEMON_HEARTBEAT).where(DAEMON_HEARTBEAT.NODE_ID.eq(nodeId)).execute();
  }

  @Override
  public Optional<Heartbeat> latestHeartbeat() {
    Field<Instant> readAt = (db.isPostgresql() ? DatabaseClock.now()
        : DSL.inline((Instant) null, DAEMON_HEARTBEAT.BEAT_AT)).as("read_at");
    return dsl()
        .select(DAEMON_HEARTBEAT.asterisk(), readAt)
        .from(DAEMON_HEARTBEAT)
        .orderBy(DAEMON_HEARTBEAT.BEAT_AT.desc())
        .limit(1)
        .fetchOptional()
        .map(r -> heartbeat(r.into(DAEMON_HEARTBEAT), Optional.ofNullable(r.get(readAt))));
  }

  private static Heartbeat heartbeat(DaemonHeartbeatRow row, Optional<Instant> readAt) {
    return new Heartbeat(
        new DaemonInfo(row.getNodeId(), row.getPid(), row.getHost(), row.getVersion(),
            row.getConfigFile(), row.getStartedAt()),
        row.getBeatAt(), readAt);
  }

  @Override
  public void recordConfigLoaded(String nodeId, Instant loadedAt) {
    dsl()
        .update(DAEMON_HEARTBEAT)
        .set(DAEMON_HEARTBEAT.CONFIG_LOADED_AT, loadedAt)
        .where(DAEMON_HEARTBEAT.NODE_ID.eq(nodeId))
        .execute();
  }

  @Override
  public void recordReload(String nodeId, ReloadResult result) {
    dsl()
        .update(DAEMON_HEARTBEAT)
        .set(DAEMON_HEARTBEAT.LAST_RELOAD_AT, result.at())
        .set(DAEMON_HEARTBEAT.LAST_RELOAD_RESULT, result.result())
        .set(DAEMON_HEARTBEAT.LAST_RELOAD_MESSAGE, result.message())
        .set(DAEMON_HEARTBEAT.CONFIG_LOADED_AT,
            result.applied() ? DSL.val(result.at(), DAEMON_HEARTBEAT.CONFIG_LOADED_AT)
                : DAEMON_HEARTBEAT.CONFIG_LOADED_AT)
        .where(DAEMON_HEARTBEAT.NODE_ID.eq(nodeId))
        .execute();
  }

  @Override
  public Optional<Instant> configLoadedAt(String nodeId) {
    return dsl()
        .select(DAEMON_HEARTBEAT.CONFIG_LOADED_AT)
        .from(DAEMON_HEARTBEAT)
        .where(DAEMON_HEARTBEAT.NODE_ID.eq(nodeId))
        .fetchOptional(DAEMON_HEARTBEAT.CONFIG_LOADED_AT);
  }

  @Override
  public Optional<ReloadResult> lastReload(String nodeId) {
    return dsl()
        .selectFrom(DAEMON_HEARTBEAT)
        .where(DAEMON_HEARTBEAT.NODE_ID.eq(nodeId))
        .and(DAEMON_HEARTBEAT.LAST_RELOAD_AT.isNotNull())
        .fetchOptional()
        .map(row -> new ReloadResult(row.getLastReloadAt(),
            ReloadResult.OK.equals(row.getLastReloadResult()),
            Objects.requireNonNullElse(row.getLastReloadMessage(), "")));
  }

  /**
   * Refuses the claimed, unanswered requests of this node id (its previous process died carrying
   * them out), of no node (claimed before version 14, or by a channel without node id) and of
   * nodes not alive now ({@code daemon_node}: not stopped, not declared dead, beat within {@link
   * ClusterNode#FAILOVER_WINDOW} by the database's clock). A live node's request is left to it: on
   * a cluster another node may be carrying it out right now. Stops handed to this node or to a
   * node not alive that were never taken are refused too. On SQLite no daemon_node row exists, so every earlier daemon's
   * request is refused, as before.
   */
  @Override
  public int refuseUnanswered(String reason, Instant now) {
    // SQLite has no daemon_node rows (one daemon): no beat to judge, the node's clock will do.
    Field<Instant> aliveSince = db.isPostgresql() ? DatabaseClock.ago(ClusterNode.FAILOVER_WINDOW)
        : DSL.val(now.minus(ClusterNode.FAILOVER_WINDOW), DAEMON_NODE.BEAT_AT);
    return dsl().transactionResult(cfg -> cfg.dsl()
        .update(CONTROL_REQUEST)
        .set(CONTROL_REQUEST.DONE_AT, now)
        .set(CONTROL_REQUEST.ERROR, reason)
        .where(CONTROL_REQUEST.DONE_AT.isNull())
        .and(CONTROL_REQUEST.CLAIMED_AT.isNotNull()
            .and(CONTROL_REQUEST.CLAIMED_BY.isNull().or(ownOrNotAlive(CONTROL_REQUEST.CLAIMED_BY, aliveSince)))
            // A stop handed to a node that will never take it: its records were repaired at its
            // restart (this very start, when it is this node) or are taken over by a survivor.
            .or(CONTROL_REQUEST.CLAIMED_AT.isNull().and(CONTROL_REQUEST.WITHDRAWN_AT.isNull())
                .and(CONTROL_REQUEST.FOR_NODE.isNotNull())
                .and(ownOrNotAlive(CONTROL_REQUEST.FOR_NODE, aliveSince))))
        .execute());
  }
}
