package io.fleetrun.config;

import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a job's {@code misfire:} and {@code overlap:} and checks they fit its schedule: misfire
 * means something for periodic jobs and for one-time jobs with an at-time, overlap only for
 * periodic jobs. Left out, each takes its default from {@link ConfigDefaults}.
 */
final class PolicyRule {
  /** A job's checked policies. */
  record Policies(MisfirePolicy misfire, OverlapPolicy overlap) {}

  private PolicyRule() {}

  /**
   * @param schedule the job's schedule when it was valid; without it only the words are checked
   */
  static Optional<Policies> read(MapReader job, Optional<ScheduleRule.Schedule> schedule) {
    Optional<MisfirePolicy> misfire =
        word(job, "misfire", MisfirePolicy.configNames(), MisfirePolicy::fromConfigName);
    Optional<OverlapPolicy> overlap =
        word(job, "overlap", OverlapPolicy.configNames(), OverlapPolicy::fromConfigName);
    boolean valid =
        job.value("misfire").isPresent() == misfire.isPresent()
            && job.value("overlap").isPresent() == overlap.isPresent();
    if (schedule.isPresent() && schedule.get().repeat() == RepeatMode.Once) {
      if (misfire.isPresent() && schedule.get().frequency().isEmpty()) {
        job.problem(
            "misfire",
            "a one-time job without frequency runs once when the daemon first sees it;"
                + " misfire applies to repeat: Period and to frequency: at(...)");
        valid = false;
      }
      if (overlap.isPresent()) {
        job.problem(
            "overlap",
            "a one-time job runs one record per instance, so nothing can overlap;"
                + " overlap applies to repeat: Period");
        valid = false;
      }
    }
    if (!valid) {
      return Optional.empty();
    }
    return Optional.of(
        new Policies(
            misfire.orElse(ConfigDefaults.MISFIRE), overlap.orElse(ConfigDefaults.OVERLAP)));
  }

  private static <T> Optional<T> word(
      MapReader job, String key, List<String> names, Function<String, Optional<T>> parse) {
    Optional<String> text = job.nonBlankText(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<T> value = parse.apply(text.get());
    if (value.isEmpty()) {
      job.problem(
          key,
          "must be one of %s, got '%s'%s"
              .formatted(
                  String.join(", ", names), text.get(), Suggest.didYouMean(text.get(), names)));
    }
    return value;
  }
}
