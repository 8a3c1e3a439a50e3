package io.fleetrun.store;

import io.fleetrun.model.InvocationRecord;
import java.util.Optional;

/**
 * A record as the HTTP API shows it.
 *
 * @param node the cluster node that ran it; empty on records older than schema version 13
 */
public record RecordView(InvocationRecord record, Optional<String> node) {}
