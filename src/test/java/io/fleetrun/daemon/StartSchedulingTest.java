package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.store.ClusterNode;
import io.fleetrun.store.Database;
import io.fleetrun.store.JdbcNodeQueries;
import io.fleetrun.store.NodeRegistry;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A starting cluster node applies its config to the shared schedule only when no other live node
 * runs a file with other content; nodes registered in daemon_node on PostgreSQL, read as the
 * daemon reads them.
 */
class StartSchedulingTest {
  private static final Instant T0 = Instant.parse("2026-12-02T07:00:00.000Z");

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
    node.register(at, pid -> true);
    return node;
  }

  private List<ClusterNode> nodes() {
    return new JdbcNodeQueries(db).nodes();
  }

  @Test
  void aNodeAppliesItsFileAloneOrBesideNodesOfTheSameFile() {
    register("node-a", "digest-1", T0);
    register("node-b", "digest-1", T0);

    assertThat(StartScheduling.deferTo(nodes(), "node-b", "digest-1", T0.plusSeconds(1))).isEmpty();
    assertThat(StartScheduling.deferTo(nodes(), "node-a", "digest-1", T0.plusSeconds(1))).isEmpty();
  }

  @Test
  void aNodeDefersToALiveNodeOfAnotherFileButNotToAStoppedOrSilentOne() {
    NodeRegistry a = register("node-a", "digest-new", T0);
    register("node-c", "digest-other", T0.minusSeconds(60)); // silent for a minute
    register("node-b", "digest-old", T0);

    assertThat(StartScheduling.deferTo(nodes(), "node-b", "digest-old", T0.plusSeconds(1)))
        .map(ClusterNode::nodeId).contains("node-a");

    a.stopped(T0.plusSeconds(2));
    assertThat(StartScheduling.deferTo(nodes(), "node-b", "digest-old", T0.plusSeconds(3))).isEmpty();
  }
}
