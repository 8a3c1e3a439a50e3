package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.store.Database;
import io.fleetrun.store.NodeRegistry;
import io.fleetrun.testing.MigratedPostgres;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fleetrun status} on a PostgreSQL cluster: every node, and a loud line when configs differ. */
class StatusNodesTest {
  private static final Instant T0 = Instant.parse("2026-12-02T07:00:00.000Z");
  private MigratedPostgres pg;
  private Database db;

  @BeforeEach
  void open() {
    pg = MigratedPostgres.open("status");
    db = pg.db();
  }

  @AfterEach
  void close() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void everyNodeIsListedAndLiveNodesWithDifferentConfigsAreWarnedAbout() {
    node("n1", "host-a", "aaaaaaaaaaaaaaaa11", T0).beat(T0.plusSeconds(1), "aaaaaaaaaaaaaaaa11");
    node("n2", "host-b", "bbbbbbbbbbbbbbbb22", T0);
    node("n3", "host-c", "aaaaaaaaaaaaaaaa11", T0).stopped(T0.plusMillis(500));

    StatusReport report = StatusCommand.read(db, T0.plusSeconds(3));
    String text = StatusText.text(report);

    assertThat(text).contains("cluster nodes: 3 (2 live)")
        .containsPattern("n1 +host-a +1 +test +2s ago +live +0 +aaaaaaaaaaaa")
        .containsPattern("n2 +host-b +2 +test +3s ago +live +0 +bbbbbbbbbbbb")
        .containsPattern("n3 +host-c +3 +test .*stopped 2026-12-02T07:00:00.500Z")
        .contains("WARNING: live nodes run different config files (aaaaaaaaaaaa, bbbbbbbbbbbb)");
    @SuppressWarnings("unchecked")
    Map<String, Object> json = StatusText.json(report);
    assertThat(json).containsEntry("config_digests_differ", true);
    assertThat((java.util.List<?>) json.get("nodes")).hasSize(3);

    // Once the odd one is silent past the failover window, it is no longer a live divergence.
    String later = StatusText.text(StatusCommand.read(db, T0.plus(NodeRegistry.FAILOVER_WINDOW).plusSeconds(1)));
    assertThat(later).contains("silent (no beat for 15s+)").doesNotContain("WARNING");
  }

  private NodeRegistry node(String id, String host, String digest, Instant at) {
    NodeRegistry registry = new NodeRegistry(db, new NodeRegistry.NodeInfo(id, host,
        Long.parseLong(id.substring(1)), "test", digest, at));
    registry.register(at, pid -> false);
    return registry;
  }
}
