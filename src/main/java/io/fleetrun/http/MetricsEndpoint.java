package io.fleetrun.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * {@code GET /metrics}: the daemon's metrics in the Prometheus text format, written by what the
 * daemon gives (the observe package's registry; http does not know it). A reader token is needed
 * unless {@code http.metricsPublic} says the scrape is open.
 *
 * @param contentType the content type of what {@code writer} writes
 * @param writer writes every metric to a stream
 */
public record MetricsEndpoint(String contentType, Writer writer) {
  /** Writes the metrics. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  public MetricsEndpoint {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(writer, "writer");
  }

  Route route(boolean open) {
    return open ? Route.open("/metrics", this::scrape)
        : Route.get("/metrics", io.fleetrun.model.HttpSettings.Role.READER, this::scrape);
  }

  private void scrape(Context ctx) throws IOException {
    // Written whole before it is sent: a scrape that fails half way is a 500, not a cut page.
    ByteArrayOutputStream text = new ByteArrayOutputStream(16_384);
    writer.write(text);
    ctx.status(200).contentType(contentType).result(text.toByteArray());
  }
}
