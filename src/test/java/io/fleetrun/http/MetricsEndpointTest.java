package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.testing.StoreBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} over real HTTP: behind a reader token, or open when metricsPublic says so. */
class MetricsEndpointTest {
  private static final String TEXT = "# TYPE fleetrun_up gauge\nfleetrun_up 1\n";
  private static final MetricsEndpoint METRICS = new MetricsEndpoint("text/plain; version=0.0.4; charset=utf-8",
      out -> out.write(TEXT.getBytes(StandardCharsets.UTF_8)));

  @TempDir Path dir;

  @Test
  void aScrapeNeedsAReaderTokenByDefault() {
    try (ApiRig api = new ApiRig(StoreBackend.SQLITE, dir, List.of(METRICS.route(false)))) {
      ApiRig.Answer none = api.get("/metrics", null);
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.body()).doesNotContain("fleetrun_up");

      ApiRig.Answer reader = api.get("/metrics", "Bearer " + ApiRig.READER);
      assertThat(reader.status()).isEqualTo(200);
      assertThat(reader.contentType()).startsWith("text/plain; version=0.0.4");
      assertThat(reader.body()).isEqualTo(TEXT);
    }
  }

  @Test
  void metricsPublicOpensTheScrapeAndNothingElse() {
    try (ApiRig api = new ApiRig(StoreBackend.SQLITE, dir, List.of(METRICS.route(true)))) {
      assertThat(api.get("/metrics", null).body()).isEqualTo(TEXT);
      assertThat(api.get("/api/v1/invocations", null).status()).isEqualTo(401);
    }
  }

  @Test
  void aScrapeThatFailsHalfWayIsAnErrorNotACutPage() {
    MetricsEndpoint failing = new MetricsEndpoint("text/plain", out -> {
      out.write("fleetrun_half".getBytes(StandardCharsets.UTF_8));
      throw new IOException("registry broke");
    });
    try (ApiRig api = new ApiRig(StoreBackend.SQLITE, dir, List.of(failing.route(true)))) {
      ApiRig.Answer answer = api.get("/metrics", null);
      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.body()).doesNotContain("fleetrun_half").contains("InternalError");
    }
  }
}
