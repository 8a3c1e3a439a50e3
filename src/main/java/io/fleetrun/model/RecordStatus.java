package io.fleetrun.model;

/**
 * The status of one invocation record, and of one invocation instance (the seed gives both the
 * same four words).
 */
public enum RecordStatus {
  /** Queued or executing. */
  Running,
  /** A person (or the removal of a periodic job) stopped it. */
  Stopped,
  /** The process ended, with any exit code: finishing is not succeeding. */
  Finished,
  /** Timed out, or could not run at all. */
  Failed;

  public boolean isEnded() {
    return this != Running;
  }
}
