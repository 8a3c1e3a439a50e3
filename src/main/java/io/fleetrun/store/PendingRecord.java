package io.fleetrun.store;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.RecordId;
import java.util.Objects;

/**
 * A record written with its fire (Running / Pending, no start time yet), waiting to be handed to
 * SSH.
 */
public record PendingRecord(RecordId id, InstanceId instance, int repeatNo) {
  public PendingRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(instance, "instance");
  }
}
