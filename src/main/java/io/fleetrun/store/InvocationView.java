package io.fleetrun.store;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.RecordStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An invocation as the HTTP API shows it: the row, the command it ran, its parameter values and
 * its instances.
 */
public record InvocationView(
    Invocation invocation, String commandContent, Map<String, String> parameters, List<InstanceView> instances) {
  public InvocationView {
    parameters = Map.copyOf(parameters);
    instances = List.copyOf(instances);
  }

  /** One {@code invocation_instance} row: the instance's status and its counts of fires. */
  public record InstanceView(
      InstanceId instance, RecordStatus status, int repeats, int skipped, Optional<Instant> stoppedAt) {}

  /** Its position in the newest-first order of invocations. */
  public InvocationPageFilter.Position position() {
    return new InvocationPageFilter.Position(invocation.createdAt(), invocation.id());
  }
}
