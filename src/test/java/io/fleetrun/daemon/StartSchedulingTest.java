package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.store.ClusterNode;
import io.fleetrun.store.Database;
import io.fleetrun.store.DatabaseClock;
import io.fleetrun.store.JdbcNodeQueries;
import io.fleetrun.store.NodeRegistry;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A starting cluster node applies its config to the shared schedule only when no other live node
 * runs a file with other content; nodes registered in daemon_node on PostgreSQL, read as the
 * daemon reads them. Live means a fresh beat by the database's clock, whatever the nodes' clocks
 * say.
 */
class StartSchedulingTest {
  private static final Instant T0 = Instant.parse("2026-12-02T07:00:00.000Z");
  private static final Clock SLOW = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60));

  @TempDir Path dir;
  private StoreBackend.Place place;
  private Database db;

  @BeforeEach
  void open() {
    place = StoreBackend.POSTGRESQL.newPlace(dir);
    db = Database.open(place.settings());
  }

  @AfterEach
  void close() {
    db.close();
    place.close();
  }

  private NodeRegistry register(String id, String digest, Instant at) {
    NodeRegistry node = new NodeRegistry(db, new NodeRegistry.NodeInfo(id, "host-" + id, 100, "test", digest, at));
    node.register(pid -> true);
    return node;
  }

  private List<ClusterNode> nodes() {
    return new JdbcNodeQueries(db).nodes();
  }

  @Test
  void aNodeAppliesItsFileAloneOrBesideNodesOfTheSameFile() {
    register("node-a", "digest-1", T0);
    register("node-b", "digest-1", T0);

    assertThat(StartScheduling.deferTo(nodes(), "node-b", "digest-1")).isEmpty();
    assertThat(StartScheduling.deferTo(nodes(), "node-a", "digest-1")).isEmpty();
  }

  @Test
  void aNodeDefersToALiveNodeOfAnotherFileButNotToAStoppedOrSilentOne() {
    NodeRegistry a = register("node-a", "digest-new", T0);
    register("node-c", "digest-other", T0);
    silentFor("node-c", Duration.ofSeconds(60));
    register("node-b", "digest-old", T0);

    assertThat(StartScheduling.deferTo(nodes(), "node-b", "digest-old"))
        .map(ClusterNode::nodeId).contains("node-a");

    a.stopped();
    assertThat(StartScheduling.deferTo(nodes(), "node-b", "digest-old")).isEmpty();
  }

  /**
   * Whether the other node is live is judged by the database's clock: a node whose clock runs a
   * minute behind, beating now, is live (by the clocks of the system, its beat would be a minute
   * old); once silent past the failover window by the database's clock, it is not.
   */
  @Test
  void whetherAnotherNodeIsLiveIsJudgedByTheDatabasesClock() {
    register("node-a", "digest-new", SLOW.instant());
    register("node-b", "digest-old", T0);

    assertThat(StartScheduling.deferTo(nodes(), "node-b", "digest-old"))
        .map(ClusterNode::nodeId).contains("node-a");
    assertThat(nodes()).filteredOn(n -> n.nodeId().equals("node-a")).singleElement()
        .satisfies(n -> assertThat(n.beatAge()).isLessThan(NodeRegistry.FAILOVER_WINDOW));

    silentFor("node-a", NodeRegistry.FAILOVER_WINDOW.plusSeconds(5));
    assertThat(StartScheduling.deferTo(nodes(), "node-b", "digest-old")).isEmpty();
  }

  private void silentFor(String node, Duration age) {
    db.dsl().execute("UPDATE daemon_node SET beat_at = " + DatabaseClock.agoText(age) + " WHERE node_id = ?", node);
  }
}
