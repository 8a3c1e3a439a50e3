package io.fleetrun.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.0 description of the route table, a static file
 * of the jar ({@code io/fleetrun/http/openapi.json}), served without a token: it says what the
 * README says, nothing about this daemon's fleet or data. OpenApiTest keeps it equal to the
 * table: every route, its query parameters and whether it needs a token.
 */
final class OpenApiDocument {
  static final String PATH = ReadApi.PREFIX + "/openapi.json";
  private static final String RESOURCE = "openapi.json";

  private OpenApiDocument() {}

  /** The route serving the document, read once from the jar. */
  static Route route() {
    byte[] document = read();
    return Route.open(PATH, ctx -> ctx.status(200).contentType("application/json").result(document));
  }

  static byte[] read() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the jar has no " + RESOURCE + " beside " + OpenApiDocument.class.getName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
