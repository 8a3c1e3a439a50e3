package io.fleetrun.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.HttpSettings;
import io.fleetrun.store.ControlChannel;
import io.fleetrun.store.EventLog;
import io.fleetrun.store.JdbcInvocationViews;
import io.fleetrun.store.JdbcStatusQueries;
import io.fleetrun.store.ReadConnections;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP server: the route table ({@link Health}, {@link ReadApi}, {@link ConfigApi},
 * {@link DaemonApi}, {@link CallerApi}, {@link WriteApi}, the web console's {@link ConsoleFiles}) behind
 * {@link Guard}, on Javalin and Jetty, answering JSON, errors included ({@code {"code", "message"}}).
 * Started once the database and the scheduler are up, closed before the database closes.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Javalin app;
  /** Where it listens, the port picked included. */
  private final String address;
  private final List<AutoCloseable> parts;
  private final List<Route> routes;
  private boolean closed;

  private ApiServer(Javalin app, String address, List<AutoCloseable> parts, List<Route> routes) {
    this.app = app;
    this.address = address;
    this.parts = parts;
    this.routes = List.copyOf(routes);
  }

  /**
   * Reads the tokens and starts listening where {@code settings} says, on the daemon's route table.
   *
   * @throws IllegalStateException when a token cannot be read or the address cannot be bound
   */
  public static ApiServer start(HttpSettings settings, DaemonSide daemon) {
    BearerTokens tokens = BearerTokens.read(settings.tokens(), daemon.environment());
    ReadConnections database = daemon.database();
    Health health = new Health(database, daemon.schedulerRunning());
    EventStream events = new EventStream(new EventLog(database), EventStream.Settings.defaults());
    List<Route> routes = routes(health, database, daemon.metrics().route(settings.metricsPublic()), daemon.fleet(),
        daemon.clock(), events);
    routes.addAll(writes(database, daemon.control(), daemon.clock(), WriteApi.ANSWER_WAIT));
    return start(settings, tokens, routes, List.of(events, health));
  }

  /** The daemon's route table of reads (with {@link #writes}, the one its OpenAPI document describes). */
  static List<Route> routes(Health health, ReadConnections database, Route metrics, Supplier<Fleet> fleet,
      Clock clock, EventStream events) {
    List<Route> routes = new ArrayList<>(health.routes());
    routes.add(metrics);
    routes.add(OpenApiDocument.route());
    routes.addAll(new ReadApi(new JdbcInvocationViews(database)).routes());
    routes.addAll(new ConfigApi(fleet, new JdbcStatusQueries(database)).routes());
    routes.addAll(new DaemonApi(database, clock).routes());
    routes.addAll(CallerApi.routes());
    routes.add(events.route());
    routes.addAll(ConsoleFiles.read().routes());
    return routes;
  }

  /** The daemon's routes of writes: run and stop requests on {@code control}, waited for {@code answerWait}. */
  static List<Route> writes(ReadConnections database, ControlChannel control, Clock clock, Duration answerWait) {
    return new WriteApi(control, new JdbcInvocationViews(database), clock, answerWait).routes();
  }

  /** Starts the server on {@code routes}: tests add their own rows to the table. */
  static ApiServer start(HttpSettings settings, BearerTokens tokens, List<Route> routes, List<AutoCloseable> parts) {
    Guard guard = new Guard(tokens, new DenialLog(java.time.Clock.systemUTC()));
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = settings.host();
      config.jetty.port = settings.port();
      config.jetty.modifyHttpConfiguration(http -> {
        // Jetty caches header fields per connection and by default matches a cached value
        // ignoring case: after one request with a token, the same token in other case on that
        // connection (a reverse proxy shares its connections between clients) came back as
        // the cached, valid one. Tokens are case-sensitive, so the cache must be too.
        http.setHeaderCacheCaseSensitive(true);
        http.setSendServerVersion(false);
      });
      // Jetty refuses some requests before any route (a bad path, headers too large): JSON too.
      config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrors()));
      for (Route route : routes) {
        Handler guarded = ctx -> {
          guard.check(route, ctx);
          ctx.attribute(Params.class.getName(), new Params(ctx.queryParamMap(), route.params()));
          route.handler().handle(ctx);
        };
        config.routes.addHttpHandler(route.method(), route.path(), guarded);
        if (route.method() == HandlerType.GET) {
          // Left to Javalin, HEAD on a GET route was a 200 that never met the Guard. Jetty
          // sends a HEAD answer's headers only.
          config.routes.addHttpHandler(HandlerType.HEAD, route.path(), guarded);
        }
      }
      config.routes.exception(ApiException.class, (e, ctx) ->
          error(ctx, e.status(), e.code(), e.getMessage()));
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("http {} {} failed", ctx.method(), Guard.printable(ctx.path()), e);
        error(ctx, 500, "InternalError", "the request failed inside the daemon; see its log");
      });
      config.routes.error(404, ctx -> {
        if (!ctx.result().isEmpty() && ctx.res().getContentType() != null
            && ctx.res().getContentType().startsWith("application/json")) {
          return; // an API 404 with its own body (InvalidInvokeId.NotFound)
        }
        error(ctx, 404, "NotFound", "no such path: " + Guard.printable(ctx.path()));
      });
    });
    try {
      app.start();
    } catch (RuntimeException e) {
      try {
        app.stop(); // its threads, started before the bind failed
      } catch (RuntimeException ignored) {
        // the start's failure is the one to report
      }
      parts.forEach(ApiServer::closeQuietly);
      throw new IllegalStateException("http: cannot listen on " + settings.address() + ": " + e.getMessage(), e);
    }
    ApiServer server = new ApiServer(app, new HttpSettings(settings.host(), app.port(), List.of()).address(), parts,
        routes);
    log.info("http API listening on {} ({})", server.address,
        tokens.open() ? "no tokens: open to every local user, as reader" : settings.tokens().size() + " token(s)");
    return server;
  }

  /** The route table it serves. */
  List<Route> routes() {
    return routes;
  }

  /** The port it listens on (the one picked when the settings said 0). */
  public int port() {
    return app.port();
  }

  static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  private static void error(Context ctx, int status, String code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    json(ctx, status, body);
  }

  /** Stops listening; requests in progress are ended. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // The event stream first: its open requests end while Jetty can still end them (after the
    // stop their responses are recycled, and ending them then fails).
    parts.stream().filter(EventStream.class::isInstance).forEach(ApiServer::closeQuietly);
    app.stop();
    parts.stream().filter(p -> !(p instanceof EventStream)).forEach(ApiServer::closeQuietly);
    log.info("http API on {} stopped", address);
  }

  private static void closeQuietly(AutoCloseable part) {
    try {
      part.close();
    } catch (Exception e) {
      log.warn("http: closing {} failed: {}", part, e.getMessage());
    }
  }

  /**
   * Jetty's answer to a request it refuses itself, as {@code {"code", "message"}} instead of an
   * HTML page echoing the request's URI: the standard reason only, nothing of the request.
   */
  private static final class JsonErrors extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message,
        Throwable cause, Callback callback) {
      String reason = HttpStatus.getMessage(code);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", reason.replaceAll("[^A-Za-z]", ""));
      body.put("message", code + " " + reason);
      try {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
      } catch (JsonProcessingException e) {
        callback.failed(e);
      }
    }
  }
}
