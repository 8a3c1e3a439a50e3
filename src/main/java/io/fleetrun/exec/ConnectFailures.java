package io.fleetrun.exec;

import io.fleetrun.model.ErrorCode;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/** Turns what MINA reports about a failed connect or login into an error code and a message. */
final class ConnectFailures {
  /** An error code with a message that names the target (and never a secret). */
  record Failure(ErrorCode code, String info) {}

  private ConnectFailures() {}

  /** Why the TCP connection (or the session set-up) to {@code target} failed. */
  static Failure connect(Throwable error, String target) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return new Failure(ErrorCode.HostUnreachable, "cannot resolve host of " + target);
      }
      if (t instanceof NoRouteToHostException) {
        return new Failure(ErrorCode.HostUnreachable, "no route to " + target);
      }
      if (t instanceof SocketTimeoutException) {
        return new Failure(ErrorCode.ConnectTimeout, "TCP connect to " + target + " timed out");
      }
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("unreachable")) {
        return new Failure(ErrorCode.HostUnreachable, target + ": " + t.getMessage());
      }
      if (t instanceof ConnectException || message.contains("connection refused")) {
        return new Failure(ErrorCode.ConnectionRefused, "connection refused by " + target);
      }
    }
    return new Failure(
        ErrorCode.ConnectionLost, "cannot connect to " + target + ": " + describe(error));
  }

  /** Why login to {@code target} failed after the TCP connection was made. */
  static Failure login(Throwable error, String target, String user) {
    String message = String.valueOf(error == null ? null : error.getMessage());
    if (message.contains("No more authentication methods")) {
      return new Failure(
          ErrorCode.AuthFailed, target + " rejected every credential offered for user " + user);
    }
    return new Failure(
        ErrorCode.ConnectionLost, "SSH handshake with " + target + " failed: " + describe(error));
  }

  static String describe(Throwable error) {
    if (error == null) {
      return "unknown error";
    }
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
