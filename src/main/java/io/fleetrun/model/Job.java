package io.fleetrun.model;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Binds a command to targets and a schedule.
 *
 * @param frequency for {@link RepeatMode#Period} a cron or rate; for {@link RepeatMode#Once}
 *     empty (run when the daemon first sees the job) or an at-time
 * @param parameters values of placeholders; they win over the command's defaults
 */
public record Job(
    JobId id,
    CommandId command,
    Targets targets,
    RepeatMode repeat,
    Optional<Frequency> frequency,
    Map<String, String> parameters) {
  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(repeat, "repeat");
    Objects.requireNonNull(frequency, "frequency");
    parameters = Map.copyOf(parameters);
  }
}
