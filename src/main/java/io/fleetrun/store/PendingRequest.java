package io.fleetrun.store;

import io.fleetrun.model.ControlRequest;

/** A request taken by the daemon. */
public record PendingRequest(long id, ControlRequest request) {}
