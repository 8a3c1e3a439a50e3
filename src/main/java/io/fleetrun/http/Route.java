package io.fleetrun.http;

import io.fleetrun.model.HttpSettings.Role;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One row of the route table: a method and path, the role a caller needs (empty: no token
 * needed, like the health checks), the query parameters it takes and the handler. {@link Guard}
 * checks the role before the handler runs, then any query parameter not in {@code params} is
 * refused (400) before the handler runs; the handler reads the others from {@link Params#of}.
 * The same list is what the OpenAPI document must declare (OpenApiTest). A GET also answers HEAD
 * (behind the same check); a POST does not.
 */
record Route(HandlerType method, String path, Optional<Role> needs, List<String> params, Handler handler) {
  Route {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(needs, "needs");
    params = List.copyOf(params);
    Objects.requireNonNull(handler, "handler");
  }

  /** A GET that needs no token and takes no query parameter. */
  static Route open(String path, Handler handler) {
    return new Route(HandlerType.GET, path, Optional.empty(), List.of(), handler);
  }

  /** A GET for {@code needs} that takes no query parameter. */
  static Route get(String path, Role needs, Handler handler) {
    return get(path, needs, List.of(), handler);
  }

  /** A GET for {@code needs} taking the query parameters {@code params}. */
  static Route get(String path, Role needs, List<String> params, Handler handler) {
    return new Route(HandlerType.GET, path, Optional.of(needs), params, handler);
  }

  /** A POST for {@code needs} that takes no query parameter (its input is a JSON body: {@link JsonBody}). */
  static Route post(String path, Role needs, Handler handler) {
    return new Route(HandlerType.POST, path, Optional.of(needs), List.of(), handler);
  }
}
