package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.SshSettings;
import io.fleetrun.testing.LocalProcesses;
import io.fleetrun.testing.OpenSshTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop against a real OpenSSH target whose login shell runs an rc file first ({@code BASH_ENV},
 * which non-interactive bash sources before the command): one that prints a banner before
 * fleetrun's wrapper, and one that is slow, so the process group id arrives late or never.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MinaSshExecutorChattyShellIT {
  private Path dir;
  private Path rc;
  private OpenSshTargets targets;

  @BeforeAll
  void startTargets(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    rc = Files.writeString(dir.resolve("rc.sh"), "");
    targets = OpenSshTargets.start(Files.createDirectories(dir.resolve("farm")), 1,
        List.of("SetEnv BASH_ENV=" + rc));
  }

  @AfterAll
  void stopTargets() {
    if (targets != null) {
      targets.close();
    }
  }

  @AfterEach
  void quietShell() throws Exception {
    Files.writeString(rc, "");
  }

  private MinaSshExecutor executor() {
    return new MinaSshExecutor(
        new SshSettings(targets.user(), Optional.empty(), targets.knownHosts(),
            HostKeyPolicy.STRICT, Duration.ofSeconds(5), SshSettings.DEFAULT_KEY_EXCHANGES),
        new Limits(10, 16384), Clock.systemUTC());
  }

  private Execution start(MinaSshExecutor executor, String script) {
    Instance instance = new Instance(new InstanceId("t"), "127.0.0.1", targets.ports().get(0),
        targets.user(), Optional.of(targets.clientKey()), Optional.empty(), Set.of());
    return executor.start(new ExecutionRequest("it", instance, script, Optional.empty(),
        Duration.ofSeconds(60)));
  }

  @Test
  void stopEndsAScriptWhoseLoginShellPrintsABannerFirst() throws Exception {
    // A fake pgid line without the run's token must be ignored, and a last line without a
    // newline must not hide the real one.
    Files.writeString(rc, "echo 'Welcome to the target'\necho 'fleetrun-pgid=99999999'\n"
        + "echo 'motd: be nice'\nprintf 'no newline'\n");
    try (MinaSshExecutor executor = executor()) {
      Execution run = start(executor, "echo script-out; sleep 431; :");
      await().atMost(Duration.ofSeconds(10))
          .until(() -> !targets.processesMatching("sleep 431").isEmpty());

      run.stop();

      ExecutionOutcome outcome = run.outcome().get(30, TimeUnit.SECONDS);
      assertThat(outcome).isInstanceOf(ExecutionOutcome.Stopped.class);
      // (setsid -w may add a line on stderr about its killed child)
      assertThat(outcome.output().text()).startsWith("Welcome to the target\n"
          + "fleetrun-pgid=99999999\nmotd: be nice\nno newlinescript-out\n")
          .doesNotContain(" " + run.started().get().id() + "\n");
      assertThat(run.started()).isCompleted();
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> targets.processesMatching("sleep 431").isEmpty());
  }

  @Test
  void timeoutEndsAScriptWhosePgidLineIsBuriedUnderAHugeBanner() throws Exception {
    // 70 KiB before the wrapper's line: past the 64 KiB looked at, so the group id is never
    // learned and the timeout must find the script by its marker.
    Files.writeString(rc, "i=0; while [ $i -lt 700 ]; do printf '%099d\\n' $i; i=$((i+1)); done\n");
    try (MinaSshExecutor executor = executor()) {
      Instance instance = new Instance(new InstanceId("t"), "127.0.0.1", targets.ports().get(0),
          targets.user(), Optional.of(targets.clientKey()), Optional.empty(), Set.of());
      Execution run = executor.start(new ExecutionRequest("it", instance,
          "sh -c 'sleep 433; :' & sleep 434; :", Optional.empty(), Duration.ofSeconds(3)));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> targets.processesMatching("sleep 43").size() >= 2);

      ExecutionOutcome outcome = run.outcome().get(30, TimeUnit.SECONDS);

      assertThat(outcome).isInstanceOf(ExecutionOutcome.TimedOut.class);
      assertThat(run.started()).isCancelled(); // the group id was never learned
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> targets.processesMatching("sleep 43").isEmpty());
  }

  @Test
  void stopWhileTheLoginShellIsSlowLeavesNoScriptBehind() throws Exception {
    // Slow only once (the kill's own channel sources the rc file too): the script's wrapper
    // starts 6.5 s after the run, well after the stop and after the 5 s wait for its group id.
    Path slow = Files.writeString(dir.resolve("slow"), "");
    Path slept = dir.resolve("slept");
    Files.writeString(rc, "if rm " + slow + " 2>/dev/null; then sleep 6.5; touch " + slept
        + "; fi\n");
    try (MinaSshExecutor executor = executor()) {
      Execution run = start(executor, "sleep 432; :");
      await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(slow));
      Thread.sleep(300);

      run.stop();

      assertThat(run.outcome().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionOutcome.Stopped.class);
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(slept));
    }
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
        .until(() -> LocalProcesses.commandLinesContaining("sleep 432").isEmpty());
  }
}
