package io.fleetrun.model;

/** The overall status of an invocation, derived from its instance statuses. */
public enum InvocationStatus {
  Running,
  Stopped,
  Finished,
  Failed,
  PartialFailed;

  public boolean isEnded() {
    return this != Running;
  }
}
