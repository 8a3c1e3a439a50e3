package io.fleetrun.http;

/**
 * A request the API refuses, answered as JSON {@code {"code": ..., "message": ...}} with {@link
 * #status}. The message goes to the client: it names what was wrong, never a token.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  /** 400 for query parameter {@code name}: {@code InvalidParameter.<name>}. */
  static ApiException badParameter(String name, String message) {
    return new ApiException(400, "InvalidParameter." + name, "query parameter " + name + " " + message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
