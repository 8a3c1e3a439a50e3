package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.testing.MigratedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * daemon_node on a real PostgreSQL database: a node id belongs to one live process at a time;
 * a process that stopped, went silent past the failover window, or is gone from this host gives
 * its id up to the next one. Beats are written and judged by the database's clock: the processes'
 * clocks (far off it in some tests) play no part.
 */
class NodeRegistryTest {
  private static final Instant T0 = Instant.parse("2026-12-02T07:00:00.000Z");
  private static final Clock SLOW = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60));
  private static final Clock FAST = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(60));
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

  /**
   * This node and the database share a host and a clock; the first reading's round trip is long
   * (as a process's first query is: class loading, the pool's first connection), here 2 s. The
   * middle of that round trip is 1 s off the moment the database read its clock: a single
   * reading reported a skew of ~1 s and a false warning at every start under load.
   */
  @Test
  void aSlowFirstRoundTripIsNotTakenForASkewedClock() {
    Clock firstCallTwoSecondsEarly = new Clock() {
      private final java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);

      @Override
      public Instant instant() {
        Instant now = Clock.systemUTC().instant();
        return first.getAndSet(false) ? now.minusSeconds(2) : now;
      }

      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        throw new UnsupportedOperationException();
      }
    };
    NodeRegistry registry = registry("n1", "host-a", 100, T0);

    assertThat(registry.clockSkew(firstCallTwoSecondsEarly)).hasValueSatisfying(skew ->
        assertThat(skew.abs()).isLessThan(Duration.ofMillis(300)));
    assertThat(registry.clockSkew(SLOW)).hasValueSatisfying(skew ->
        assertThat(skew.minusSeconds(60).abs()).isLessThan(Duration.ofMillis(300)));
  }

  @Test
  void aSecondLiveProcessWithTheSameNodeIdIsRefusedWithWhoHoldsIt() {
    NodeRegistry first = registry("n1", "host-a", 100, T0);
    assertThat(first.register(pid -> true)).isEqualTo(NodeRegistry.Registered.NEW);
    assertThat(first.beat("digest-1")).isTrue();
    pg.setBeatAgo("n1", Duration.ofSeconds(1));

    // Another host: its pid means nothing here, only the fresh beat counts.
    NodeRegistry other = registry("n1", "host-b", 200, T0.plusSeconds(6));
    assertThatThrownBy(() -> other.register(pid -> false))
        .isInstanceOf(NodeRegistry.NodeIdTaken.class)
        .hasMessageContaining("node id 'n1' is in use").hasMessageContaining("pid 100 on host host-a")
        .hasMessageMatching("(?s).*\\([1-9]\\d{3} ms ago\\).*").hasMessageContaining("cluster.nodeId");
    // This host, pid still running: refused as well.
    NodeRegistry sameHost = registry("n1", "host-a", 101, T0.plusSeconds(6));
    assertThatThrownBy(() -> sameHost.register(pid -> pid == 100))
        .isInstanceOf(NodeRegistry.NodeIdTaken.class);
    assertThat(rows("SELECT host || ' ' || pid FROM daemon_node")).containsExactly("host-a 100");
    // Another node id is another node.
    assertThat(registry("n2", "host-b", 200, T0).register(pid -> true)).isEqualTo(NodeRegistry.Registered.NEW);
  }

  /**
   * The holder's clock runs a minute behind the database's, or the newcomer's a minute ahead:
   * judged by either process's clock the holder's beat would look a minute old and its id would
   * be taken from it while it runs.
   */
  @ParameterizedTest(name = "holder clock {0} s, newcomer clock {1} s off the database's")
  @CsvSource({"-60, 0", "0, 60"})
  void aLiveHolderKeepsItsIdWhateverTheProcessesClocksSay(long holderOffset, long newcomerOffset) {
    Clock holderClock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(holderOffset));
    Clock newcomerClock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(newcomerOffset));
    NodeRegistry holder = registry("n1", "host-a", 100, holderClock.instant());
    holder.register(pid -> true);
    assertThat(holder.beat("digest")).isTrue();

    NodeRegistry newcomer = registry("n1", "host-b", 200, newcomerClock.instant());
    assertThatThrownBy(() -> newcomer.register(pid -> true))
        .isInstanceOf(NodeRegistry.NodeIdTaken.class)
        .hasMessageContaining("pid 100 on host host-a")
        .as("the beat's age by the database's clock").hasMessageMatching("(?s).*\\(\\d{1,4} ms ago\\).*");
    assertThat(holder.beat("digest")).as("the holder keeps its row").isTrue();
    assertThat(rows("SELECT host || ' ' || pid FROM daemon_node")).containsExactly("host-a 100");
  }

  @Test
  void aHolderSilentPastTheWindowByTheDatabasesClockLosesItsIdToANewcomerWithASlowClock() {
    NodeRegistry holder = registry("n1", "host-a", 100, FAST.instant());
    holder.register(pid -> true);
    pg.setBeatAgo("n1", NodeRegistry.FAILOVER_WINDOW.plusSeconds(5));

    NodeRegistry newcomer = registry("n1", "host-b", 200, SLOW.instant());
    assertThat(newcomer.register(pid -> true)).isEqualTo(NodeRegistry.Registered.TAKEN_OVER);
    assertThat(holder.beat("digest")).isFalse();
    assertThat(newcomer.beat("digest")).isTrue();
  }

  @Test
  void beatsAndStopsAreWrittenByTheDatabasesClock() {
    NodeRegistry node = registry("n1", "host-a", 100, SLOW.instant());
    node.register(pid -> true);
    assertThat(beatAgeMillis("n1")).isBetween(0L, 5_000L);
    pg.setBeatAgo("n1", Duration.ofSeconds(30));
    node.beat("digest");
    assertThat(beatAgeMillis("n1")).isBetween(0L, 5_000L);
    node.stopped();
    assertThat(rows("SELECT beat_at = stopped_at FROM daemon_node")).containsExactly("true");
    assertThat(beatAgeMillis("n1")).isBetween(0L, 5_000L);
  }

  @Test
  void theIdIsTakenOverWhenItsProcessIsGoneStoppedOrSilent() {
    NodeRegistry first = registry("n1", "host-a", 100, T0);
    first.register(pid -> true);

    // Killed a moment ago on this host (pid gone): a restart takes its row at once.
    NodeRegistry restarted = registry("n1", "host-a", 101, T0.plusSeconds(1));
    assertThat(restarted.register(pid -> false)).isEqualTo(NodeRegistry.Registered.TAKEN_OVER);
    assertThat(first.beat("d")).as("the old process lost its row").isFalse();
    assertThat(restarted.beat("d")).isTrue();

    // Stopped cleanly: taken from another host too.
    restarted.stopped();
    assertThat(rows("SELECT count(*) FROM daemon_node WHERE stopped_at IS NOT NULL")).containsExactly("1");
    NodeRegistry moved = registry("n1", "host-b", 7, T0.plusSeconds(4));
    assertThat(moved.register(pid -> true)).isEqualTo(NodeRegistry.Registered.TAKEN_OVER);
    assertThat(rows("SELECT host || ' ' || pid || ' ' || COALESCE(stopped_at, '-') FROM daemon_node"))
        .containsExactly("host-b 7 -");

    // Silent past the failover window (another host, so no pid to look at): taken over.
    pg.setBeatAgo("n1", NodeRegistry.FAILOVER_WINDOW.plusSeconds(1));
    NodeRegistry after = registry("n1", "host-c", 9, T0.plusSeconds(30));
    assertThat(after.register(pid -> true)).isEqualTo(NodeRegistry.Registered.TAKEN_OVER);
    assertThat(moved.beat("d")).isFalse();
  }

  @Test
  void registeringNodesRaceOnAFreshIdWithoutAbortingEachOther() throws Exception {
    List<NodeRegistry> racers = List.of(registry("n9", "host-a", 1, T0), registry("n9", "host-b", 2, T0));
    List<Thread> threads = racers.stream().map(r -> new Thread(() -> {
      try {
        r.register(pid -> true);
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

  /** How old node {@code node}'s beat is by the database's clock, in ms. */
  private long beatAgeMillis(String node) {
    return Long.parseLong(rows("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp() - CAST(beat_at AS timestamptz))"
        + " * 1000 AS BIGINT) FROM daemon_node WHERE node_id = '" + node + "'").get(0));
  }

  private List<String> rows(String sql) {
    return db.dsl().fetch(sql).map(r -> String.valueOf(r.get(0)));
  }
}
