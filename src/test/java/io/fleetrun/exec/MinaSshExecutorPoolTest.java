package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.Output;
import io.fleetrun.model.SshSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kept connections: reuse, idle close, limits, and a dead one replaced without a second run. */
class MinaSshExecutorPoolTest {
  @TempDir Path dir;
  CountingSshServer server;
  Path clientKey;

  @BeforeEach
  void startServer() throws IOException {
    server = CountingSshServer.start(dir);
    clientKey = EmbeddedSshServer.writeNewKey(dir.resolve("id_ed25519"));
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private MinaSshExecutor executor(Duration keepAlive, int channels) {
    SshSettings ssh = new SshSettings("fleet", Optional.empty(), dir.resolve("known_hosts"),
        HostKeyPolicy.ACCEPT_NEW, Duration.ofSeconds(5), SshSettings.DEFAULT_KEY_EXCHANGES,
        keepAlive, channels);
    return new MinaSshExecutor(ssh, Limits.defaults(), Clock.systemUTC(),
        new ExecutorTuning(SshFixture.TEST_KILL_GRACE, 50));
  }

  private Instance instance(String user) {
    return new Instance(new InstanceId("web-1"), "127.0.0.1", server.port(), user,
        Optional.of(clientKey), Optional.empty(), Set.of());
  }

  private static ExecutionOutcome run(MinaSshExecutor executor, Instance instance, String script) {
    return SshFixture.await(executor.start(SshFixture.request(instance, script)));
  }

  private static ExecutionOutcome ok(String line) {
    return new ExecutionOutcome.Exited(0, new Output(line + "\n", 0));
  }

  @Test
  void secondRunGoesOverTheKeptConnection() {
    try (MinaSshExecutor executor = executor(Duration.ofMinutes(5), 8)) {
      assertThat(run(executor, instance("fleet"), "echo one")).isEqualTo(ok("one"));
      assertThat(run(executor, instance("fleet"), "echo two")).isEqualTo(ok("two"));

      assertThat(server.sessionsOpened()).isEqualTo(1);
      assertThat(server.sessionsOpen()).isEqualTo(1); // kept between and after the runs
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 0); // close()
  }

  @Test
  void idleConnectionClosesAfterKeepAlive() {
    try (MinaSshExecutor executor = executor(Duration.ofMillis(300), 8)) {
      assertThat(run(executor, instance("fleet"), "echo one")).isEqualTo(ok("one"));

      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 0);
      assertThat(executor.pool().connections()).isZero();
      assertThat(executor.sessionsInUse()).isZero();
      assertThat(run(executor, instance("fleet"), "echo two")).isEqualTo(ok("two"));
      assertThat(server.sessionsOpened()).isEqualTo(2);
    }
  }

  @Test
  void keepAliveZeroOpensOneSessionPerRun() {
    try (MinaSshExecutor executor = executor(Duration.ZERO, 8)) {
      assertThat(run(executor, instance("fleet"), "echo one")).isEqualTo(ok("one"));
      assertThat(run(executor, instance("fleet"), "echo two")).isEqualTo(ok("two"));

      assertThat(server.sessionsOpened()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 0);
    }
  }

  @Test
  void runsBeyondTheChannelLimitOpenASecondConnection() {
    // 4 channels: 2 runs, each with room for its kill.
    try (MinaSshExecutor executor = executor(Duration.ofMinutes(5), 4)) {
      List<Execution> runs = IntStream.range(0, 3)
          .mapToObj(i -> executor.start(SshFixture.request(instance("fleet"), "sleep 0.5")))
          .toList();

      runs.forEach(r -> assertThat(SshFixture.await(r)).isInstanceOf(ExecutionOutcome.Exited.class));
      assertThat(server.sessionsOpened()).isEqualTo(2);
      assertThat(executor.pool().connections()).isEqualTo(2);
    }
  }

  @Test
  void aConnectionGoingIdleMakesRoomForOnesWaitingAtTheSessionLimit() {
    SshSettings ssh = new SshSettings("fleet", Optional.empty(), dir.resolve("known_hosts"),
        HostKeyPolicy.ACCEPT_NEW, Duration.ofSeconds(5), SshSettings.DEFAULT_KEY_EXCHANGES,
        Duration.ofMinutes(5), 8);
    // One session for three instances, all started at once: each must get the permit as the
    // one before goes idle, not after the 5 min keepAlive.
    try (MinaSshExecutor executor = new MinaSshExecutor(ssh, new Limits(1, Limits.DEFAULT_OUTPUT_BYTES),
        Clock.systemUTC(), new ExecutorTuning(SshFixture.TEST_KILL_GRACE, 50))) {
      List<Execution> runs = IntStream.range(1, 4)
          .mapToObj(i -> executor.start(SshFixture.request(new Instance(new InstanceId("web-" + i),
              "127.0.0.1", server.port(), "fleet", Optional.of(clientKey), Optional.empty(), Set.of()),
              "echo " + i)))
          .toList();

      for (int i = 0; i < runs.size(); i++) {
        assertThat(SshFixture.await(runs.get(i))).isEqualTo(ok(String.valueOf(i + 1)));
      }
      assertThat(server.sessionsOpened()).isEqualTo(3);
    }
  }

  @Test
  void deadConnectionIsReplacedAndTheScriptRunsOnce() throws IOException {
    try (MinaSshExecutor executor = executor(Duration.ofMinutes(5), 8)) {
      assertThat(run(executor, instance("fleet"), "echo one")).isEqualTo(ok("one"));
      server.restart();
      String marker = "once-" + UUID.randomUUID();

      assertThat(run(executor, instance("fleet"), "echo " + marker)).isEqualTo(ok(marker));

      assertThat(server.ran(marker)).isEqualTo(1);
      assertThat(server.sessionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void channelRefusedOnAKeptConnectionIsRetriedOnceOnAFreshOne() {
    try (MinaSshExecutor executor = executor(Duration.ofMinutes(5), 8)) {
      assertThat(run(executor, instance("fleet"), "echo one")).isEqualTo(ok("one"));
      server.refuseChannels(1);
      String marker = "once-" + UUID.randomUUID();

      assertThat(run(executor, instance("fleet"), "echo " + marker)).isEqualTo(ok(marker));

      assertThat(server.ran(marker)).isEqualTo(1);
      assertThat(server.sessionsOpened()).isEqualTo(2);
      // The refusing connection is given up once its runs are done.
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 1);
    }
  }

  @Test
  void channelRefusedOnAFreshConnectionIsNotRetried() {
    try (MinaSshExecutor executor = executor(Duration.ofMinutes(5), 8)) {
      server.refuseChannels(1);

      ExecutionOutcome outcome = run(executor, instance("fleet"), "echo one");

      assertThat(outcome).isInstanceOf(ExecutionOutcome.CouldNotRun.class);
      assertThat(((ExecutionOutcome.CouldNotRun) outcome).code())
          .isEqualTo(ErrorCode.ConnectionLost);
      assertThat(server.sessionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void changedLoginDropsTheKeptConnection() {
    try (MinaSshExecutor executor = executor(Duration.ofMinutes(5), 8)) {
      assertThat(run(executor, instance("fleet"), "echo one")).isEqualTo(ok("one"));

      assertThat(run(executor, instance("deploy"), "echo two")).isEqualTo(ok("two"));

      assertThat(server.sessionsOpened()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 1);
      assertThat(executor.pool().connections()).isEqualTo(1);
    }
  }
}
