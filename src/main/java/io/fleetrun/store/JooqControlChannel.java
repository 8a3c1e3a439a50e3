package io.fleetrun.store;

import static io.fleetrun.store.jooq.Tables.CONTROL_REQUEST;
import static io.fleetrun.store.jooq.Tables.DAEMON_HEARTBEAT;

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
 * {@code withdrawn_at} only where both are empty) is never taken.
 */
public final class JooqControlChannel implements ControlChannel {
  /** The error a withdrawn request is answered with, for SQL readers. */
  static final String WITHDRAWN = "withdrawn by the CLI before the daemon took it; it did not run";

  private final Database db;
  private final boolean ownConnection;

  public JooqControlChannel(Database db) {
    this(db, false);
  }

  private JooqControlChannel(Database db, boolean ownConnection) {
    this.db = Objects.requireNonNull(db, "db");
    this.ownConnection = ownConnection;
  }

  /**
   * The channel over the database's own control connection ({@link Database#controlDsl()}), as the
   * daemon uses it: never queued behind the record writes of a fan-out.
   */
  public static JooqControlChannel onControlConnection(Database db) {
    return new JooqControlChannel(db, true);
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

  @Override
  public List<PendingRequest> claimPending(Instant now) {
    // A read first (along the done_at index: a request neither taken nor withdrawn is not done),
    // so the daemon's frequent polls take the write lock only when there is something to take.
    if (!dsl().fetchExists(CONTROL_REQUEST, CONTROL_REQUEST.DONE_AT.isNull()
        .and(CONTROL_REQUEST.CLAIMED_AT.isNull()).and(CONTROL_REQUEST.WITHDRAWN_AT.isNull()))) {
      return List.of();
    }
    return dsl().transactionResult(cfg -> {
      DSLContext tx = cfg.dsl();
      List<ControlRequestRow> claimed = tx.update(CONTROL_REQUEST)
          .set(CONTROL_REQUEST.CLAIMED_AT, now)
          .where(CONTROL_REQUEST.CLAIMED_AT.isNull())
          .and(CONTROL_REQUEST.WITHDRAWN_AT.isNull())
          .returning()
          .fetch()
          .sortAsc(CONTROL_REQUEST.REQUEST_ID);
      List<PendingRequest> pending = new ArrayList<>();
      for (ControlRequestRow row : claimed) {
        try {
          pending.add(new PendingRequest(
              row.getRequestId(), ControlPayload.read(row.getKind(), row.getPayload())));
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
  public void complete(long id, RequestAnswer answer, Instant now) {
    int updated = dsl()
        .update(CONTROL_REQUEST)
        .set(CONTROL_REQUEST.DONE_AT, now)
        .set(CONTROL_REQUEST.INVOKE_ID,
            answer instanceof RequestAnswer.Done done ? done.invokeId().value() : null)
        .set(CONTROL_REQUEST.ERROR,
            answer instanceof RequestAnswer.Refused refused ? refused.error() : null)
        .where(CONTROL_REQUEST.REQUEST_ID.eq(id))
        .execute();
    if (updated == 0) {
      throw new NoSuchElementException("no control request " + id);
    }
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
    row.put(DAEMON_HEARTBEAT.BEAT_AT, now);
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
    return dsl()
        .selectFrom(DAEMON_HEARTBEAT)
        .orderBy(DAEMON_HEARTBEAT.BEAT_AT.desc())
        .limit(1)
        .fetchOptional()
        .map(JooqControlChannel::heartbeat);
  }

  private static Heartbeat heartbeat(DaemonHeartbeatRow row) {
    return new Heartbeat(
        new DaemonInfo(row.getNodeId(), row.getPid(), row.getHost(), row.getVersion(),
            row.getConfigFile(), row.getStartedAt()),
        row.getBeatAt());
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

  @Override
  public int refuseUnanswered(String reason, Instant now) {
    return dsl().transactionResult(cfg -> cfg.dsl()
        .update(CONTROL_REQUEST)
        .set(CONTROL_REQUEST.DONE_AT, now)
        .set(CONTROL_REQUEST.ERROR, reason)
        .where(CONTROL_REQUEST.CLAIMED_AT.isNotNull())
        .and(CONTROL_REQUEST.DONE_AT.isNull())
        .execute());
  }
}
