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
 * @param marker shows in the command line and environment of the run's process group leader on
 *     the target, so crash recovery can find it again and prove it is this run
 */
public record ExecutionRequest(
    String label,
    Instance instance,
    String script,
    Optional<String> workingDir,
    Duration timeout,
    ProcessMarker marker) {
  public ExecutionRequest {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(script, "script");
    Objects.requireNonNull(workingDir, "workingDir");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(marker, "marker");
  }

  /** A run that belongs to no record: its marker is {@link ProcessMarker#ANONYMOUS}. */
  public ExecutionRequest(
      String label, Instance instance, String script, Optional<String> workingDir, Duration timeout) {
    this(label, instance, script, workingDir, timeout, ProcessMarker.ANONYMOUS);
  }
}
