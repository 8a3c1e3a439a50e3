package io.fleetrun.http;

import io.fleetrun.model.HttpSettings.Role;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/me}: who the server takes the caller for, as {@link Guard} decided it, so a
 * client (the web console) shows only what the caller's role may do: {@code {"name": token name,
 * "role": "reader"|"operator"}}, the name {@code null} on a server without tokens (every request
 * an anonymous reader).
 */
final class CallerApi {
  private CallerApi() {}

  /** The route, for any valid token; it takes no query parameter. */
  static List<Route> routes() {
    return List.of(Route.get(ReadApi.PREFIX + "/me", Role.READER, CallerApi::me));
  }

  private static void me(Context ctx) {
    BearerTokens.Caller caller = Guard.caller(ctx).orElseThrow(); // a reader route: the Guard decided one
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", caller.token().orElse(null));
    body.put("role", caller.role().configName());
    ApiServer.json(ctx, 200, body);
  }
}
