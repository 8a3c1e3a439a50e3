package io.fleetrun.store;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import java.util.OptionalLong;

/** A record that a previous daemon left Running, with what is needed to find its remote process. */
public record OrphanedRecord(
    RecordId id, InvokeId invokeId, InstanceId instance, OptionalLong processGroup) {}
