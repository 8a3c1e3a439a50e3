package io.fleetrun.invoke;

import io.fleetrun.model.ControlRequest;

/**
 * Hands a stop to another daemon node of a cluster, which runs records of the invocation: only
 * it can kill their remote processes (see {@link Stops}). The daemon queues it as a request for
 * that node alone.
 */
@FunctionalInterface
public interface StopRelay {
  /** A single daemon has no other node: nothing is ever handed on. */
  StopRelay NONE = (node, stop) -> {
    throw new IllegalStateException("no stop relay set, but node " + node + " runs records of " + stop.invokeId());
  };

  void relay(String node, ControlRequest.Stop stop);
}
