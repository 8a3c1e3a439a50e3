package io.fleetrun.store;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import java.util.Objects;
import java.util.Optional;

/**
 * Which records of one invocation a page holds, at most {@code limit}.
 *
 * <p>With {@code history}, every record, newest (highest record id) first, the page starting
 * below {@code afterRecord}. Without, the latest record (highest repeat number) of each
 * instance, by instance id, the page starting after {@code afterInstance}: each instance shows
 * once however many fires happen while a reader pages, since the page follows instance ids,
 * not the records that keep coming.
 *
 * @param status records of this status (without history: instances whose latest record has it)
 */
public record RecordPageFilter(
    InvokeId invokeId,
    Optional<InstanceId> instance,
    Optional<RecordStatus> status,
    boolean history,
    Optional<Long> afterRecord,
    Optional<InstanceId> afterInstance,
    int limit) {
  public RecordPageFilter {
    Objects.requireNonNull(invokeId, "invokeId");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }
}
