package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.exec.ExecutorTuning;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.invoke.Invoker;
import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.SshSettings;
import io.fleetrun.model.Targets;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.ClusterNode;
import io.fleetrun.store.Database;
import io.fleetrun.store.DatabaseClock;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NodeRegistry;
import io.fleetrun.store.PendingRequest;
import io.fleetrun.store.RequestAnswer;
import io.fleetrun.store.RequestState;
import io.fleetrun.testing.StoreBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What must hold across the nodes of a cluster besides failover: two daemon nodes (each its own
 * pool, store, channel, invoker and SSH executor, as two daemon processes have) on one PostgreSQL
 * database. A CLI request is carried out by exactly one node; a stop reaches every node that runs
 * records of the invocation and kills there; a starting node leaves a live node's unanswered
 * requests alone; a periodic job has one invocation for the whole cluster; overlap: skip sees the
 * other node's running record.
 */
class ClusterControlTest {
  static {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.sshd"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
  }

  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir Path dir;
  private StoreBackend.Place place;
  private EmbeddedSshServer server;
  private final List<Node> nodes = new ArrayList<>();
  private Database cliDb;
  private JooqControlChannel cli;

  /** What one daemon process holds, wired as Daemon wires it. */
  private final class Node implements AutoCloseable {
    final String id;
    final Database db;
    final MinaSshExecutor executor;
    final Invoker invoker;
    final JooqControlChannel control;
    final RequestHandler handler;
    final NodeRegistry registry;

    Node(String id, Fleet fleet) {
      this(id, fleet, CLOCK);
    }

    /** A node whose clock is {@code clock} (one far off the database's, in some tests). */
    Node(String id, Fleet fleet, Clock clock) {
      this.id = id;
      this.db = Database.open(place.settings());
      SshSettings ssh = new SshSettings("fleet", Optional.empty(), server.knownHosts(),
          HostKeyPolicy.STRICT, Duration.ofSeconds(10), SshSettings.DEFAULT_KEY_EXCHANGES);
      this.executor = new MinaSshExecutor(ssh, Limits.defaults(), CLOCK,
          new ExecutorTuning(Duration.ofMillis(500), 50));
      this.control = JooqControlChannel.onControlConnection(db, id);
      this.invoker = new Invoker(new JooqInvocationStore(db, new StatusCalculator(), id),
          new JdbcInvocationQueries(db), executor, fleet, CLOCK);
      invoker.relayStopsWith((node, stop) -> control.submitFor(node, stop, CLOCK.instant()));
      this.handler = new RequestHandler(control, invoker, CLOCK);
      this.registry = new NodeRegistry(db, new NodeRegistry.NodeInfo(
          id, "host-" + id, 100, "test", "digest", clock.instant()));
      registry.register(pid -> true);
    }

    /** One turn of the daemon's control thread, with the beat that keeps the node alive. */
    void poll() {
      registry.beat("digest");
      handler.pollOnce();
    }

    @Override
    public void close() {
      invoker.shutdown(Duration.ZERO, Duration.ofSeconds(5));
      executor.close();
      db.close();
    }
  }

