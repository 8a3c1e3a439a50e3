package io.fleetrun.invoke;

/** Why fleetrun ended a running record early. */
public enum StopReason {
  /** A person asked for it (CLI stop, or removal of a periodic job): the record is Stopped. */
  USER,
  /** The daemon is shutting down: the record is Failed with ExecutionInterrupted. */
  SHUTDOWN
}
