package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.testing.MigratedPostgres;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * daemon_node on a real PostgreSQL database: a node id belongs to one live process at a time;
 * a process that stopped, went silent past the failover window, or is gone from this host gives
 * its id up to the next one.
 */
class NodeRegistryTest {
  private static final Instant T0 = Instant.parse("2026-12-02T07:00:00.000Z");
  private MigratedPostgres pg;
  private Database db;

  @BeforeEach
  void open() {
    pg = MigratedPostgres.open("nodes");
    db = pg.db();
  }

  @AfterEach
  void close() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void aSecondLiveProcessWithTheSameNodeIdIsRefusedWithWhoHoldsIt() {
    NodeRegistry first = registry("n1", "host-a", 100, T0);
    assertThat(first.register(T0, pid -> true)).isEqualTo(NodeRegistry.Registered.NEW);
    assertThat(first.beat(T0.plusSeconds(5), "digest-1")).isTrue();

    // Another host: its pid means nothing here, only the fresh beat counts.
    NodeRegistry other = registry("n1", "host-b", 200, T0.plusSeconds(6));
    assertThatThrownBy(() -> other.register(T0.plusSeconds(6), pid -> false))
        .isInstanceOf(NodeRegistry.NodeIdTaken.class)
        .hasMessageContaining("node id 'n1' is in use").hasMessageContaining("pid 100 on host host-a")
        .hasMessageContaining("1000 ms ago").hasMessageContaining("cluster.nodeId");
    // This host, pid still running: refused as well.
    NodeRegistry sameHost = registry("n1", "host-a", 101, T0.plusSeconds(6));
    assertThatThrownBy(() -> sameHost.register(T0.plusSeconds(6), pid -> pid == 100))
        .isInstanceOf(NodeRegistry.NodeIdTaken.class);
    assertThat(rows("SELECT host || ' ' || pid FROM daemon_node")).containsExactly("host-a 100");
    // Another node id is another node.
    assertThat(registry("n2", "host-b", 200, T0).register(T0, pid -> true)).isEqualTo(NodeRegistry.Registered.NEW);
  }

  @Test
  void theIdIsTakenOverWhenItsProcessIsGoneStoppedOrSilent() {
    NodeRegistry first = registry("n1", "host-a", 100, T0);
    first.register(T0, pid -> true);

    // Killed a moment ago on this host (pid gone): a restart takes its row at once.
    NodeRegistry restarted = registry("n1", "host-a", 101, T0.plusSeconds(1));
    assertThat(restarted.register(T0.plusSeconds(1), pid -> false)).isEqualTo(NodeRegistry.Registered.TAKEN_OVER);
    assertThat(first.beat(T0.plusSeconds(2), "d")).as("the old process lost its row").isFalse();
    assertThat(restarted.beat(T0.plusSeconds(2), "d")).isTrue();

    // Stopped cleanly: taken from another host too.
    restarted.stopped(T0.plusSeconds(3));
    assertThat(rows("SELECT stopped_at FROM daemon_node")).containsExactly("2026-12-02T07:00:03.000Z");
    NodeRegistry moved = registry("n1", "host-b", 7, T0.plusSeconds(4));
    assertThat(moved.register(T0.plusSeconds(4), pid -> true)).isEqualTo(NodeRegistry.Registered.TAKEN_OVER);
    assertThat(rows("SELECT host || ' ' || pid || ' ' || COALESCE(stopped_at, '-') FROM daemon_node"))
        .containsExactly("host-b 7 -");

    // Silent past the failover window (another host, so no pid to look at): taken over.
    Instant late = T0.plusSeconds(4).plus(NodeRegistry.FAILOVER_WINDOW).plusMillis(1);
    NodeRegistry after = registry("n1", "host-c", 9, late);
    assertThat(after.register(late, pid -> true)).isEqualTo(NodeRegistry.Registered.TAKEN_OVER);
    assertThat(moved.beat(late, "d")).isFalse();
  }

  @Test
  void registeringNodesRaceOnAFreshIdWithoutAbortingEachOther() throws Exception {
    List<NodeRegistry> racers = List.of(registry("n9", "host-a", 1, T0), registry("n9", "host-b", 2, T0));
    List<Thread> threads = racers.stream().map(r -> new Thread(() -> {
      try {
        r.register(T0, pid -> true);
      } catch (NodeRegistry.NodeIdTaken expected) {
        // the loser
      }
    })).toList();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(rows("SELECT count(*) FROM daemon_node WHERE node_id = 'n9'")).containsExactly("1");
  }

  private NodeRegistry registry(String node, String host, long pid, Instant startedAt) {
    return new NodeRegistry(db, new NodeRegistry.NodeInfo(node, host, pid, "test", "digest", startedAt));
  }

  private List<String> rows(String sql) {
    return db.dsl().fetch(sql).map(r -> String.valueOf(r.get(0)));
  }
}
