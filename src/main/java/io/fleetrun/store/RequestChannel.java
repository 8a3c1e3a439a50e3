package io.fleetrun.store;

import io.fleetrun.model.ControlRequest;
import java.time.Instant;
import java.util.Optional;

/**
 * The CLI's side of the {@link ControlChannel}: is a daemon alive, send a request, read its
 * answer, withdraw it. {@link CliRequests} does it in plain JDBC, so {@code run} and {@code stop}
 * load neither jOOQ nor a connection pool before their request is in the database.
 */
public interface RequestChannel {

  /** Queues {@code request}; returns its id. */
  long submit(ControlRequest request, Instant now);

  Optional<RequestState> findRequest(long id);

  /** As {@link ControlChannel#withdraw}. */
  Withdrawal withdraw(long id, Instant now);

  /** The most recent heartbeat row (of any daemon on this database). */
  Optional<Heartbeat> latestHeartbeat();
}