  @BeforeEach
  void start() throws IOException {
    place = StoreBackend.POSTGRESQL.newPlace(dir);
    server = EmbeddedSshServer.start(dir.resolve("ssh"));
    cliDb = Database.open(place.settings());
    cli = new JooqControlChannel(cliDb);
  }

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
    cliDb.close();
    server.close();
    place.close();
  }

  private Node node(String id, Fleet fleet) {
    return node(id, fleet, CLOCK);
  }

  private Node node(String id, Fleet fleet, Clock clock) {
    Node node = new Node(id, fleet, clock);
    nodes.add(node);
    return node;
  }

  private Instance instance(String id) {
    return new Instance(new InstanceId(id), "127.0.0.1", server.port(), "fleet",
        Optional.of(server.clientKey()), Optional.empty(), Set.of());
  }

  @Test
  void twoNodesRacingForOneRequestTakeItExactlyOnce() throws Exception {
    JooqControlChannel a = JooqControlChannel.onControlConnection(cliDb, "node-a");
    try (Database other = Database.open(place.settings())) {
      JooqControlChannel b = JooqControlChannel.onControlConnection(other, "node-b");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 40; round++) {
          long id = cli.submit(new ControlRequest.Stop(new InvokeId("t-" + round), Set.of()), CLOCK.instant());
          CountDownLatch go = new CountDownLatch(1);
          Future<List<PendingRequest>> byA = pool.submit(() -> {
            go.await();
            return a.claimPending(CLOCK.instant());
          });
          Future<List<PendingRequest>> byB = pool.submit(() -> {
            go.await();
            return b.claimPending(CLOCK.instant());
          });
          go.countDown();
          long takenByA = byA.get(20, TimeUnit.SECONDS).stream().filter(p -> p.id() == id).count();
          long takenByB = byB.get(20, TimeUnit.SECONDS).stream().filter(p -> p.id() == id).count();
          assertThat(takenByA + takenByB).as("round %d: taken by a %d, by b %d", round, takenByA, takenByB)
              .isEqualTo(1);
          assertThat(claimedBy(id)).isEqualTo(takenByA == 1 ? "node-a" : "node-b");
          cli.complete(id, new RequestAnswer.Refused("done"), CLOCK.instant());
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aRequestForOneNodeIsTakenByThatNodeOnly() {
    JooqControlChannel a = JooqControlChannel.onControlConnection(cliDb, "node-a");
    JooqControlChannel b = JooqControlChannel.onControlConnection(cliDb, "node-b");
    ControlRequest.Stop stop = new ControlRequest.Stop(new InvokeId("t-1"), Set.of());
    long forA = b.submitFor("node-a", stop, CLOCK.instant());

    assertThat(b.claimPending(CLOCK.instant())).isEmpty();
    assertThat(cli.claimPending(CLOCK.instant())).as("a channel without node id").isEmpty();
    assertThat(a.claimPending(CLOCK.instant())).containsExactly(new PendingRequest(forA, stop, true));
  }

  @Test
  void aStartingNodeRefusesOnlyItsOwnAndDeadNodesUnansweredRequests() {
    Fleet empty = new Fleet(List.of(), List.of(), List.of());
    Node a = node("node-a", empty);
    Node b = node("node-b", empty);
    JooqControlChannel gone = JooqControlChannel.onControlConnection(cliDb, "node-gone");
    long ofA = cli.submit(new ControlRequest.Stop(new InvokeId("t-a"), Set.of()), CLOCK.instant());
    assertThat(a.control.claimPending(CLOCK.instant())).extracting(PendingRequest::id).containsExactly(ofA);
    long ofB = cli.submit(new ControlRequest.Stop(new InvokeId("t-b"), Set.of()), CLOCK.instant());
    assertThat(b.control.claimPending(CLOCK.instant())).extracting(PendingRequest::id).containsExactly(ofB);
    long ofGone = cli.submit(new ControlRequest.Stop(new InvokeId("t-gone"), Set.of()), CLOCK.instant());
    assertThat(gone.claimPending(CLOCK.instant())).extracting(PendingRequest::id).containsExactly(ofGone);
    ControlRequest.Stop handed = new ControlRequest.Stop(new InvokeId("t-handed"), Set.of());
    long forA = b.control.submitFor("node-a", handed, CLOCK.instant());
    long forGone = a.control.submitFor("node-gone", handed, CLOCK.instant());

    // Node b restarts (same id): its own request and the one of a node that never registered
    // (not alive) are refused, and the stop handed to that node; node a, alive, may still be
    // carrying out its own, and will take the stop handed to it.
    assertThat(b.control.refuseUnanswered("the daemon stopped", CLOCK.instant())).isEqualTo(3);

    assertThat(answer(ofA)).isEmpty();
    assertThat(answer(forA)).isEmpty();
    assertThat(answer(ofB)).contains(new RequestAnswer.Refused("the daemon stopped"));
    assertThat(answer(ofGone)).contains(new RequestAnswer.Refused("the daemon stopped"));
    assertThat(answer(forGone)).contains(new RequestAnswer.Refused("the daemon stopped"));
    assertThat(a.control.claimPending(CLOCK.instant())).extracting(PendingRequest::id).containsExactly(forA);
    a.control.complete(forA, new RequestAnswer.Done(handed.invokeId()), CLOCK.instant());

    // Once node a stops, its unanswered request is refused by the next node to start.
    a.registry.stopped();
    assertThat(b.control.refuseUnanswered("the daemon stopped", CLOCK.instant())).isEqualTo(1);
    assertThat(answer(ofA)).contains(new RequestAnswer.Refused("the daemon stopped"));
  }

  /**
   * Whether the node that took a request is alive is judged by the database's clock: a live node
   * whose clock runs a minute behind keeps its request from a starting node whose clock runs a
   * minute ahead, and once it is silent past the window by the database's clock, a starting node
   * whose clock runs behind refuses the request.
   */
  @Test
  void aStartingNodeJudgesWhetherTheOtherNodeIsAliveByTheDatabasesClock() {
    Fleet empty = new Fleet(List.of(), List.of(), List.of());
    Clock slow = Clock.offset(CLOCK, Duration.ofSeconds(-60));
    Clock fast = Clock.offset(CLOCK, Duration.ofSeconds(60));
    Node a = node("node-a", empty, slow);
    a.poll();
    long ofA = cli.submit(new ControlRequest.Stop(new InvokeId("t-a"), Set.of()), CLOCK.instant());
    assertThat(a.control.claimPending(slow.instant())).extracting(PendingRequest::id).containsExactly(ofA);

    Node b = node("node-b", empty, fast);
    assertThat(b.control.refuseUnanswered("the daemon stopped", fast.instant())).isZero();
    assertThat(answer(ofA)).isEmpty();

    cliDb.dsl().execute("UPDATE daemon_node SET beat_at = " + DatabaseClock.agoText(
        ClusterNode.FAILOVER_WINDOW.plusSeconds(5)) + " WHERE node_id = 'node-a'");
    Node c = node("node-c", empty, slow);
    assertThat(c.control.refuseUnanswered("the daemon stopped", slow.instant())).isEqualTo(1);
    assertThat(answer(ofA)).contains(new RequestAnswer.Refused("the daemon stopped"));
  }

  @Test
  void aStopKillsTheRecordsOfTheInvocationOnEveryNode() {
    Command sleeper = new Command(new CommandId("sleeper"), "sleep 300", Optional.empty(),
        Duration.ofSeconds(600), Map.of());
    Job job = new Job(new JobId("tick"), sleeper.id(), new Targets(List.of(new InstanceId("web")), Set.of()),
        RepeatMode.Period, Optional.of(Frequency.parse("rate(1h)")), Map.of(), MisfirePolicy.RUN_ONCE,
        OverlapPolicy.ALLOW);
    Fleet fleet = new Fleet(List.of(instance("web")), List.of(sleeper), List.of(job));
    Node a = node("node-a", fleet);
    Node b = node("node-b", fleet);
    // One periodic invocation, one record on each node (fires of two trigger times).
    Instant at = CLOCK.instant();
    InvokeId id = a.invoker.fireJob(job.id(), at).orElseThrow();
    assertThat(b.invoker.fireJob(job.id(), at.plusSeconds(1))).contains(id);
    await("both records started").atMost(Duration.ofSeconds(30)).until(() -> cliDb.dsl().fetchCount(
        cliDb.dsl().selectFrom("invocation_record").where("start_time IS NOT NULL AND status = 'Running'")) == 2);

    long stop = cli.submit(new ControlRequest.Stop(id, Set.of()), CLOCK.instant());
    // Node a takes the stop (b has not polled yet): b's record must still be killed by b.
    await("node a answers the stop").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> {
          a.poll();
          return answer(stop).isPresent();
        });
    assertThat(answer(stop)).contains(new RequestAnswer.Done(id));
    assertThat(nodeStatus("node-b")).as("b's record, until b kills it").isEqualTo("Running");
    await("both nodes killed their record").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> {
          a.poll();
          b.poll();
          return a.invoker.runningRecords() == 0 && b.invoker.runningRecords() == 0;
        });
    await("both ends written").atMost(Duration.ofSeconds(30))
        .until(() -> "Stopped".equals(nodeStatus("node-a")) && "Stopped".equals(nodeStatus("node-b")));
  }

  private static Job periodic(String id, Command command, OverlapPolicy overlap) {
    return new Job(new JobId(id), command.id(), new Targets(List.of(new InstanceId("web")), Set.of()),
        RepeatMode.Period, Optional.of(Frequency.parse("rate(1h)")), Map.of(), MisfirePolicy.RUN_ONCE, overlap);
  }

  @Test
  void twoNodesFiringAJobsFirstFireAtOnceMakeOneInvocation() throws Exception {
    Command quick = new Command(new CommandId("quick"), "true", Optional.empty(), Duration.ofSeconds(60), Map.of());
    List<Job> jobs = new ArrayList<>();
    for (int round = 0; round < 12; round++) {
      jobs.add(periodic("tick-" + round, quick, OverlapPolicy.ALLOW));
    }
    Fleet fleet = new Fleet(List.of(instance("web")), List.of(quick), jobs);
    Node a = node("node-a", fleet);
    Node b = node("node-b", fleet);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (Job job : jobs) {
        Instant at = CLOCK.instant();
        CountDownLatch go = new CountDownLatch(1);
        Future<Optional<InvokeId>> byA = pool.submit(() -> {
          go.await();
          return a.invoker.fireJob(job.id(), at);
        });
        Future<Optional<InvokeId>> byB = pool.submit(() -> {
          go.await();
          return b.invoker.fireJob(job.id(), at.plusMillis(1));
        });
        go.countDown();
        InvokeId fromA = byA.get(30, TimeUnit.SECONDS).orElseThrow();
        InvokeId fromB = byB.get(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(fromB).as("job %s: both fires go into one invocation", job.id()).isEqualTo(fromA);
        assertThat(cliDb.dsl().fetchCount(cliDb.dsl().selectFrom("invocation")
            .where("job_id = ? AND repeat_mode = 'Period' AND status = 'Running'", job.id().value())))
            .isEqualTo(1);
        assertThat(cliDb.dsl().fetchCount(cliDb.dsl().selectFrom("invocation_record")
            .where("invoke_id = ?", fromA.value()))).as("one record per fire").isEqualTo(2);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void overlapSkipSeesTheRecordAnotherNodeRuns() {
    Command sleeper = new Command(new CommandId("sleeper"), "sleep 300", Optional.empty(),
        Duration.ofSeconds(600), Map.of());
    Job job = periodic("tick", sleeper, OverlapPolicy.SKIP);
    Fleet fleet = new Fleet(List.of(instance("web")), List.of(sleeper), List.of(job));
    Node a = node("node-a", fleet);
    Node b = node("node-b", fleet);
    Instant at = CLOCK.instant();
    InvokeId id = a.invoker.fireJob(job.id(), at).orElseThrow();

    // Node B fires the next trigger time while A's record still runs: skipped, and counted.
    assertThat(b.invoker.fireJob(job.id(), at.plusSeconds(1))).contains(id);
    assertThat(cliDb.dsl().fetchCount(cliDb.dsl().selectFrom("invocation_record").where("invoke_id = ?", id.value())))
        .isEqualTo(1);
    assertThat(cliDb.dsl().fetchValue("SELECT skipped FROM invocation_instance WHERE invoke_id = ?", id.value()))
        .isEqualTo(1);
    assertThat(b.invoker.runningRecords()).isZero();
  }

  @Test
  void aDuplicateFireWhileTheFirstStillRunsIsRefusedNotCountedAsSkips() {
    Command sleeper = new Command(new CommandId("sleeper"), "sleep 300", Optional.empty(),
        Duration.ofSeconds(600), Map.of());
    Job job = periodic("tick", sleeper, OverlapPolicy.SKIP);
    Fleet fleet = new Fleet(List.of(instance("web")), List.of(sleeper), List.of(job));
    Node a = node("node-a", fleet);
    Node b = node("node-b", fleet);
    Instant at = CLOCK.instant();
    InvokeId id = a.invoker.fireJob(job.id(), at).orElseThrow();

    // Quartz's duplicate fire: node B fires the same trigger time while A's record of it runs.
    assertThat(b.invoker.fireJob(job.id(), at)).isEmpty();
    assertThat(b.invoker.duplicateFires()).isEqualTo(1);
    assertThat(cliDb.dsl().fetchValue("SELECT skipped FROM invocation_instance WHERE invoke_id = ?", id.value()))
        .isEqualTo(0);
    assertThat(cliDb.dsl().fetchCount(cliDb.dsl().selectFrom("invocation_record").where("invoke_id = ?", id.value())))
        .isEqualTo(1);
  }

  private String nodeStatus(String node) {
    return cliDb.dsl().fetchValue("SELECT status FROM invocation_record WHERE node_id = ?", node).toString();
  }

  private String claimedBy(long id) {
    return (String) cliDb.dsl().fetchValue("SELECT claimed_by FROM control_request WHERE request_id = ?", id);
  }

  private Optional<RequestAnswer> answer(long id) {
    return cli.findRequest(id).flatMap(RequestState::answer);
  }
}
