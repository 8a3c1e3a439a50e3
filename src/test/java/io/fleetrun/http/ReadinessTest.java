package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.testing.LogLines;
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
