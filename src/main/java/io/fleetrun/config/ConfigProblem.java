package io.fleetrun.config;

import java.nio.file.Path;

/**
 * One thing wrong in a config file.
 *
 * @param key the dotted path of the key, like {@code jobs[2].frequency}
 */
public record ConfigProblem(Path file, int line, int column, String key, String message) {
  /** {@code file:line:column: key: message}, the form editors and grep understand. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + key + ": " + message;
  }
}
