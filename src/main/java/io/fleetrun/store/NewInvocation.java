package io.fleetrun.store;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RepeatMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An invocation about to be created, with its instances.
 *
 * @param commandContent the command's content before placeholders are filled (kept for audit)
 * @param parameters the effective parameter values (job values over command defaults)
 */
public record NewInvocation(
    InvokeId id,
    Optional<JobId> job,
    CommandId command,
    String commandContent,
    Map<String, String> parameters,
    RepeatMode repeat,
    Optional<Frequency> frequency,
    List<InstanceId> instances,
    Instant createdAt) {
  public NewInvocation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(commandContent, "commandContent");
    parameters = Map.copyOf(parameters);
    Objects.requireNonNull(repeat, "repeat");
    Objects.requireNonNull(frequency, "frequency");
    instances = List.copyOf(instances);
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("an invocation needs at least one instance");
    }
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
