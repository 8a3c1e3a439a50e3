package io.fleetrun.store;

import io.fleetrun.model.ClientToken;
import io.fleetrun.model.ControlRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How the CLI and the daemon talk: request rows the daemon polls, and the daemon's heartbeat
 * row. Works the same when several processes share the database.
 */
public interface ControlChannel extends RequestChannel {

  /** Queues {@code request} for any node; returns its id. */
  long submit(ControlRequest request, Instant now);

  /**
   * Queues {@code request} for any node unless a request with {@code token} is queued already:
   * the unique index on {@code client_token} decides between two senders racing with one token,
   * and the loser reads the winner's row. A request found is a {@link SubmitOnce.Retry} when it
   * has the same kind, payload and {@code caller}, a {@link SubmitOnce.Mismatch} otherwise.
   *
   * @param caller the name of the sender (an HTTP token's name, never its value)
   */
  SubmitOnce submitOnce(ControlRequest request, ClientToken token, String caller, Instant now);

  /**
   * Queues {@code request} for the daemon node {@code node} alone (a stop relayed to the node
   * that runs records of the invocation: only it can kill them); returns its id.
   */
  long submitFor(String node, ControlRequest.Stop request, Instant now);

  /**
   * Takes every request neither taken nor withdrawn, oldest first, marking them taken: one
   * conditional write, so a request is taken at most once and never after it was withdrawn. A
   * daemon node takes the requests for any node and those for itself.
   */
  List<PendingRequest> claimPending(Instant now);

  /**
   * Records the answer to request {@code id} (an invoke id, or an error message) unless it already
   * has one: a take-over of the node that claimed it, a restart, or its CLI's withdrawal may have
   * answered it first, and its CLI may have read that answer; the first answer stays.
   *
   * @return whether this answer was written (false: the request was already answered)
   * @throws java.util.NoSuchElementException when there is no such request
   */
  boolean complete(long id, RequestAnswer answer, Instant now);

  Optional<RequestState> findRequest(long id);

  /**
   * Withdraws request {@code id} (its CLI stopped waiting) unless the daemon already took it: one
   * conditional write, so against {@link #claimPending} exactly one wins. A withdrawn request is
   * never taken, and gives its clientToken up (a retry with it is then a new request: the
   * withdrawn one never ran). Withdrawing twice is {@link Withdrawal.Withdrawn} both times.
   *
   * @throws java.util.NoSuchElementException when there is no such request
   */
  Withdrawal withdraw(long id, Instant now);

  /** Inserts or refreshes the heartbeat row of {@code daemon}. */
  void heartbeat(DaemonInfo daemon, Instant now);

  /** Removes the heartbeat row of {@code nodeId} (on a clean stop). */
  void removeHeartbeat(String nodeId);

  /** The heartbeat row refreshed most recently, if any. */
  Optional<Heartbeat> latestHeartbeat();

  /**
   * Notes on the heartbeat row of {@code nodeId} when the config now in force was read (at
   * start). Does nothing when the row is gone.
   */
  void recordConfigLoaded(String nodeId, Instant loadedAt);

  /**
   * Keeps {@code result} as the last reload of {@code nodeId}; an applied one also becomes the
   * config's load time. Does nothing when the row is gone.
   */
  void recordReload(String nodeId, ReloadResult result);

  /** When the config in force in daemon {@code nodeId} was read, if it said so. */
  Optional<Instant> configLoadedAt(String nodeId);

  /** The last reload attempt of daemon {@code nodeId}, if it tried one since it started. */
  Optional<ReloadResult> lastReload(String nodeId);

  /**
   * Answers every request a previous daemon took but never answered (it died while carrying
   * them out) as refused with {@code reason}, so no CLI waits for them. Returns how many. On a
   * cluster: only the requests of this node id or of nodes not alive; a live node answers its own.
   */
  int refuseUnanswered(String reason, Instant now);
}
