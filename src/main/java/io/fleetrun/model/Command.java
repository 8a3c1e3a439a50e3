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
 * @param rules the declared type and pattern of parameters; a placeholder without one is a plain
 *     string ({@link ParameterRule#ANY_STRING})
 */
public record Command(
    CommandId id,
    String content,
    Optional<String> workingDir,
    Duration timeout,
    Map<String, String> parameters,
    Map<String, ParameterRule> rules) {
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
    rules = Map.copyOf(rules);
  }

  /** A command whose parameters are all plain strings. */
  public Command(
      CommandId id,
      String content,
      Optional<String> workingDir,
      Duration timeout,
      Map<String, String> parameters) {
    this(id, content, workingDir, timeout, parameters, Map.of());
  }

  /** The rule of parameter {@code name}: its declared one, else a plain string. */
  public ParameterRule rule(String name) {
    return rules.getOrDefault(name, ParameterRule.ANY_STRING);
  }
}
