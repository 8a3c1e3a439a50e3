package io.fleetrun.model;

/** Why a record did not end in success; stored by name in {@code invocation_record.error_code}. */
public enum ErrorCode {
  /** The process ended with a non-zero exit code. */
  ExitCodeNonzero,
  /** The process was killed by a signal that fleetrun did not send. */
  ExitSignal,
  /** The command timeout passed; the remote process group was ended. */
  ExecutionTimeout,
  /** The target refused the TCP connection. */
  ConnectionRefused,
  /** No TCP connection or SSH handshake within {@code ssh.connectTimeout}. */
  ConnectTimeout,
  /** The host name did not resolve or the network is unreachable. */
  HostUnreachable,
  /** The target rejected every credential offered. */
  AuthFailed,
  /** The target's host key differs from the one in known_hosts. */
  HostKeyMismatch,
  /** The target's host key is not in known_hosts and the policy is strict. */
  HostKeyUnknown,
  /** The connection broke before the process reported its end. */
  ConnectionLost,
  /** The daemon stopped (or died) while the record was running. */
  ExecutionInterrupted,
  /** A credential reference could not be read (missing env variable or file). */
  CredentialUnavailable,
  /**
   * The daemon could not start the record: handing it to SSH failed (error_info names the
   * cause); the script did not run.
   */
  DispatchFailed,
  /**
   * More records of the invocation (of the fire, for a periodic job) ended in error than its
   * {@code maxErrors} allows, so this one was not started (detail Cancelled); error_info says
   * how many failed of how many allowed.
   */
  MaxErrorsExceeded,
  /** Anything else that prevented the run; error_info says what. */
  InternalError
}
