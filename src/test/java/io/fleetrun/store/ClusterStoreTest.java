package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.instanceIds;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the store does for a cluster of daemons, on both databases: records carry their node, a
 * second fire of one trigger time is refused by the database, and a node repairs only its own
 * records at start.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
class ClusterStoreTest {
  @Parameter StoreBackend backend;
  @TempDir Path dir;
  private StoreBackend.Place place;
  private Database db;
  private JooqInvocationStore nodeA;
  private JooqInvocationStore nodeB;

  @BeforeEach
  void open() {
    place = backend.newPlace(dir);
    db = Database.open(place.settings());
    nodeA = new JooqInvocationStore(db, new StatusCalculator(), "node-a");
    nodeB = new JooqInvocationStore(db, new StatusCalculator(), "node-b");
  }

  @AfterEach
  void close() {
    db.close();
    place.close();
  }

  @Test
  void aSecondFireOfTheSameTimeIsRefusedWholeAndTheFirstKeepsItsNode() {
    InvokeId id = new InvokeId("t-tick");
    nodeA.firePeriodic(Optional.of(periodic(id.value(), "tick", T0, "a", "b")), id, instanceIds("a", "b"),
        List.of(), T0.plusSeconds(1));

    // Node B fires the same trigger time (Quartz's duplicate fire): refused, nothing written.
    assertThatThrownBy(() -> nodeB.firePeriodic(Optional.empty(), id, instanceIds("a", "b"), List.of(),
        T0.plusSeconds(1)))
        .isInstanceOf(DuplicateFireException.class)
        .hasMessageContaining("t-tick").hasMessageContaining(T0.plusSeconds(1).toString());
    assertThat(rows("SELECT instance_id || ' ' || repeat_no || ' ' || node_id FROM invocation_record"
        + " ORDER BY instance_id")).containsExactly("a 1 node-a", "b 1 node-a");
    // The rolled-back fire left the repeat counters as they were: the next fire is repeat 2.
    assertThat(nodeB.firePeriodic(Optional.empty(), id, instanceIds("a"), List.of(), T0.plusSeconds(2)))
        .extracting(PendingRecord::repeatNo).containsExactly(2);
    assertThat(rows("SELECT node_id FROM invocation_record WHERE repeat_no = 2")).containsExactly("node-b");
  }

  /**
   * A duplicate fire arriving while every instance still runs the first fire's record would be
   * all skips (overlap: skip) and insert nothing for the index to refuse: it is refused all the
   * same, and no skip is counted.
   */
  @Test
  void aDuplicateFireWhoseInstancesAllStillRunCountsNoSkip() {
    InvokeId id = new InvokeId("t-tick");
    nodeA.firePeriodic(Optional.of(periodic(id.value(), "tick", T0, "a", "b")), id, instanceIds("a", "b"),
        List.of(), T0.plusSeconds(1));

    assertThatThrownBy(() -> nodeB.firePeriodic(Optional.empty(), id, List.of(), instanceIds("a", "b"),
        T0.plusSeconds(1)))
        .isInstanceOf(DuplicateFireException.class).hasMessageContaining(T0.plusSeconds(1).toString());
    assertThat(rows("SELECT skipped FROM invocation_instance ORDER BY instance_id")).containsExactly("0", "0");

    // The next trigger time, while both still run, is a real skip.
    nodeB.firePeriodic(Optional.empty(), id, List.of(), instanceIds("a", "b"), T0.plusSeconds(2));
    assertThat(rows("SELECT skipped FROM invocation_instance ORDER BY instance_id")).containsExactly("1", "1");
  }

  @Test
  void aNodeRepairsOnlyItsOwnRecordsOnPostgresqlAndEveryRecordOnSqlite() {
    InvokeId id = new InvokeId("t-two");
    nodeA.firePeriodic(Optional.of(periodic(id.value(), "two", T0, "a", "b")), id, instanceIds("a"),
        List.of(), T0.plusSeconds(1));
    nodeB.firePeriodic(Optional.empty(), id, instanceIds("b"), List.of(), T0.plusSeconds(2));

    List<OrphanedRecord> ended = nodeB.interruptOrphanedRecords(T0.plusSeconds(3), "test");

    if (db.isPostgresql()) {
      // Node A's record runs on node A now: B's restart must leave it alone.
      assertThat(ended).extracting(o -> o.instance().value()).containsExactly("b");
      assertThat(rows("SELECT instance_id || ' ' || status FROM invocation_record ORDER BY instance_id"))
          .containsExactly("a " + RecordStatus.Running, "b " + RecordStatus.Failed);
    } else {
      // One daemon per SQLite file: whatever is Running was left by a previous run of it.
      assertThat(ended).extracting(o -> o.instance().value()).containsExactlyInAnyOrder("a", "b");
    }
  }

