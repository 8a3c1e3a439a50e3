package io.fleetrun.model;

/** What a record's status means in detail, so a user can tell success from failure. */
public enum DetailStatus {
  /** Queued: waiting for a session slot or for the connection. */
  Pending,
  /** The remote process is running. */
  Running,
  /** Ended with exit code 0. */
  Success,
  /** Ended with a non-zero exit code. */
  Failed,
  /** Killed by fleetrun after the command timeout. */
  Timeout,
  /** Could not run: connection, authentication or host key problem. */
  Error,
  /** Stopped by a person before or while it ran. */
  Cancelled,
  /** The remote process ended by a signal fleetrun did not send, or the daemon ended it. */
  Terminated
}
