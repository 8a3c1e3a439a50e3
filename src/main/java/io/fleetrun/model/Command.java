package io.fleetrun.model;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A shell script with {@code {{name}}} placeholders.
 *
 * @param workingDir directory the script starts in on the target; the login directory if empty
 * @param parameters default values of placeholders
 */
public record Command(
    CommandId id,
    String content,
    Optional<String> workingDir,
    Duration timeout,
    Map<String, String> parameters) {
  /** Timeout when the config names none. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public Command {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(workingDir, "workingDir");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    parameters = Map.copyOf(parameters);
  }
}
