package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.testing.LocalCommand;
import io.fleetrun.testing.LocalProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
  private final List<Long> groups = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    // The shell's builtin kill: procps-ng's /usr/bin/kill reads "-KILL -123" as kill(-1).
    started.forEach(p ->
        LocalCommand.run(Duration.ofSeconds(5), "/bin/sh", "-c", "kill -KILL -" + p.pid()));
    groups.forEach(g ->
        LocalCommand.run(Duration.ofSeconds(5), "/bin/sh", "-c", "kill -KILL -" + g));
  }

  @Test
  void aGroupIdNowUsedByAnotherProgramIsLeftAlone() throws Exception {
    Process foreign = group("sleep 51; :", "another-program");

    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/sh", "-c",
        RemoteKill.command(OptionalLong.of(foreign.pid()), OptionalLong.empty(), MARKER, GRACE));

    assertThat(result.timedOut()).isFalse();
    Thread.sleep(GRACE.toMillis() + 300);
    assertThat(LocalProcesses.isRunning(foreign.toHandle())).isTrue();
    assertThat(LocalProcesses.commandLinesContaining("sleep 51")).isNotEmpty();
  }

  @Test
  void theRunsOwnGroupIsEndedEvenWhenItIgnoresTerm() throws Exception {
    Process ours = group("trap '' TERM; sleep 52; :", MARKER.value());

    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/sh", "-c",
        RemoteKill.command(OptionalLong.of(ours.pid()), OptionalLong.empty(), MARKER, GRACE));

    assertThat(result.timedOut()).isFalse();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> LocalProcesses.commandLinesContaining("sleep 52").isEmpty());
  }

  @Test
  void theRunsGroupIsEndedAfterItsLeaderExecedIntoAProgramWithoutEitherMarker() throws Exception {
    RemoteGroup group = wrappedRun("exec env -i sleep 53");

    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/sh", "-c",
        RemoteKill.command(OptionalLong.of(group.id()), group.leaderStart(), MARKER, GRACE));

    assertThat(result.timedOut()).isFalse();
    assertThat(result.output()).contains("fleetrun-orphan=killed " + group.id());
    await().atMost(Duration.ofSeconds(5))
        .until(() -> LocalProcesses.commandLinesContaining("sleep 53").isEmpty());
  }

  @Test
  void bashAsTheTargetsShellEndsSuchAGroupToo() throws Exception {
    RemoteGroup group = wrappedRun("exec env -i sleep 56");

    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/bash", "-c",
        RemoteKill.command(OptionalLong.of(group.id()), group.leaderStart(), MARKER, GRACE));

    assertThat(result.output()).contains("fleetrun-orphan=killed " + group.id());
    await().atMost(Duration.ofSeconds(5))
        .until(() -> LocalProcesses.commandLinesContaining("sleep 56").isEmpty());
  }

  @Test
  void aLeaderWithTheRunsPidButAnotherStartTimeIsLeftAlone() throws Exception {
    // The pid reused by another program: no marker, and it started at another time.
    RemoteGroup group = wrappedRun("exec env -i sleep 54");
    OptionalLong otherStart = OptionalLong.of(group.leaderStart().orElseThrow() + 1);

    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/sh", "-c",
        RemoteKill.command(OptionalLong.of(group.id()), otherStart, MARKER, GRACE));

    assertThat(result.output()).contains("fleetrun-orphan=not-ours");
    Thread.sleep(GRACE.toMillis() + 300);
    assertThat(LocalProcesses.commandLinesContaining("sleep 54")).isNotEmpty();
  }

  @Test
  void aForeignGroupWithAnotherStartTimeIsLeftAlone() throws Exception {
    Process foreign = group("sleep 55; :", "another-program");

    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/sh", "-c",
        RemoteKill.command(OptionalLong.of(foreign.pid()), OptionalLong.of(1), MARKER, GRACE));

    assertThat(result.output()).contains("fleetrun-orphan=not-ours");
    Thread.sleep(GRACE.toMillis() + 300);
    assertThat(LocalProcesses.isRunning(foreign.toHandle())).isTrue();
  }

  /**
   * Runs {@code script} the way a target does: wrapped, by bash (the {@code /bin/sh} of some
   * targets, which execs a one-command script directly), in a session of its own.
   *
   * @return the process group the wrapper reported
   */
  private RemoteGroup wrappedRun(String script) throws Exception {
    String token = RemoteCommand.newToken();
    Process p = new ProcessBuilder("setsid", "/bin/bash", "-c",
        RemoteCommand.wrap(script, Optional.empty(), MARKER, token)).start();
    started.add(p);
    BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).get(10, TimeUnit.SECONDS);
    RemoteGroup group = RemoteCommand.parsePgidLine(line, token).orElseThrow();
    groups.add(group.id());
    String sleep = script.substring(script.indexOf("sleep"));
    await().atMost(Duration.ofSeconds(5))
        .until(() -> !LocalProcesses.commandLinesContaining(sleep).isEmpty());
    return group;
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
