package io.fleetrun.store;

import io.fleetrun.model.InvokeId;
import java.util.Objects;

/** The daemon's answer to a request. */
public sealed interface RequestAnswer {
  /** Done; for a run request the new invocation, for a stop the stopped one. */
  record Done(InvokeId invokeId) implements RequestAnswer {
    public Done {
      Objects.requireNonNull(invokeId, "invokeId");
    }
  }

  /** Refused, with a message for the operator. */
  record Refused(String error) implements RequestAnswer {
    public Refused {
      Objects.requireNonNull(error, "error");
    }

    /** Whether this is no refusal by a daemon but the answer of a withdrawn request (it never ran). */
    public boolean withdrawn() {
      return error.equals(JooqControlChannel.WITHDRAWN);
    }
  }
}
