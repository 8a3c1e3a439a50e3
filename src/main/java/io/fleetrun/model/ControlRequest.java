package io.fleetrun.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** A request from the CLI to the daemon, passed through the database. */
public sealed interface ControlRequest {

  /**
   * Start an ad-hoc one-time invocation of {@code command}, reaching its targets as {@code
   * controls} allow.
   */
  record Run(CommandId command, List<InstanceId> instances, Set<String> tags, Map<String, String> parameters,
      ConcurrencyControls controls)
      implements ControlRequest {
    public Run {
      Objects.requireNonNull(command, "command");
      instances = List.copyOf(instances);
      tags = Set.copyOf(tags);
      parameters = Map.copyOf(parameters);
      Objects.requireNonNull(controls, "controls");
    }

    /** A run without concurrency controls. */
    public Run(CommandId command, List<InstanceId> instances, Set<String> tags, Map<String, String> parameters) {
      this(command, instances, tags, parameters, ConcurrencyControls.NONE);
    }
  }

  /** Stop {@code invokeId} on the given instances, or on all of them when the set is empty. */
  record Stop(InvokeId invokeId, Set<InstanceId> instances) implements ControlRequest {
    public Stop {
      Objects.requireNonNull(invokeId, "invokeId");
      instances = Set.copyOf(instances);
    }
  }
}
