package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.SshSettings;
import io.fleetrun.testing.LocalCommand;
import io.fleetrun.testing.LocalProcesses;
import io.fleetrun.testing.OpenSshTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The executor against real OpenSSH: key types, hashed known_hosts, and kills that leave nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MinaSshExecutorOpenSshIT {
  private Path dir;
  private OpenSshTargets targets;

  @BeforeAll
  void startTargets(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    targets = OpenSshTargets.start(Files.createDirectories(dir.resolve("farm")), 1);
    Path authorized = targets.clientKey().resolveSibling(targets.clientKey().getFileName() + ".pub");
    for (String type : List.of("rsa", "ecdsa")) {
      Path key = dir.resolve("id_" + type);
      // RSA key generation takes long on a loaded 2-core machine.
      LocalCommand.Result made = LocalCommand.run(Duration.ofSeconds(120),
          List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-f", key.toString()));
      assertThat(made.ok()).as(made.output()).isTrue();
      Files.writeString(authorized, Files.readString(key.resolveSibling(key.getFileName() + ".pub")),
          StandardOpenOption.APPEND);
    }
  }

  @AfterAll
  void stopTargets() {
    if (targets != null) {
      targets.close();
    }
  }

  private Instance instance(Path key) {
    return new Instance(new InstanceId("t"), "127.0.0.1", targets.ports().get(0), targets.user(),
        Optional.of(key), Optional.empty(), Set.of());
  }

  private MinaSshExecutor executor(Path knownHosts) {
    return new MinaSshExecutor(
        new SshSettings(targets.user(), Optional.empty(), knownHosts, HostKeyPolicy.STRICT,
            Duration.ofSeconds(5), SshSettings.DEFAULT_KEY_EXCHANGES),
        new Limits(10, 4096), Clock.systemUTC());
  }

  private static ExecutionOutcome run(MinaSshExecutor executor, Instance instance, String script, Duration timeout)
      throws Exception {
    return executor.start(new ExecutionRequest("it", instance, script, Optional.empty(), timeout))
        .outcome().get(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"id_ed25519", "id_rsa", "id_ecdsa"})
  void logsInWithEveryOpenSshKeyType(String keyName) throws Exception {
    Path key = keyName.equals("id_ed25519") ? targets.clientKey() : dir.resolve(keyName);
    try (MinaSshExecutor executor = executor(targets.knownHosts())) {
      assertThat(run(executor, instance(key), "echo key-ok", Duration.ofSeconds(10)))
          .isEqualTo(new ExecutionOutcome.Exited(0, new io.fleetrun.model.Output("key-ok\n", 0)));
    }
  }

  @Test
  void acceptsAHashedKnownHostsEntry() throws Exception {
    Path hashed = dir.resolve("known_hosts_hashed");
    Files.copy(targets.knownHosts(), hashed);
    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(30), List.of("ssh-keygen", "-H", "-f", hashed.toString()));
    assertThat(result.ok()).as(result.output()).isTrue();
    assertThat(Files.readString(hashed)).startsWith("|1|");
    try (MinaSshExecutor executor = executor(hashed)) {
      assertThat(run(executor, instance(targets.clientKey()), "true", Duration.ofSeconds(10)))
          .isInstanceOf(ExecutionOutcome.Exited.class);
    }
  }

  @Test
  void twoRunsGoOverOneKeptConnection() throws Exception {
    try (MinaSshExecutor executor = executor(targets.knownHosts())) {
      // SSH_CONNECTION names the client's port: the same port is the same TCP connection.
      ExecutionOutcome first = run(executor, instance(targets.clientKey()), "echo $SSH_CONNECTION",
          Duration.ofSeconds(10));
      ExecutionOutcome second = run(executor, instance(targets.clientKey()),
          "echo $SSH_CONNECTION", Duration.ofSeconds(10));

      assertThat(first).isInstanceOf(ExecutionOutcome.Exited.class);
      assertThat(first.output().text()).startsWith("127.0.0.1 ");
      assertThat(second.output().text()).isEqualTo(first.output().text());
      assertThat(executor.sessionsInUse()).isEqualTo(1);
    }
  }

  @Test
  void aHostRemovedFromKnownHostsFailsTheNextRunOfAKeptConnection() throws Exception {
    Path edited = dir.resolve("known_hosts_edited");
    Files.copy(targets.knownHosts(), edited, StandardCopyOption.REPLACE_EXISTING);
    try (MinaSshExecutor executor = executor(edited)) {
      assertThat(run(executor, instance(targets.clientKey()), "true", Duration.ofSeconds(10)))
          .isInstanceOf(ExecutionOutcome.Exited.class);
      assertThat(executor.sessionsInUse()).isEqualTo(1); // kept

      // As an operator does before a host gets a new key.
      LocalCommand.Result removed = LocalCommand.run(Duration.ofSeconds(30), List.of("ssh-keygen",
          "-R", "[127.0.0.1]:" + targets.ports().get(0), "-f", edited.toString()));
      assertThat(removed.ok()).as(removed.output()).isTrue();
      ExecutionOutcome second = run(executor, instance(targets.clientKey()), "true",
          Duration.ofSeconds(10));

      assertThat(second).isInstanceOf(ExecutionOutcome.CouldNotRun.class);
      assertThat(((ExecutionOutcome.CouldNotRun) second).code()).isEqualTo(ErrorCode.HostKeyUnknown);
      await().atMost(Duration.ofSeconds(5)).until(() -> executor.sessionsInUse() == 0);
    }
  }

  @Test
  void timeoutEndsTheScriptAndEveryChildOnTheTarget() throws Exception {
    String script = "sh -c 'sleep 421; echo child-a' & sh -c 'sleep 422; echo child-b' & wait";
    try (MinaSshExecutor executor = executor(targets.knownHosts())) {
      Execution execution = executor.start(new ExecutionRequest("it", instance(targets.clientKey()), script,
          // Long enough for both children to start first on a loaded machine (else the timeout
          // can end the run before they exist and the check below proves nothing).
          Optional.of("/tmp"), Duration.ofSeconds(6)));
      long pgid = execution.started().get(10, TimeUnit.SECONDS).id();
      assertThat(pgid).isPositive();
      // The real children only: "sleep 42" alone also matches the wrapper shells holding the script.
      await().atMost(Duration.ofSeconds(5)).until(() -> LocalProcesses.commandLinesEqualTo("sleep 421").size()
          + LocalProcesses.commandLinesEqualTo("sleep 422").size() >= 2);
      assertThat(execution.outcome().get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionOutcome.TimedOut.class);
    }
    targets.awaitNoProcessRunning("sleep 421", Duration.ofSeconds(10));
    targets.awaitNoProcessRunning("sleep 422", Duration.ofSeconds(10));
  }

  @Test
  void stopEndsAProcessThatIgnoresTerm() throws Exception {
    String script = "sh -c 'trap \"\" TERM; sleep 423' & wait";
    try (MinaSshExecutor executor = executor(targets.knownHosts())) {
      Execution execution = executor.start(new ExecutionRequest("it", instance(targets.clientKey()), script,
          Optional.empty(), Duration.ofSeconds(60)));
      execution.started().get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> !LocalProcesses.commandLinesEqualTo("sleep 423").isEmpty());
      execution.stop();
      assertThat(execution.outcome().get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionOutcome.Stopped.class);
    }
    targets.awaitNoProcessRunning("sleep 423", Duration.ofSeconds(10));
  }
}
