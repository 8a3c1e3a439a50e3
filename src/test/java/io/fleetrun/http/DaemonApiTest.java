package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.NodeRegistry;
import io.fleetrun.store.ReloadResult;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/daemon} over real HTTP on a real database: what {@code fleetrun status} shows,
 * in camelCase. A real daemon's own answer is checked in DaemonHttpTest.
 */
class DaemonApiTest {
  @TempDir Path dir;

  @Test
  void withoutAHeartbeatNoDaemonIsAliveAndEveryFieldIsStillThere() {
    try (ApiRig rig = new ApiRig(StoreBackend.SQLITE, dir)) {
      ApiRig.Answer answer = rig.read("/api/v1/daemon");
      assertThat(answer.status()).isEqualTo(200);
      JsonNode d = answer.json();
      assertThat(d.path("database").asText()).isEqualTo("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
      assertThat(Instant.parse(d.path("now").asText())).isBetween(Instant.now().minusSeconds(60), Instant.now());
      assertThat(d.path("alive").asBoolean(true)).isFalse();
      for (String absent : new String[] {"heartbeat", "uptimeSeconds", "lastReload"}) {
        assertThat(d.path(absent).isNull()).as(absent).isTrue();
      }
      assertThat(d.path("jobs").isArray()).isTrue();
      assertThat(d.path("jobs")).isEmpty();
      assertThat(d.path("runningRecords").toString()).isEqualTo("{\"count\":0,\"waiting\":0,\"newest\":[]}");
      assertThat(d.path("pendingRequests").asInt(-1)).isZero();
      assertThat(d.path("nodes").isArray()).isTrue();
      assertThat(d.path("nodes")).isEmpty(); // SQLite: one daemon, shown by its heartbeat
      assertThat(d.path("divergentDigests").isArray()).isTrue();
      assertThat(d.path("divergentDigests")).isEmpty();
    }
  }

  @Test
  void onSqliteItShowsTheDaemonOfTheHeartbeatItsLastReloadAndItsRunningRecords() {
    try (ApiRig rig = new ApiRig(StoreBackend.SQLITE, dir)) {
      Instant now = Instant.now();
      JooqControlChannel control = JooqControlChannel.onControlConnection(rig.db, "node-a");
      control.heartbeat(new DaemonInfo("node-a", 4242, "host-a", "1.2.3", "/etc/fleetrun/fleetrun.yaml",
          now.minusSeconds(3600)), now);
      control.recordReload("node-a", new ReloadResult(now.minusSeconds(60), false, "fleetrun.yaml:3:5: jobs[0]: bad\nsecond"));
      rig.once("inv-1", Optional.of("nightly"), "disk", ApiRig.T0, RecordStatus.Running, RecordStatus.Finished);

      JsonNode d = rig.read("/api/v1/daemon").json();

      assertThat(d.path("alive").asBoolean()).isTrue();
      JsonNode beat = d.path("heartbeat");
      assertThat(beat.path("nodeId").asText()).isEqualTo("node-a");
      assertThat(beat.path("pid").asLong()).isEqualTo(4242);
      assertThat(beat.path("host").asText()).isEqualTo("host-a");
      assertThat(beat.path("version").asText()).isEqualTo("1.2.3");
      assertThat(beat.path("configFile").asText()).isEqualTo("/etc/fleetrun/fleetrun.yaml");
      assertThat(beat.path("startedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(beat.path("ageSeconds").asLong(-1)).isBetween(0L, 5L);
      assertThat(d.path("uptimeSeconds").asLong()).isBetween(3600L, 3660L);
      assertThat(d.path("lastReload").path("result").asText()).isEqualTo("refused");
      assertThat(d.path("lastReload").path("message").asText()).isEqualTo("fleetrun.yaml:3:5: jobs[0]: bad\nsecond");
      JsonNode running = d.path("runningRecords");
      assertThat(running.path("count").asInt()).isEqualTo(1);
      assertThat(running.path("waiting").asInt()).isZero();
      assertThat(running.path("newest")).hasSize(1);
      assertThat(running.path("newest").get(0).toString()).isEqualTo("{\"invokeId\":\"inv-1\",\"instanceId\":\"a\","
          + "\"jobId\":\"nightly\",\"state\":\"running\",\"startTime\":\"2026-11-28T07:10:03.123Z\","
          + "\"scheduledAt\":\"2026-11-28T07:10:03.123Z\"}");
      assertThat(d.path("nodes")).isEmpty();
    }
  }

  @Test
  void onPostgresqlEveryNodeIsListedWithItsStateBeatAgeAndConfigDigest() {
    try (ApiRig rig = new ApiRig(StoreBackend.POSTGRESQL, dir)) {
      Instant now = Instant.now();
      node(rig, "n1", "aaaaaaaaaaaaaaaa11", now).beat("aaaaaaaaaaaaaaaa11");
      node(rig, "n2", "bbbbbbbbbbbbbbbb22", now).beat("bbbbbbbbbbbbbbbb22");
      node(rig, "n3", "aaaaaaaaaaaaaaaa11", now).stopped();

      JsonNode d = rig.read("/api/v1/daemon").json();

      JsonNode nodes = d.path("nodes");
      assertThat(nodes).hasSize(3);
      assertThat(nodes.findValuesAsText("nodeId")).containsExactly("n1", "n2", "n3");
      assertThat(nodes.findValuesAsText("state")).containsExactly("live", "live", "stopped");
      assertThat(nodes.findValuesAsText("configDigest"))
          .containsExactly("aaaaaaaaaaaaaaaa11", "bbbbbbbbbbbbbbbb22", "aaaaaaaaaaaaaaaa11");
      assertThat(nodes.get(0).path("beatAgeSeconds").asLong(-1)).isBetween(0L, 5L);
      assertThat(nodes.get(0).path("pid").asLong()).isEqualTo(1);
      assertThat(nodes.get(2).path("stoppedAt").isNull()).isFalse();
      assertThat(nodes.get(0).path("declaredDeadBy").isNull()).isTrue();
      assertThat(d.path("divergentDigests").toString()).isEqualTo("[\"aaaaaaaaaaaaaaaa11\",\"bbbbbbbbbbbbbbbb22\"]");
      assertThat(d.path("database").asText()).startsWith("jdbc:postgresql://").doesNotContain("password");
    }
  }

  @Test
  void aReaderTokenIsNeededAndNoQueryParameterIsTaken() {
    try (ApiRig rig = new ApiRig(StoreBackend.SQLITE, dir)) {
      ApiRig.Answer none = rig.get("/api/v1/daemon", null);
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.wwwAuthenticate()).contains("Bearer");
      assertThat(rig.get("/api/v1/daemon", "Bearer not-a-token-0123456789").status()).isEqualTo(401);
      assertThat(rig.read("/api/v1/daemon").status()).isEqualTo(200);
      assertThat(rig.get("/api/v1/daemon", "Bearer " + ApiRig.OPERATOR).status()).isEqualTo(200);
      ApiRig.Answer refused = rig.read("/api/v1/daemon?maxResults=5");
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.code()).isEqualTo("InvalidParameter.maxResults");
    }
  }

  private static NodeRegistry node(ApiRig rig, String id, String digest, Instant at) {
    NodeRegistry registry = new NodeRegistry(rig.db, new NodeRegistry.NodeInfo(id, "host-" + id,
        Long.parseLong(id.substring(1)), "test", digest, at));
    registry.register(pid -> false);
    return registry;
  }
}
