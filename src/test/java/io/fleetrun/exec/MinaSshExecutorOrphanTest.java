package io.fleetrun.exec;

import static io.fleetrun.exec.SshFixture.instance;
import static io.fleetrun.exec.SshFixture.processesWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.Instance;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MinaSshExecutor#killOrphan} over SSH: a second executor (standing in for the daemon
 * after a restart) ends a run that another one started, only when the group carries its marker.
 */
class MinaSshExecutorOrphanTest {
  @TempDir static Path dir;
  static EmbeddedSshServer server;
  static MinaSshExecutor first;
  static MinaSshExecutor restarted;

  @BeforeAll
  static void startServer() throws IOException {
    server = SshFixture.startServer(dir.resolve("ssh"));
    first = SshFixture.executor(server);
    restarted = SshFixture.executor(server);
  }

  @AfterAll
  static void stopServer() {
    first.close();
    restarted.close();
    server.close();
  }

  @Test
  void killsTheRunOfAPreviousDaemonByItsGroupAndMarker() throws Exception {
    String tag = "orphan-" + UUID.randomUUID();
    ProcessMarker marker = new ProcessMarker("fleetrun-t-orphan-1");
    Execution run = start(tag, marker);
    long pgid = run.started().get(10, TimeUnit.SECONDS).id();

    OrphanKill kill = restarted.killOrphan(instance(server), OptionalLong.of(pgid), marker)
        .get(15, TimeUnit.SECONDS);

    assertThat(kill).isEqualTo(new OrphanKill.Killed(List.of(pgid)));
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(tag).isEmpty());
    assertThat(run.outcome().get(10, TimeUnit.SECONDS)).isNotInstanceOf(ExecutionOutcome.CouldNotRun.class);
  }

  @Test
  void killsTheRunWhoseLeaderExecedIntoAProgramWithoutTheMarkerByItsStartTime() throws Exception {
    // A sleep of a length no other test uses: it is the leader, and it lacks both markers.
    String tag = "sleep 31" + (100 + new java.util.Random().nextInt(900));
    ProcessMarker marker = new ProcessMarker("fleetrun-t-orphan-4");
    Execution run = first.start(new ExecutionRequest("t-orphan/web-1", instance(server),
        "exec env -i " + tag, Optional.empty(), Duration.ofSeconds(60), marker));
    RemoteGroup group = run.started().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> !processesWith(tag).isEmpty());

    OrphanKill kill = restarted.killOrphan(instance(server), OptionalLong.of(group.id()),
        group.leaderStart(), marker).get(15, TimeUnit.SECONDS);

    assertThat(kill).isEqualTo(new OrphanKill.Killed(List.of(group.id())));
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(tag).isEmpty());
  }

  @Test
  void findsTheRunByItsMarkerWhenTheGroupWasNeverRecorded() throws Exception {
    String tag = "orphan-" + UUID.randomUUID();
    ProcessMarker marker = new ProcessMarker("fleetrun-t-orphan-2");
    Execution run = start(tag, marker);
    long pgid = run.started().get(10, TimeUnit.SECONDS).id();

    OrphanKill kill = restarted.killOrphan(instance(server), OptionalLong.empty(), marker)
        .get(15, TimeUnit.SECONDS);

    assertThat(kill).isInstanceOf(OrphanKill.Killed.class);
    assertThat(((OrphanKill.Killed) kill).processGroups()).contains(pgid);
    await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(tag).isEmpty());
  }

  @Test
  void leavesAGroupAloneWhoseMarkerIsAnotherRecords() throws Exception {
    String tag = "orphan-" + UUID.randomUUID();
    Execution run = start(tag, new ProcessMarker("fleetrun-t-orphan-3"));
    long pgid = run.started().get(10, TimeUnit.SECONDS).id();

    OrphanKill kill = restarted.killOrphan(instance(server), OptionalLong.of(pgid),
        new ProcessMarker("fleetrun-t-orphan-33")).get(15, TimeUnit.SECONDS);

    assertThat(kill).isInstanceOf(OrphanKill.NotRunning.class);
    assertThat(processesWith(tag)).isNotEmpty();
    run.stop();
    assertThat(run.outcome().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionOutcome.Stopped.class);
  }

  @Test
  void anUnreachableTargetIsAValueWithinTheBound() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Instance gone = instance(closedPort, Optional.of(server.clientKey()), Optional.empty());

    OrphanKill kill = restarted.killOrphan(gone, OptionalLong.of(4242),
        new ProcessMarker("fleetrun-t-orphan-4")).get(restarted.orphanKillBound().toSeconds() + 2, TimeUnit.SECONDS);

    assertThat(kill).isInstanceOf(OrphanKill.Unreachable.class);
    assertThat(((OrphanKill.Unreachable) kill).reason()).contains("ConnectionRefused");
  }

  private static Execution start(String tag, ProcessMarker marker) {
    Execution run = first.start(new ExecutionRequest("t-orphan/web-1", instance(server),
        "sh -c 'sleep 300; echo " + tag + "' & wait", Optional.empty(), Duration.ofSeconds(60), marker));
    await().atMost(Duration.ofSeconds(10)).until(() -> !processesWith(tag).isEmpty());
    return run;
  }
}
