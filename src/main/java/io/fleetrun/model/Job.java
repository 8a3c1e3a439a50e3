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
 * @param misfire what to do with fire times missed while the daemon was down (periodic jobs and
 *     one-time jobs with an at-time)
 * @param overlap what a periodic fire does on an instance whose previous record still runs
 * @param controls how many targets each invocation (or periodic fire) reaches at once, and after
 *     how many errors it stops starting more
 */
public record Job(
    JobId id,
    CommandId command,
    Targets targets,
    RepeatMode repeat,
    Optional<Frequency> frequency,
    Map<String, String> parameters,
    MisfirePolicy misfire,
    OverlapPolicy overlap,
    ConcurrencyControls controls) {
  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(repeat, "repeat");
    Objects.requireNonNull(frequency, "frequency");
    parameters = Map.copyOf(parameters);
    Objects.requireNonNull(misfire, "misfire");
    Objects.requireNonNull(overlap, "overlap");
    Objects.requireNonNull(controls, "controls");
  }

  /** A job without concurrency controls. */
  public Job(
      JobId id,
      CommandId command,
      Targets targets,
      RepeatMode repeat,
      Optional<Frequency> frequency,
      Map<String, String> parameters,
      MisfirePolicy misfire,
      OverlapPolicy overlap) {
    this(id, command, targets, repeat, frequency, parameters, misfire, overlap, ConcurrencyControls.NONE);
  }

  /** A job with the default policies: misfire {@code run-once}, overlap {@code skip}. */
  public Job(
      JobId id,
      CommandId command,
      Targets targets,
      RepeatMode repeat,
      Optional<Frequency> frequency,
      Map<String, String> parameters) {
    this(id, command, targets, repeat, frequency, parameters, MisfirePolicy.RUN_ONCE, OverlapPolicy.SKIP);
  }
}
