package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.DaemonStatus;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.NodeRegistry;
import io.fleetrun.testing.MigratedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code fleetrun status} on a PostgreSQL cluster: every node, and a loud line when configs differ;
 * beat ages and states by the database's clock.
 */
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
    node("n1", "host-a", "aaaaaaaaaaaaaaaa11", T0).beat("aaaaaaaaaaaaaaaa11");
    pg.setBeatAgo("n1", Duration.ofSeconds(2));
    node("n2", "host-b", "bbbbbbbbbbbbbbbb22", T0);
    pg.setBeatAgo("n2", Duration.ofSeconds(4));
    node("n3", "host-c", "aaaaaaaaaaaaaaaa11", T0).stopped();

    DaemonStatus report = StatusCommand.read(db, Instant.now());
    String text = StatusText.text(report);

    assertThat(text).contains("cluster nodes: 3 (2 live)")
        .containsPattern("n1 +host-a +1 +test +[23]s ago +live +0 +aaaaaaaaaaaa")
        .containsPattern("n2 +host-b +2 +test +[45]s ago +live +0 +bbbbbbbbbbbb")
        .containsPattern("n3 +host-c +3 +test .*stopped 20\\d\\d-\\d\\d-\\d\\dT")
        .contains("WARNING: live nodes run different config files (aaaaaaaaaaaa, bbbbbbbbbbbb)");
    @SuppressWarnings("unchecked")
    Map<String, Object> json = StatusText.json(report);
    assertThat(json).containsEntry("config_digests_differ", true);
    assertThat((java.util.List<?>) json.get("nodes")).hasSize(3);

    // Once the odd one is silent past the failover window, it is no longer a live divergence.
    pg.setBeatAgo("n2", NodeRegistry.FAILOVER_WINDOW.plusSeconds(1));
    String later = StatusText.text(StatusCommand.read(db, Instant.now()));
    assertThat(later).contains("silent (no beat for 15s+)").doesNotContain("WARNING");
  }

  /**
   * A node whose clock runs a minute behind the database's, beating now, read by a CLI whose clock
   * runs a minute ahead: by their clocks the beat would be two minutes old and the node silent.
   */
  @Test
  void beatAgesAndStatesAreTheDatabaseClocksWhateverTheNodeAndTheCliClocksSay() {
    Clock slow = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60));
    Clock fast = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(60));
    node("n1", "host-a", "aaaaaaaaaaaaaaaa11", slow.instant()).beat("aaaaaaaaaaaaaaaa11");
    node("n2", "host-b", "aaaaaaaaaaaaaaaa11", slow.instant());
    pg.setBeatAgo("n2", NodeRegistry.FAILOVER_WINDOW.plusSeconds(5));

    DaemonStatus report = StatusCommand.read(db, fast.instant());

    assertThat(StatusText.text(report)).contains("cluster nodes: 2 (1 live)")
        .containsPattern("n1 +host-a +1 +test +[0-4]s ago +live ")
        .containsPattern("n2 +host-b +2 +test +2[0-4]s ago +silent ");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> nodes = (List<Map<String, Object>>) StatusText.json(report).get("nodes");
    assertThat(nodes).extracting(n -> n.get("node_id") + " " + n.get("state") + " " + n.get("beat_age_seconds"))
        .hasSize(2).first().asString().matches("n1 live [0-4]");
  }

  /**
   * The daemon's heartbeat row, written by a node whose clock runs a minute behind the database's
   * and read by a CLI whose clock runs a minute ahead: by their clocks it would be two minutes old
   * and the daemon not running.
   */
  @Test
  void theDaemonsHeartbeatIsWrittenAndJudgedByTheDatabasesClock() {
    Clock slow = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60));
    Clock fast = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(60));
    JooqControlChannel.onControlConnection(db, "n1").heartbeat(
        new DaemonInfo("n1", 1, "host-a", "test", "/etc/fleetrun.yaml", slow.instant()), slow.instant());

    DaemonStatus report = StatusCommand.read(db, fast.instant());

    assertThat(report.alive()).isTrue();
    assertThat(StatusText.text(report)).containsPattern("alive \\(heartbeat [0-4]s ago\\)");
  }

  private NodeRegistry node(String id, String host, String digest, Instant at) {
    NodeRegistry registry = new NodeRegistry(db, new NodeRegistry.NodeInfo(id, host,
        Long.parseLong(id.substring(1)), "test", digest, at));
    registry.register(pid -> false);
    return registry;
  }
}
