package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.HttpSettings;
import io.fleetrun.store.ReadConnections;
import io.fleetrun.testing.LogLines;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz} and {@code /readyz} over real HTTP, with a database that goes away. */
class ReadinessTest {
  @TempDir Path dir;

  @Test
  void readyWhileTheDatabaseAnswersAndTheSchedulerRuns() {
    try (ApiRig rig = new ApiRig(StoreBackend.SQLITE, dir)) {
      ApiRig.Answer ready = rig.get("/readyz", null);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().toString())
          .isEqualTo("{\"status\":\"ready\",\"database\":\"ok\",\"scheduler\":\"running\"}");

      rig.schedulerRunning.set(false);
      ApiRig.Answer standby = rig.get("/readyz", null);
      assertThat(standby.status()).isEqualTo(503);
      assertThat(standby.json().path("scheduler").asText()).isEqualTo("not running");
      assertThat(standby.json().path("database").asText()).isEqualTo("ok");
      assertThat(rig.get("/healthz", null).status()).isEqualTo(200);
    }
  }

  /**
   * A database server that accepts connections and never answers (a hung PostgreSQL): readiness
   * answers 503 after its probe's bound instead of hanging.
   */
  @Test
  void notReadyWhenTheDatabaseDoesNotAnswer() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ReadConnections hung = new ReadConnections() {
        @Override
        public String jdbcUrl() {
          return "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/fleetrun";
        }

        @Override
        public <T> T withConnection(Work<T> work) throws SQLException {
          try (Connection c = DriverManager.getConnection(jdbcUrl() + "?connectTimeout=20&socketTimeout=20", "x", "")) {
            return work.on(c);
          }
        }
      };
      Health health = new Health(hung, () -> true);
      ApiServer server = ApiServer.start(new HttpSettings("127.0.0.1", 0, List.of()),
          BearerTokens.read(List.of(), Map.<String, String>of()::get), health.routes(), List.of(health));
      try {
        HttpClient client = HttpClient.newHttpClient();
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"database\":\"not answering\"");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isGreaterThanOrEqualTo(Health.PROBE_WAIT.minusMillis(100)).isLessThan(Duration.ofSeconds(15));
      } finally {
        server.close();
      }
    }
  }

  @Test
  void notReadyOnceTheDatabaseIsClosedAndTheLogSaysWhyOnce() {
    try (ApiRig rig = new ApiRig(StoreBackend.SQLITE, dir); LogLines log = LogLines.of("io.fleetrun.http")) {
      rig.db.close();
      ApiRig.Answer a = rig.get("/readyz", null);
      assertThat(a.status()).isEqualTo(503);
      assertThat(a.json().path("status").asText()).isEqualTo("not ready");
      assertThat(a.json().path("database").asText()).isEqualTo("not answering");
      assertThat(rig.get("/readyz", null).status()).isEqualTo(503);
      assertThat(rig.get("/healthz", null).status()).isEqualTo(200);
      assertThat(log.containing("http readiness: not ready (database:")).hasSize(1);
    }
  }
}
