package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.instanceIds;
import static io.fleetrun.store.Invocations.once;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.MigratedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The take-over of a dead node on a real PostgreSQL database: the database chooses exactly one
 * survivor per dead node (three nodes racing), never a fresh or stopped node; the survivor ends
 * the dead node's Running records and no other; the dead node's beat and late ends are refused.
 */
class DeadNodeTakeoverTest {
  private static final Duration WINDOW = NodeRegistry.FAILOVER_WINDOW;
  private MigratedPostgres pg;
  private Database db;

  @BeforeEach
  void open() {
    pg = MigratedPostgres.open("takeover");
    db = pg.db();
  }

  @AfterEach
  void close() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void ofThreeNodesRacingExactlyOneDeclaresEachDeadNodeAndEndsOnlyItsRecords() throws Exception {
    List<String> survivors = List.of("s1", "s2", "s3");
    survivors.forEach(n -> node(n, 1, null));
    node("fresh", 2, null);
    node("stopped", 60, "stopped");
    fire("fresh", "t-fresh", "a");
    fire("stopped", "t-stopped", "a");
    fire("s1", "t-s1", "a");

    ExecutorService pool = Executors.newFixedThreadPool(survivors.size());
    try {
      for (int round = 0; round < 5; round++) {
        String dead = "dead-" + round;
        node(dead, 60, null);
        fire(dead, "t-" + dead, "a", "b");
        CyclicBarrier start = new CyclicBarrier(survivors.size());
        List<Future<List<DeadNode>>> results = new ArrayList<>();
        for (String s : survivors) {
          JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator(), s);
          results.add(pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            return store.takeOverDeadNodes(WINDOW, Instant.now());
          }));
        }
        List<String> winners = new ArrayList<>();
        for (int i = 0; i < survivors.size(); i++) {
          for (DeadNode d : results.get(i).get(60, TimeUnit.SECONDS)) {
            winners.add(survivors.get(i) + " " + d.nodeId() + " " + d.records().size());
            assertThat(d.silentFor()).isGreaterThanOrEqualTo(WINDOW);
          }
        }
        assertThat(winners).as("round %d", round).hasSize(1);
        String winner = winners.get(0).split(" ")[0];
        assertThat(winners.get(0)).isEqualTo(winner + " " + dead + " 2");
        assertThat(rows("SELECT declared_dead_by FROM daemon_node WHERE node_id = '" + dead + "'"))
            .containsExactly(winner);
        assertThat(rows("SELECT status || ' ' || detail_status || ' ' || error_code FROM invocation_record"
            + " WHERE node_id = '" + dead + "'")).containsExactly("Failed Terminated ExecutionInterrupted",
            "Failed Terminated ExecutionInterrupted");
      }
    } finally {
      pool.shutdownNow();
    }
    // Neither the fresh node, the stopped one, nor a survivor was declared; their records run on.
    assertThat(rows("SELECT node_id FROM daemon_node WHERE declared_dead_at IS NOT NULL ORDER BY node_id"))
        .containsExactly("dead-0", "dead-1", "dead-2", "dead-3", "dead-4");
    assertThat(rows("SELECT node_id || ' ' || status FROM invocation_record WHERE node_id NOT LIKE 'dead-%'"
        + " ORDER BY node_id")).containsExactly("fresh Running", "s1 Running", "stopped Running");
    // A node declared dead is not declared again.
    assertThat(new JooqInvocationStore(db, new StatusCalculator(), "s2").takeOverDeadNodes(WINDOW, Instant.now()))
        .isEmpty();
  }

  @Test
  void aNodeDeclaredDeadDeclaresNoOneAndItsBeatIsRefused() {
    NodeRegistry registry = new NodeRegistry(db, new NodeRegistry.NodeInfo("back", "host-b", 7, "test", "d", T0));
    registry.register(pid -> true);
    pg.setBeatAgo("back", Duration.ofSeconds(60));
    node("other", 60, null);
    node("s1", 1, null);
    assertThat(new JooqInvocationStore(db, new StatusCalculator(), "s1").takeOverDeadNodes(WINDOW, Instant.now()))
        .extracting(DeadNode::nodeId).containsExactlyInAnyOrder("back", "other");

    // The dead node wakes up: its beat does not make it look alive, and it learns who declared it.
    assertThat(registry.beat("d")).isFalse();
    assertThat(registry.declaredDeadBy()).map(NodeRegistry.Declaration::by).contains("s1");
    assertThat(new JooqInvocationStore(db, new StatusCalculator(), "back").takeOverDeadNodes(WINDOW, Instant.now()))
        .as("a node declared dead takes nothing over").isEmpty();
    registry.stopped();
    assertThat(rows("SELECT COALESCE(stopped_at, '-') FROM daemon_node WHERE node_id = 'back'")).containsExactly("-");

    // A new process under that id registers afresh: the declaration is cleared.
    NodeRegistry restarted = new NodeRegistry(db, new NodeRegistry.NodeInfo("back", "host-b", 8, "test", "d",
        Instant.now()));
    assertThat(restarted.register(pid -> false)).isEqualTo(NodeRegistry.Registered.TAKEN_OVER);
    assertThat(restarted.beat("d")).isTrue();
    assertThat(restarted.declaredDeadBy()).isEmpty();
  }

  /**
   * Beats are judged by the database's clock, the one that wrote them: a live node whose clock
   * runs a minute behind is not taken for dead, and a node whose clock runs a minute ahead is
   * declared dead once silent past the window, by a survivor whose own clock runs behind.
   */
  @Test
  void nodesClocksFarOffTheDatabasesNeitherKillALiveNodeNorKeepADeadOneAlive() throws Exception {
    Clock slow = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60));
    Clock fast = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(60));
    NodeRegistry behind = new NodeRegistry(db, new NodeRegistry.NodeInfo("behind", "h", 1, "test", "d", slow.instant()));
    behind.register(pid -> true);
    assertThat(behind.beat("d")).isTrue();
    NodeRegistry ahead = new NodeRegistry(db, new NodeRegistry.NodeInfo("ahead", "h", 2, "test", "d", fast.instant()));
    ahead.register(pid -> true);
    assertThat(ahead.beat("d")).isTrue();
    node("s1", 0, null);
    fire("behind", "t-behind", "a");
    fire("ahead", "t-ahead", "a");
    JooqInvocationStore survivor = new JooqInvocationStore(db, new StatusCalculator(), "s1");

    assertThat(survivor.takeOverDeadNodes(WINDOW, slow.instant())).as("both just beat").isEmpty();

    // Only "ahead" falls silent; a window of 3 s keeps the test short.
    Duration window = Duration.ofSeconds(3);
    Thread.sleep(window.toMillis() + 500);
    assertThat(behind.beat("d")).isTrue();
    List<DeadNode> dead = survivor.takeOverDeadNodes(window, slow.instant());
    assertThat(dead).extracting(DeadNode::nodeId).containsExactly("ahead");
    assertThat(dead.get(0).silentFor()).isGreaterThanOrEqualTo(window).isLessThan(Duration.ofSeconds(30));
    assertThat(rows("SELECT node_id || ' ' || status FROM invocation_record ORDER BY node_id"))
        .containsExactly("ahead Failed", "behind Running");
  }

  @Test
  void aLateEndOfATakenOverRecordIsRefusedAndLogged() throws Exception {
    node("dead", 60, null);
    node("s1", 1, null);
    JooqInvocationStore deadStore = new JooqInvocationStore(db, new StatusCalculator(), "dead");
    List<PendingRecord> records = deadStore.createWithRecords(once("t-late", Optional.empty(), T0, "a"), T0);
    new JooqInvocationStore(db, new StatusCalculator(), "s1").takeOverDeadNodes(WINDOW, Instant.now());

    RecordJournal journal = deadStore.openJournal();
    try (LogLines log = LogLines.of(JournalBatch.class.getName())) {
      CompletableFuture<Boolean> late = journal.ended(records.get(0).id(), end(RecordStatus.Finished, Instant.now()));
      assertThat(late.get(30, TimeUnit.SECONDS)).isFalse();
      assertThat(log.containing("refused this node's late end (Finished)")).hasSize(1);
    } finally {
      journal.close();
    }
    assertThat(deadStore.endRecord(records.get(0).id(), end(RecordStatus.Finished, Instant.now()))).isFalse();
    assertThat(rows("SELECT status || ' ' || error_code || ' ' || error_info FROM invocation_record"))
        .containsExactly("Failed ExecutionInterrupted taken over: node dead stopped beating while the record was"
            + " running; node s1 declared it dead and ended the record");
    assertThat(rows("SELECT status FROM invocation")).containsExactly("Failed");
  }

  /**
   * The dead node's requests are answered with the take-over, not left to a restart: a stop handed
   * to it is done (its records were just ended), a run or stop it took is refused saying why, and
   * no other node's request is touched.
   */
  @Test
  void theTakeOverAnswersTheRequestsTheDeadNodeLeftUnanswered() {
    node("dead", 60, null);
    node("s1", 1, null);
    fire("dead", "t-dead", "a");
    JooqControlChannel cli = new JooqControlChannel(db);
    JooqControlChannel deadNode = JooqControlChannel.onControlConnection(db, "dead");
    JooqControlChannel s1 = JooqControlChannel.onControlConnection(db, "s1");
    Instant now = Instant.now();
    ControlRequest.Stop stop = new ControlRequest.Stop(new InvokeId("t-dead"), Set.of());
    long run = cli.submit(new ControlRequest.Run(new CommandId("uptime"), List.of(new InstanceId("a")), Set.of(),
        Map.of(), ConcurrencyControls.NONE), now);
    long cliStop = cli.submit(stop, now);
    long relayedTaken = cli.submitFor("dead", stop, now);
    assertThat(deadNode.claimPending(now)).hasSize(3);
    long relayed = cli.submitFor("dead", stop, now);
    long liveRun = cli.submit(new ControlRequest.Run(new CommandId("uptime"), List.of(new InstanceId("a")), Set.of(),
        Map.of(), ConcurrencyControls.NONE), now);
    assertThat(s1.claimPending(now)).hasSize(1);
    long liveRelayed = cli.submitFor("s1", stop, now);
    long waiting = cli.submit(stop, now);

    List<DeadNode> dead = new JooqInvocationStore(db, new StatusCalculator(), "s1").takeOverDeadNodes(WINDOW, now);

    assertThat(dead).singleElement().extracting(DeadNode::requestsAnswered).isEqualTo(4);
    assertThat(cli.findRequest(relayed).flatMap(RequestState::answer))
        .contains(new RequestAnswer.Done(new InvokeId("t-dead")));
    assertThat(cli.findRequest(relayedTaken).flatMap(RequestState::answer))
        .contains(new RequestAnswer.Done(new InvokeId("t-dead")));
    assertThat(refusal(cli, run)).startsWith("node dead took this request and stopped beating before answering it;"
        + " node s1 declared it dead").contains("may have started an invocation").contains("bin/fleetrun invocations");
    assertThat(refusal(cli, cliStop)).contains("node s1 declared it dead and ended that node's records")
        .contains("send the stop again");
    for (long untouched : List.of(liveRun, liveRelayed, waiting)) {
      assertThat(cli.findRequest(untouched).flatMap(RequestState::answer)).as("request %d", untouched).isEmpty();
    }
  }

  /**
   * The kills a take-over owes stay in the database until tried: a survivor that dies after it
   * ended the dead node's records and before it killed their processes leaves them to its own
   * restart or, once declared dead itself, to the node that declares it.
   */
  @Test
  void theKillsATakeOverOwesOutliveTheSurvivorThatOwesThem() {
    node("dead", 60, null);
    node("s1", 1, null);
    node("s2", 1, null);
    fire("dead", "t-dead", "a", "b");
    // "a" was handed to SSH (its dispatch mark); "b" still waited for its turn: nothing to kill.
    db.dsl().execute("UPDATE invocation_record SET dispatched_at = ? WHERE instance_id = 'a'", T0.toString());
    JooqInvocationStore s1 = new JooqInvocationStore(db, new StatusCalculator(), "s1");
    JooqInvocationStore s2 = new JooqInvocationStore(db, new StatusCalculator(), "s2");

    assertThat(s1.takeOverDeadNodes(WINDOW, Instant.now())).extracting(DeadNode::nodeId).containsExactly("dead");
    assertThat(rows("SELECT instance_id || ' ' || COALESCE(kill_pending_by, '-') FROM invocation_record"
        + " ORDER BY instance_id")).containsExactly("a s1", "b -");
    assertThat(s2.claimPendingKills()).as("a live node's owed kill is its own").isEmpty();
    // s1's next start (same node id) finds the kill it owes.
    assertThat(s1.claimPendingKills()).extracting(o -> o.invokeId().value() + "/" + o.instance().value())
        .containsExactly("t-dead/a");

    // s1 dies before it kills: the node that declares it dead owes the kill now.
    db.dsl().execute("UPDATE daemon_node SET beat_at = " + ago(60) + " WHERE node_id = 's1'");
    assertThat(s2.takeOverDeadNodes(WINDOW, Instant.now())).extracting(DeadNode::nodeId).containsExactly("s1");
    List<OrphanedRecord> owed = s2.claimPendingKills();
    assertThat(owed).extracting(o -> o.invokeId().value() + "/" + o.instance().value()).containsExactly("t-dead/a");
    assertThat(owed.get(0).handedToSsh()).isTrue();
    assertThat(rows("SELECT kill_pending_by FROM invocation_record WHERE instance_id = 'a'")).containsExactly("s2");
    assertThat(s1.claimPendingKills()).as("no longer s1's").isEmpty();

    s2.killsTried(owed.stream().map(OrphanedRecord::id).toList());
    assertThat(rows("SELECT count(*) FROM invocation_record WHERE kill_pending_by IS NOT NULL")).containsExactly("0");
    assertThat(s2.claimPendingKills()).isEmpty();
  }

  private static String refusal(JooqControlChannel cli, long id) {
    return cli.findRequest(id).flatMap(RequestState::answer)
        .map(a -> ((RequestAnswer.Refused) a).error()).orElseThrow();
  }

  @Test
  void aRecoveredFireOfAOneTimeJobIsRefusedWhenItsFirstFireWasCommitted() {
    // Quartz re-fires a dead node's in-flight one-time fire on a survivor (requestsRecovery), at
    // the same scheduled time: the once_job key lets only one of them write an invocation.
    JooqInvocationStore dead = new JooqInvocationStore(db, new StatusCalculator(), "dead");
    JooqInvocationStore survivor = new JooqInvocationStore(db, new StatusCalculator(), "s1");
    assertThat(dead.createOnceJobWithRecords(once("t-first", Optional.of("nightly"), T0, "a", "b"), T0)).isPresent();
    assertThat(survivor.createOnceJobWithRecords(once("t-again", Optional.of("nightly"), T0, "a", "b"), T0))
        .isEmpty();
    assertThat(rows("SELECT invoke_id || ' ' || node_id FROM invocation_record ORDER BY instance_id"))
        .containsExactly("t-first dead", "t-first dead");
  }

  /** A daemon_node row whose beat is {@code beatAgo} seconds old by the database's clock. */
  private void node(String id, int beatAgo, String stopped) {
    db.dsl().execute("INSERT INTO daemon_node (node_id, host, pid, version, config_digest, started_at, beat_at,"
        + " stopped_at) VALUES (?, 'h', 1, 'test', 'd', ?, " + ago(beatAgo) + ", "
        + (stopped == null ? "NULL" : ago(beatAgo)) + ")", id, T0.toString());
  }

  private static String ago(int seconds) {
    return DatabaseClock.agoText(Duration.ofSeconds(seconds));
  }

  /** A periodic fire of node {@code node}: one Running record per instance. */
  private void fire(String node, String invokeId, String... instances) {
    new JooqInvocationStore(db, new StatusCalculator(), node).firePeriodic(
        Optional.of(periodic(invokeId, "job-" + invokeId, T0, instances)), new InvokeId(invokeId),
        instanceIds(instances), List.of(), T0.plusSeconds(1));
  }

  private List<String> rows(String sql) {
    return db.dsl().fetch(sql).map(r -> String.valueOf(r.get(0)));
  }
}
