package io.fleetrun.http;

import io.fleetrun.model.HttpSettings;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides whether a request may use a route: no token needed (health), or a
 * known bearer token whose role covers the route's. A denial is 401 (missing or unknown token,
 * with {@code WWW-Authenticate: Bearer}) or 403 (a role too small), and is logged with the
 * method, path, remote address and the token's name when known, never a token value (at most
 * {@link DenialLog#PER_MINUTE} lines a minute).
 */
final class Guard {
  private static final Logger log = LoggerFactory.getLogger(Guard.class);
  private static final String CALLER = Guard.class.getName() + ".caller";

  private final BearerTokens tokens;
  private final DenialLog denials;

  Guard(BearerTokens tokens, DenialLog denials) {
    this.tokens = tokens;
    this.denials = denials;
  }

  /**
   * Returns when {@code ctx} may use {@code route}, with the caller it decided on kept on {@code
   * ctx} for the handler ({@link #caller}); throws the refusal otherwise.
   */
  void check(Route route, Context ctx) {
    if (route.needs().isEmpty()) {
      return;
    }
    if (tokens.open() && !loopbackHost(ctx.header("Host"))) {
      // No tokens: loopback only. A web page that got its own name resolved to 127.0.0.1 (DNS
      // rebinding) reads same-origin to the browser, which sends that name as Host.
      if (denials.admit()) {
        log.warn("http denied {} {} from {}: Host {} is not a loopback address, and no token is configured",
            ctx.method(), printable(ctx.path()), ctx.ip(), printable(String.valueOf(ctx.header("Host"))));
      }
      throw new ApiException(403, "Forbidden", "without tokens this server answers only requests"
          + " addressed to a loopback name (Host: 127.0.0.1, localhost or [::1])");
    }
    // Only one: with two, the daemon read the first while a proxy or a log may take the last.
    int given = Collections.list(ctx.req().getHeaders("Authorization")).size();
    Optional<BearerTokens.Caller> caller = given > 1 ? Optional.empty() : tokens.caller(ctx.header("Authorization"));
    if (caller.isEmpty()) {
      String why = given == 0 ? "no bearer token"
          : given > 1 ? "more than one Authorization header" : "not a known bearer token";
      if (denials.admit()) {
        log.warn("http denied {} {} from {}: {}", ctx.method(), printable(ctx.path()), ctx.ip(), why);
      }
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiException(401, "Unauthorized", "this needs a valid bearer token (Authorization: Bearer TOKEN)");
    }
    if (!caller.get().role().covers(route.needs().get())) {
      if (denials.admit()) {
        log.warn("http denied {} {} from {}: token {} has role {}, this needs {}", ctx.method(),
            printable(ctx.path()), ctx.ip(), caller.get().name(), caller.get().role().configName(),
            route.needs().get().configName());
      }
      throw new ApiException(403, "Forbidden", "token " + caller.get().name() + " has role "
          + caller.get().role().configName() + "; this needs " + route.needs().get().configName());
    }
    ctx.attribute(CALLER, caller.get());
  }

  /**
   * The caller {@link #check} let through on {@code ctx}: empty on a route that needs no token
   * (nobody was asked for one).
   */
  static Optional<BearerTokens.Caller> caller(Context ctx) {
    return Optional.ofNullable(ctx.attribute(CALLER));
  }

  /** Whether a Host header names a loopback address or {@code localhost} (no header: HTTP/1.0, not a browser). */
  static boolean loopbackHost(String host) {
    if (host == null) {
      return true;
    }
    String name = host.strip();
    if (name.startsWith("[")) {
      int end = name.indexOf(']');
      name = end < 0 ? "" : name.substring(1, end);
    } else if (name.indexOf(':') >= 0) {
      name = name.substring(0, name.indexOf(':'));
    }
    return !name.isEmpty() && HttpSettings.isLoopback(name);
  }

  /** {@code text} with control characters escaped, so a request cannot forge log lines. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 300));
    for (int i = 0; i < text.length() && i < 300; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
          ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }
}
