package io.fleetrun.store;

import io.fleetrun.model.ControlRequest;

/**
 * A request taken by the daemon.
 *
 * @param relayed whether it was meant for this node alone: a stop another node relayed, for the
 *     records this node runs (see {@link ControlChannel#submitFor})
 */
public record PendingRequest(long id, ControlRequest request, boolean relayed) {
  /** A request meant for any node. */
  public PendingRequest(long id, ControlRequest request) {
    this(id, request, false);
  }
}
