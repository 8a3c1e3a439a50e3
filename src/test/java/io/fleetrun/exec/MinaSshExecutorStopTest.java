package io.fleetrun.exec;

import static io.fleetrun.exec.SshFixture.await;
import static io.fleetrun.exec.SshFixture.instance;
import static io.fleetrun.exec.SshFixture.processesWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Limits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timeouts and stops end the script and every process it started on the target. */
class MinaSshExecutorStopTest {
  @TempDir static Path dir;
  static EmbeddedSshServer server;
  static MinaSshExecutor executor;

  @BeforeAll
  static void startServer() throws IOException {
    server = SshFixture.startServer(dir.resolve("ssh"));
    executor = SshFixture.executor(server);
  }

  @AfterAll
  static void stopServer() {
    executor.close();
    server.close();
  }

  /**
   * A script whose children carry a unique marker: a background shell (which itself starts a
   * sleep) and a foreground wait, so killing only the script's own shell would leave the child.
   */
  private static String scriptWithChildren(String marker) {
    return "echo started; sh -c 'sleep 300; echo " + marker + "' & wait";
  }

  private static ExecutionRequest request(String script, Duration timeout) {
    return new ExecutionRequest(
        "t-test/web-1", instance(server), script, Optional.empty(), timeout);
  }

  @Test
  void timeoutKillsTheWholeProcessGroup() throws Exception {
    String marker = "marker-" + UUID.randomUUID();

    // Long enough for the children to be seen first on a loaded machine.
    Execution run = executor.start(request(scriptWithChildren(marker), Duration.ofSeconds(4)));

    long pgid = run.started().get(10, TimeUnit.SECONDS).id();
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).size() >= 2);
    assertThat(processGroupOf(marker)).isEqualTo(pgid);
    ExecutionOutcome outcome = SshFixture.await(run);
    assertThat(outcome).isInstanceOf(ExecutionOutcome.TimedOut.class);
    assertThat(outcome.output().text()).isEqualTo("started\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());
  }

  /**
   * The script's shell dies of the TERM at once, its child ignores TERM: the run's channel closes
   * while the kill waits out the grace. The session must stay until the kill's KILL step is done
   * (MINA's server ends a command whose session closes, as it would cut the kill there).
   */
  @Test
  void stopEndsAChildThatIgnoresTermAfterTheScriptItselfDied() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    Execution run = executor.start(request(
        "sh -c 'trap \"\" TERM; sleep 300; : " + marker + "' & wait", Duration.ofMinutes(5)));
    run.started().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).size() >= 1);

    run.stop();

    assertThat(SshFixture.await(run)).isInstanceOf(ExecutionOutcome.Stopped.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());
  }

  @Test
  void stopKillsTheWholeProcessGroup() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    Execution run = executor.start(request(scriptWithChildren(marker), Duration.ofMinutes(5)));
    run.started().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).size() >= 2);

    run.stop();

    ExecutionOutcome outcome = SshFixture.await(run);
    assertThat(outcome).isInstanceOf(ExecutionOutcome.Stopped.class);
    assertThat(outcome.output().text()).isEqualTo("started\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());
    run.stop(); // idempotent, and the outcome stays
    assertThat(run.outcome().get()).isSameAs(outcome);
  }

  /**
   * The script's shell execs into a program that drops both markers (no marker in its command
   * line, an empty environment): the leader is still recognised by its pid and start time.
   */
  @Test
  void stopEndsAScriptWhoseLeaderExecedIntoAProgramWithoutTheMarkers() throws Exception {
    // A sleep of a length no other test uses: the sleep is what must end, and it lacks the marker.
    String marker = "sleep 30" + (100 + new java.util.Random().nextInt(900));
    Execution run = executor.start(request(
        "exec env -i /bin/sh -c '" + marker + "; :'", Duration.ofMinutes(5)));
    run.started().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).size() >= 1);

    run.stop();

    assertThat(SshFixture.await(run)).isInstanceOf(ExecutionOutcome.Stopped.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> processesWith(marker).isEmpty());
  }

  @Test
  void stopRightAfterStartEndsTheRunWhateverPhaseItIsIn() {
    String marker = "marker-" + UUID.randomUUID();
    Execution run = executor.start(request(scriptWithChildren(marker), Duration.ofMinutes(5)));

    run.stop();

    assertThat(SshFixture.await(run)).isInstanceOf(ExecutionOutcome.Stopped.class);
    // A run started after the stop gets its processes going on the same server; by then a
    // script of the stopped run that slipped through would be running too, so it is looked for
    // only once the peer is seen (and again after the peer is stopped).
    String peerMarker = "marker-" + UUID.randomUUID();
    Execution peer = executor.start(request(scriptWithChildren(peerMarker), Duration.ofMinutes(5)));
    await().atMost(Duration.ofSeconds(10)).until(() -> processesWith(peerMarker).size() >= 2);
    assertThat(processesWith(marker)).isEmpty();
    peer.stop();
    assertThat(SshFixture.await(peer)).isInstanceOf(ExecutionOutcome.Stopped.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(peerMarker).isEmpty());
    assertThat(processesWith(marker)).isEmpty();
  }

  @Test
  void stopWhileQueuedNeverStartsTheScript() throws Exception {
    // One session per run, so the second run waits for the only session.
    try (MinaSshExecutor single = SshFixture.unpooled(server, new Limits(1, 4096))) {
      Execution first = single.start(request("sleep 300", Duration.ofMinutes(5)));
      first.started().get(10, TimeUnit.SECONDS);
      String marker = "marker-" + UUID.randomUUID();
      Execution queued =
          single.start(request("echo " + marker + "; sleep 300", Duration.ofMinutes(5)));
      // A queued run holds no output buffer: 1,000 of them must not cost 1,000 buffers.
      assertThat(((MinaExecution) queued).outputAllocated()).isZero();

      queued.stop();

      ExecutionOutcome outcome = SshFixture.await(queued);
      assertThat(outcome).isInstanceOf(ExecutionOutcome.Stopped.class);
      assertThat(outcome.output().text()).isEmpty();
      assertThat(queued.started()).isCancelled();
      assertThat(first.outcome()).isNotDone();
      first.stop();
      assertThat(SshFixture.await(first)).isInstanceOf(ExecutionOutcome.Stopped.class);
      // The permit comes back when the session has closed, just after the outcome.
      await().atMost(Duration.ofSeconds(5)).until(() -> single.sessionsInUse() == 0);
    }
  }

  @Test
  void closeStopsEveryLiveRun() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    MinaSshExecutor closing = SshFixture.executor(server);
    Execution run = closing.start(request(scriptWithChildren(marker), Duration.ofMinutes(5)));
    run.started().get(10, TimeUnit.SECONDS);

    closing.close();

    assertThat(run.outcome()).isCompleted();
    assertThat(run.outcome().get()).isInstanceOf(ExecutionOutcome.Stopped.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());
    assertThat(SshFixture.await(closing.start(request("true", Duration.ofSeconds(5)))))
        .isInstanceOf(ExecutionOutcome.CouldNotRun.class);
  }

  @Test
  void stopAtAnyMomentEndsTheRunAndLeavesNoProcess() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    ScheduledExecutorService stopper = Executors.newSingleThreadScheduledExecutor();
    try {
      List<Execution> runs = IntStream.range(0, 8).mapToObj(i -> {
        Execution run = executor.start(request(scriptWithChildren(marker), Duration.ofMinutes(5)));
        stopper.schedule(run::stop, i * 60L, TimeUnit.MILLISECONDS);
        return run;
      }).toList();

      for (Execution run : runs) {
        assertThat(SshFixture.await(run)).isInstanceOf(ExecutionOutcome.Stopped.class);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).isEmpty());
      // Each run lets its connection go just after its outcome (once its kill answered).
      await().atMost(Duration.ofSeconds(5)).until(() -> executor.runsOnConnections() == 0);
    } finally {
      stopper.shutdownNow();
    }
  }

  @Test
  void serverGoingAwayMidRunIsConnectionLost() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    EmbeddedSshServer doomed = SshFixture.startServer(dir.resolve("doomed"));
    try (MinaSshExecutor own = SshFixture.executor(doomed)) {
      Execution run = own.start(new ExecutionRequest("t-test/web-1", instance(doomed),
          "echo hi; sh -c 'sleep 3; : " + marker + "'", Optional.empty(), Duration.ofMinutes(1)));
      run.started().get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker).size() >= 2);

      doomed.close();

      ExecutionOutcome outcome = SshFixture.await(run);
      assertThat(outcome).isInstanceOf(ExecutionOutcome.CouldNotRun.class);
      assertThat(((ExecutionOutcome.CouldNotRun) outcome).code())
          .isEqualTo(ErrorCode.ConnectionLost);
      assertThat(outcome.output().text()).isEqualTo("hi\n");
    }
  }

  private static long processGroupOf(String marker) throws IOException, InterruptedException {
    String pid = processesWith(marker).get(0).split(" ")[0];
    Process ps = new ProcessBuilder("ps", "-o", "pgid=", "-p", pid).start();
    String out = new String(ps.getInputStream().readAllBytes()).trim();
    ps.waitFor(5, TimeUnit.SECONDS);
    return Long.parseLong(out);
  }
}
