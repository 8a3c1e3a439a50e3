package io.fleetrun.observe;

import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvokeId;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads an invocation and its record counts from the database for a webhook's body. Called on a
 * webhook's own thread, never on a run's.
 */
@FunctionalInterface
public interface InvocationReader {
  /** The invocation and how many of its records are in each state. */
  record Summary(Invocation invocation, long pending, long running, long finished, long failed, long stopped) {
    public Summary {
      Objects.requireNonNull(invocation, "invocation");
    }
  }

  /** Empty when the invocation is not (or no longer) in the database. May throw when it cannot be read. */
  Optional<Summary> find(InvokeId id);

  /** Reads nothing: bodies carry only what the event says. */
  InvocationReader NONE = id -> Optional.empty();
}
