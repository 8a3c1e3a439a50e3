package io.fleetrun.config;

import io.fleetrun.config.YamlNode.Mark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem of one config file, so the operator sees them all in one go. */
final class Problems {
  private final Path file;
  private final List<ConfigProblem> found = new ArrayList<>();

  Problems(Path file) {
    this.file = file;
  }

  void add(Mark mark, String key, String message) {
    found.add(new ConfigProblem(file, mark.line(), mark.column(), key, message));
  }

  void add(YamlNode node, String key, String message) {
    add(node.mark(), key, message);
  }

  int count() {
    return found.size();
  }

  /** Throws every problem found, in file order. */
  void throwIfAny() {
    if (!found.isEmpty()) {
      List<ConfigProblem> sorted = new ArrayList<>(found);
      sorted.sort(
          Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
      throw new ConfigException(sorted);
    }
  }
}
