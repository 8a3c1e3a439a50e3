package io.fleetrun.http;

import io.fleetrun.store.RequestAnswer;

/**
 * A daemon's refusal of a run or stop as an API error. The daemon answers a request with its
 * reason in words (control_request.error, the same text the CLI prints); the code is read off
 * the start of those words, so a reason this table does not know is still answered, as {@code
 * RequestRefused}, with its words.
 */
final class Refusals {
  private Refusals() {}

  static ApiException of(RequestAnswer.Refused refused) {
    String why = refused.error();
    if (refused.withdrawn()) {
      return notRun();
    }
    if (why.startsWith("no command ")) {
      return new ApiException(400, "InvalidCommandId.NotFound", why);
    }
    if (why.startsWith("no instance matches ")) {
      return new ApiException(400, "InvalidTarget.NoMatch", why);
    }
    if (why.startsWith("no instance ") || why.matches("invocation \\S+ has no instance .*")) {
      return new ApiException(400, "InvalidInstanceId.NotFound", why);
    }
    if (why.startsWith("no invocation ")) {
      return new ApiException(404, "InvalidInvokeId.NotFound", why);
    }
    if (why.startsWith("command '")) {
      return new ApiException(400, "InvalidParameters", why);
    }
    if (why.equals("the daemon is shutting down")) {
      return new ApiException(503, "ServiceUnavailable", why + "; it did not run");
    }
    if (why.startsWith("the daemon ")) {
      return new ApiException(500, "InternalError", why);
    }
    return new ApiException(400, "RequestRefused", why);
  }

  /** No daemon took the request within the wait and it was withdrawn: it never runs. */
  static ApiException notRun() {
    return new ApiException(503, "ServiceUnavailable",
        "no daemon took the request in time; it was withdrawn and will not run: send it again");
  }
}
