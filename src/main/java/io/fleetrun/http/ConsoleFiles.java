package io.fleetrun.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The web console: {@code GET /} (its page) and {@code GET /console/{file}} (its script and
 * style), static files of the jar ({@code io/fleetrun/http/console/}) read once at start. The
 * files need no token (they hold no data; every call the page makes for data does). Only the
 * names of {@link #FILES} are served, looked up in a map, never joined to a path, so no request
 * reaches another file. Each answer carries a strict Content-Security-Policy (scripts and styles
 * of this origin only, no framing), {@code nosniff} and no referrer.
 */
final class ConsoleFiles {
  static final String INDEX = "index.html";
  /** The files under {@code /console/}, with their content types. */
  static final Map<String, String> FILES = Map.of(
      "console.js", "text/javascript; charset=utf-8",
      "events.js", "text/javascript; charset=utf-8",
      "render.js", "text/javascript; charset=utf-8",
      "console.css", "text/css; charset=utf-8");
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  private static final String RESOURCES = "console/";

  private final byte[] index;
  private final Map<String, byte[]> files;

  private ConsoleFiles(byte[] index, Map<String, byte[]> files) {
    this.index = index;
    this.files = files;
  }

  /** Reads the page and its files from the jar. */
  static ConsoleFiles read() {
    Map<String, byte[]> files = new java.util.HashMap<>();
    FILES.keySet().forEach(name -> files.put(name, resource(name)));
    return new ConsoleFiles(resource(INDEX), Map.copyOf(files));
  }

  List<Route> routes() {
    return List.of(
        Route.open("/", ctx -> send(ctx, "text/html; charset=utf-8", index)),
        Route.open("/console/{file}", this::file));
  }

  private void file(Context ctx) {
    String name = ctx.pathParam("file");
    byte[] body = files.get(name);
    if (body == null) {
      throw new ApiException(404, "NotFound", "no console file " + Guard.printable(name));
    }
    send(ctx, FILES.get(name), body);
  }

  private static void send(Context ctx, String contentType, byte[] body) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    // Small files, and a new jar must show at once: the browser asks again each time.
    ctx.header("Cache-Control", "no-cache");
    ctx.status(200).contentType(contentType).result(body);
  }

  private static byte[] resource(String name) {
    try (InputStream in = ConsoleFiles.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("the jar has no " + RESOURCES + name + " beside " + ConsoleFiles.class.getName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
