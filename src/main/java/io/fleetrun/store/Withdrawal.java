package io.fleetrun.store;

import java.time.Instant;
import java.util.Objects;

/** What became of a CLI's attempt to withdraw its request ({@link ControlChannel#withdraw}). */
public sealed interface Withdrawal {
  /** Withdrawn: the daemon had not taken it and never will. */
  record Withdrawn() implements Withdrawal {}

  /** Too late: the daemon took it at {@code takenAt} and has not answered yet. */
  record Taken(Instant takenAt) implements Withdrawal {
    public Taken {
      Objects.requireNonNull(takenAt, "takenAt");
    }
  }

  /** Too late: the daemon has answered it meanwhile. */
  record Answered(RequestAnswer answer) implements Withdrawal {
    public Answered {
      Objects.requireNonNull(answer, "answer");
    }
  }
}
