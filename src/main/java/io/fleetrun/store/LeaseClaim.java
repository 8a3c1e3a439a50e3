package io.fleetrun.store;

import java.util.Objects;
import java.util.Optional;

/** What {@link DaemonLease#claim} found. */
public sealed interface LeaseClaim {

  /** The lease is ours now; {@code previous} is the stale holder it was taken from, if any. */
  record Taken(Optional<LeaseHolder> previous) implements LeaseClaim {
    public Taken {
      Objects.requireNonNull(previous, "previous");
    }
  }

  /** Another daemon renewed the lease recently: it is taken to be alive. */
  record Held(LeaseHolder holder) implements LeaseClaim {
    public Held {
      Objects.requireNonNull(holder, "holder");
    }
  }
}
