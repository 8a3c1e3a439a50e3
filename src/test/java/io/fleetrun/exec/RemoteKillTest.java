package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.testing.LocalCommand;
import io.fleetrun.testing.LocalProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The command a stop or a timeout sends, run by a local {@code /bin/sh} the way sshd runs it: a
 * process group id alone is no proof (ids are reused), so a group without the run's marker
 * survives it.
 */
class RemoteKillTest {
  private static final Duration GRACE = Duration.ofMillis(300);
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-livekill-7");
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    // The shell's builtin kill: procps-ng's /usr/bin/kill reads "-KILL -123" as kill(-1).
    started.forEach(p ->
        LocalCommand.run(Duration.ofSeconds(5), "/bin/sh", "-c", "kill -KILL -" + p.pid()));
  }

  @Test
  void aGroupIdNowUsedByAnotherProgramIsLeftAlone() throws Exception {
    Process foreign = group("sleep 51; :", "another-program");

    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/sh", "-c",
        RemoteKill.command(OptionalLong.of(foreign.pid()), MARKER, GRACE));

    assertThat(result.timedOut()).isFalse();
    Thread.sleep(GRACE.toMillis() + 300);
    assertThat(LocalProcesses.isRunning(foreign.toHandle())).isTrue();
    assertThat(LocalProcesses.commandLinesContaining("sleep 51")).isNotEmpty();
  }

  @Test
  void theRunsOwnGroupIsEndedEvenWhenItIgnoresTerm() throws Exception {
    Process ours = group("trap '' TERM; sleep 52; :", MARKER.value());

    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/sh", "-c",
        RemoteKill.command(OptionalLong.of(ours.pid()), MARKER, GRACE));

    assertThat(result.timedOut()).isFalse();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> LocalProcesses.commandLinesContaining("sleep 52").isEmpty());
  }

  /** A new session and process group led by {@code /bin/sh -c script} with {@code $0 = name}. */
  private Process group(String script, String name) throws Exception {
    Process p = new ProcessBuilder("setsid", "/bin/sh", "-c", script, name).start();
    started.add(p);
    await().atMost(Duration.ofSeconds(5)).until(() ->
        !LocalProcesses.commandLinesContaining(script.substring(script.indexOf("sleep"),
            script.indexOf(';', script.indexOf("sleep")))).isEmpty());
    return p;
  }
}
