package io.fleetrun.invoke;

/** Why fleetrun ended a running record early. */
public enum StopReason {
  /** A person asked for it (CLI stop): the record is Stopped. */
  USER,
  /**
   * Its periodic job, or its instance, was removed from config: the record is Stopped as for a
   * person's stop, but the job is not remembered as stopped by a person.
   */
  REMOVED,
  /** The daemon is shutting down: the record is Failed with ExecutionInterrupted. */
  SHUTDOWN
}