  @Test
  void aJobHasOneRunningPeriodicInvocationWhicheverNodeCreatesIt() {
    nodeA.firePeriodic(Optional.of(periodic("t-first", "tick", T0, "a")), new InvokeId("t-first"),
        instanceIds("a"), List.of(), T0.plusSeconds(1));

    // Node B found none a moment ago and creates one too: refused whole, nothing of it written.
    assertThatThrownBy(() -> nodeB.firePeriodic(Optional.of(periodic("t-second", "tick", T0, "a")),
        new InvokeId("t-second"), instanceIds("a"), List.of(), T0.plusSeconds(2)))
        .isInstanceOf(PeriodicExistsException.class).hasMessageContaining("tick");
    assertThat(rows("SELECT invoke_id FROM invocation")).containsExactly("t-first");
    assertThat(rows("SELECT count(*) FROM invocation_instance WHERE invoke_id = 't-second'")).containsExactly("0");

    // Once the first is stopped, a new one may start; another job is not concerned.
    nodeA.stopInstances(new InvokeId("t-first"), java.util.Set.of(), T0.plusSeconds(3));
    nodeB.firePeriodic(Optional.of(periodic("t-third", "tick", T0.plusSeconds(4), "a")),
        new InvokeId("t-third"), instanceIds("a"), List.of(), T0.plusSeconds(5));
    nodeB.firePeriodic(Optional.of(periodic("t-other", "tock", T0.plusSeconds(4), "a")),
        new InvokeId("t-other"), instanceIds("a"), List.of(), T0.plusSeconds(5));
    assertThat(rows("SELECT invoke_id || ' ' || status FROM invocation ORDER BY invoke_id"))
        .containsExactly("t-first Stopped", "t-other Running", "t-third Running");
  }

  @Test
  void theRunningInstancesOfAnInvocationAreReadWhicheverNodeRunsThem() {
    InvokeId id = new InvokeId("t-tick");
    nodeA.firePeriodic(Optional.of(periodic(id.value(), "tick", T0, "a", "b", "c")), id,
        instanceIds("a"), List.of(), T0.plusSeconds(1));
    nodeB.firePeriodic(Optional.empty(), id, instanceIds("b"), List.of(), T0.plusSeconds(2));

    assertThat(nodeB.instancesRunning(id)).containsExactlyInAnyOrderElementsOf(instanceIds("a", "b"));
  }

  /**
   * A stop reaches a record through the node that holds its SSH session. Node A stops an
   * invocation with records on A, on live B, on C (silent past the failover window, not yet
   * declared dead) and on D (stopped): A ends its own and D's and hands B and C a stop each. Ended
   * Stopped by A, C's process would run on: if C wakes it must kill it, and if C is dead the
   * take-over only kills records it finds Running.
   */
  @Test
  void aStopHandsEveryNodeNotStoppedOrDeclaredDeadItsOwnRecords() {
    java.time.Instant now = T0.plusSeconds(60);
    node("node-a", now);
    node("node-b", now.minusSeconds(1));
    node("node-c", now.minus(ClusterNode.FAILOVER_WINDOW).minusSeconds(1));
    node("node-d", now.minusSeconds(30));
    db.dsl().execute("UPDATE daemon_node SET stopped_at = ? WHERE node_id = 'node-d'", now.minusSeconds(30).toString());
    InvokeId id = new InvokeId("t-spread");
    nodeA.firePeriodic(Optional.of(periodic(id.value(), "spread", T0, "a", "b", "c", "d")), id,
        instanceIds("a"), List.of(), T0.plusSeconds(1));
    nodeB.firePeriodic(Optional.empty(), id, instanceIds("b"), List.of(), T0.plusSeconds(2));
    new JooqInvocationStore(db, new StatusCalculator(), "node-c")
        .firePeriodic(Optional.empty(), id, instanceIds("c"), List.of(), T0.plusSeconds(3));
    new JooqInvocationStore(db, new StatusCalculator(), "node-d")
        .firePeriodic(Optional.empty(), id, instanceIds("d"), List.of(), T0.plusSeconds(4));

    StopScope scope = nodeA.stopScope(id);

    if (db.isPostgresql()) {
      assertThat(scope.here()).extracting(r -> r.instance().value()).containsExactlyInAnyOrder("a", "d");
      assertThat(scope.elsewhere()).containsExactlyInAnyOrder("node-b", "node-c");
    } else {
      // One daemon per SQLite file: every Running record is its own.
      assertThat(scope.here()).extracting(r -> r.instance().value()).containsExactlyInAnyOrder("a", "b", "c", "d");
      assertThat(scope.elsewhere()).isEmpty();
    }
  }

  private void node(String id, java.time.Instant beat) {
    db.dsl().execute("INSERT INTO daemon_node (node_id, host, pid, version, config_digest, started_at, beat_at)"
        + " VALUES (?, 'h', 1, 'v', 'd', ?, ?)", id, T0.toString(), beat.toString());
  }

  private List<String> rows(String sql) {
    return db.dsl().fetch(sql).map(r -> String.valueOf(r.get(0)));
  }

}
