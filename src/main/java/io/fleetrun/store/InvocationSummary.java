package io.fleetrun.store;

import io.fleetrun.model.Invocation;
import io.fleetrun.model.RecordStatus;
import java.util.Map;

/** An invocation with how many of its instances are in each status. */
public record InvocationSummary(Invocation invocation, Map<RecordStatus, Integer> instanceCounts) {
  public InvocationSummary {
    instanceCounts = Map.copyOf(instanceCounts);
  }
}
