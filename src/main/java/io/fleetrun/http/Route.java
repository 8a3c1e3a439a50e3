package io.fleetrun.http;

import io.fleetrun.model.HttpSettings.Role;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.Objects;
import java.util.Optional;

/**
 * One row of the route table: a method and path, the role a caller needs (empty: no token
 * needed, like the health checks) and the handler. {@link Guard} checks the role before the
 * handler runs.
 */
record Route(HandlerType method, String path, Optional<Role> needs, Handler handler) {
  Route {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(needs, "needs");
    Objects.requireNonNull(handler, "handler");
  }

  static Route open(String path, Handler handler) {
    return new Route(HandlerType.GET, path, Optional.empty(), handler);
  }

  static Route get(String path, Role needs, Handler handler) {
    return new Route(HandlerType.GET, path, Optional.of(needs), handler);
  }
}
