package io.fleetrun.exec;

import io.fleetrun.model.Instance;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One script to run on one instance.
 *
 * @param label names the run in log lines, like {@code t-4kq9z2m7xw1c/web-1}
 * @param script the rendered script (placeholders already filled)
 * @param workingDir directory to start in; the login directory when empty
 * @param timeout after this the remote process group is ended and the outcome is TimedOut
 */
public record ExecutionRequest(
    String label, Instance instance, String script, Optional<String> workingDir, Duration timeout) {
  public ExecutionRequest {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(script, "script");
    Objects.requireNonNull(workingDir, "workingDir");
    Objects.requireNonNull(timeout, "timeout");
  }
}
