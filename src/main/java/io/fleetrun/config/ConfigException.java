package io.fleetrun.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config file was refused; carries every problem found, not just the first. */
public final class ConfigException extends RuntimeException {
  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(
        problems.size() + " problem(s) in config:\n"
            + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
