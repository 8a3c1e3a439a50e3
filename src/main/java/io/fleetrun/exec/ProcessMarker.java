package io.fleetrun.exec;

import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A word put into the command line of a run's process group leader on the target (its {@code $0})
 * and into its environment ({@code FLEETRUN_RUN}), so that a later daemon can prove a live
 * process group is still that run before it signals it: process ids are reused. A record's
 * marker is {@code fleetrun-<invokeId>-<recordId>}; the random invoke id keeps it unique across
 * databases that share targets.
 *
 * @param value letters, digits, {@code .}, {@code _} and {@code -}, starting with {@code fleetrun}
 */
public record ProcessMarker(String value) {
  // Before ANONYMOUS: static fields initialise in order. Safe inside single quotes, as a fixed grep pattern and as one word of a command line.
  private static final Pattern SHAPE = Pattern.compile("fleetrun(-[A-Za-z0-9._-]{1,100})?");

  /** The marker of runs that belong to no record (tests, tools); never used to find a run. */
  public static final ProcessMarker ANONYMOUS = new ProcessMarker("fleetrun");

  /** Name of the environment variable that carries the marker into the run's processes. */
  public static final String ENV = "FLEETRUN_RUN";

  public ProcessMarker {
    Objects.requireNonNull(value, "value");
    if (!SHAPE.matcher(value).matches()) {
      throw new IllegalArgumentException("not a process marker: '" + value + "'");
    }
  }

  /** The marker of record {@code record} of invocation {@code invokeId}. */
  public static ProcessMarker of(InvokeId invokeId, RecordId record) {
    return new ProcessMarker("fleetrun-" + invokeId.value() + "-" + record.value());
  }

  /** Whether this marker names one run (false for {@link #ANONYMOUS}). */
  public boolean isUnique() {
    return !equals(ANONYMOUS);
  }

  @Override
  public String toString() {
    return value;
  }
}
