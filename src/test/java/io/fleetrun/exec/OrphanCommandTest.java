package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fleetrun.testing.LocalCommand;
import io.fleetrun.testing.LocalProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The orphan kill command run by a local {@code /bin/sh}, the way sshd runs it, against process
 * groups started here with {@code setsid}: it must signal only groups that carry the marker.
 */
class OrphanCommandTest {
  private static final Duration GRACE = Duration.ofMillis(300);
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-orphantest-4");
  private static final String TOKEN = RemoteCommand.newToken();
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    // The shell's builtin kill: procps-ng 4.0.2's /usr/bin/kill reads "-KILL -123" as kill(-1).
    started.forEach(p -> LocalCommand.run(Duration.ofSeconds(5), "/bin/sh", "-c", "kill -KILL -" + p.pid()));
  }

  @Test
  void refusesALiveGroupWhoseLeaderLacksTheMarker() throws Exception {
    Process foreign = group("sleep 31; :", "some-other-program");

    OrphanKill kill = runKill(OptionalLong.of(foreign.pid()), MARKER);

    assertThat(kill).isInstanceOf(OrphanKill.NotRunning.class);
    assertThat(((OrphanKill.NotRunning) kill).detail()).contains("another program");
    Thread.sleep(GRACE.toMillis() + 200);
    assertThat(LocalProcesses.isRunning(foreign.toHandle())).isTrue();
    assertThat(LocalProcesses.commandLinesContaining("sleep 31")).isNotEmpty();
  }

  @Test
  void killsTheWholeGroupWhoseLeaderCarriesTheMarker() throws Exception {
    Process ours = group("trap '' TERM; sleep 32; :", MARKER.value());

    OrphanKill kill = runKill(OptionalLong.of(ours.pid()), MARKER);

    assertThat(kill).isEqualTo(new OrphanKill.Killed(List.of(ours.pid())));
    awaitGone("sleep 32");
  }

  @Test
  void findsTheRunByItsMarkerWhenNoGroupWasRecordedAndSparesSimilarMarkers() throws Exception {
    long pgid = wrapped("sleep 33; :", MARKER);
    long similar = wrapped("sleep 34; :", new ProcessMarker(MARKER.value() + "2"));

    OrphanKill kill = runKill(OptionalLong.empty(), MARKER);

    assertThat(kill).isEqualTo(new OrphanKill.Killed(List.of(pgid)));
    awaitGone("sleep 33");
    assertThat(LocalProcesses.commandLinesContaining("sleep 34")).isNotEmpty();
    assertThat(runKill(OptionalLong.of(similar), MARKER)).isInstanceOf(OrphanKill.NotRunning.class);
  }

  @Test
  void searchSparesAProcessWithTheMarkerOnlyInItsArguments() throws Exception {
    // Like an operator's `pgrep -f <marker>`: the marker is a whole argument, not in the environment.
    Process operator = group("sleep 36; :", MARKER.value());
    long pgid = wrapped("sleep 37; :", MARKER);

    OrphanKill kill = runKill(OptionalLong.empty(), MARKER);

    assertThat(kill).isEqualTo(new OrphanKill.Killed(List.of(pgid)));
    awaitGone("sleep 37");
    assertThat(LocalProcesses.isRunning(operator.toHandle())).isTrue();
    assertThat(LocalProcesses.commandLinesContaining("sleep 36")).isNotEmpty();
  }

  @Test
  void aGroupWhoseLeaderEndedIsKilledWhenAMemberCarriesTheRunEnvironment() throws Exception {
    Process leader = new ProcessBuilder("/bin/sh", "-c",
        RemoteCommand.wrap("sleep 38 >/dev/null 2>&1 & exit 0", Optional.empty(), MARKER, TOKEN))
        .start();
    started.add(leader);
    long pgid = RemoteCommand.parsePgidLine(firstLine(leader), TOKEN).orElseThrow().id();
    assertThat(leader.waitFor(5, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() ->
        !LocalProcesses.commandLinesContaining("sleep 38").isEmpty());

    assertThat(runKill(OptionalLong.of(pgid), MARKER))
        .isEqualTo(new OrphanKill.Killed(List.of(pgid)));
    awaitGone("sleep 38");
  }

  @Test
  void aGroupWhoseLeaderEndedIsLeftAloneWhenNoMemberCarriesTheRunEnvironment() throws Exception {
    // The marker is the leader's $0 only; the leader ends, its child lives on without the env.
    Process leader = new ProcessBuilder("setsid", "/bin/sh", "-c",
        "sleep 39 >/dev/null 2>&1 & exit 0", MARKER.value()).start();
    started.add(leader);
    assertThat(leader.waitFor(5, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() ->
        !LocalProcesses.commandLinesContaining("sleep 39").isEmpty());

    OrphanKill kill = runKill(OptionalLong.of(leader.pid()), MARKER);

    assertThat(kill).isInstanceOf(OrphanKill.NotRunning.class);
    assertThat(((OrphanKill.NotRunning) kill).detail()).contains("another program");
    Thread.sleep(GRACE.toMillis() + 200);
    assertThat(LocalProcesses.commandLinesContaining("sleep 39")).isNotEmpty();
  }

  @Test
  void aScriptThatExecsIsStillRecognisedByItsEnvironment() throws Exception {
    long pgid = wrapped("exec sleep 35", MARKER);

    assertThat(runKill(OptionalLong.of(pgid), MARKER))
        .isEqualTo(new OrphanKill.Killed(List.of(pgid)));
    awaitGone("sleep 35");
  }

  @Test
  void aGroupThatEndedIsNotRunning() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();

    assertThat(runKill(OptionalLong.of(ended.pid()), MARKER))
        .isEqualTo(new OrphanKill.NotRunning("no such process any more"));
    assertThat(runKill(OptionalLong.empty(), MARKER))
        .isEqualTo(new OrphanKill.NotRunning("no process carries the run's marker"));
  }

  @Test
  void refusesTheAnonymousMarkerAndSillyGroups() {
    assertThatThrownBy(() -> OrphanCommand.build(OptionalLong.empty(), ProcessMarker.ANONYMOUS, GRACE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OrphanCommand.build(OptionalLong.of(1), MARKER, GRACE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProcessMarker("fleetrun-x'; rm -rf /"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsTheLastAnswerLine() {
    assertThat(OrphanCommand.parse("noise\nfleetrun-orphan=killed 12 40 12\n"))
        .contains(new OrphanKill.Killed(List.of(12L, 40L)));
    assertThat(OrphanCommand.parse("fleetrun-orphan=gone")).get()
        .isInstanceOf(OrphanKill.NotRunning.class);
    assertThat(OrphanCommand.parse("bash: no such file")).isEmpty();
  }

  /** A new session and process group led by {@code /bin/sh -c script} with {@code $0 = name}. */
  private Process group(String script, String name) throws Exception {
    Process p = new ProcessBuilder("setsid", "/bin/sh", "-c", script, name).start();
    started.add(p);
    await().atMost(Duration.ofSeconds(5)).until(() -> LocalProcesses.isRunning(p.toHandle()));
    Thread.sleep(100); // let the shell start its child
    return p;
  }

  /** Starts {@code script} under the real run wrapper; returns the group id it reports. */
  private long wrapped(String script, ProcessMarker marker) throws IOException {
    Process p = new ProcessBuilder("/bin/sh", "-c", RemoteCommand.wrap(script, Optional.empty(), marker, TOKEN))
        .redirectErrorStream(true).start();
    started.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long pgid = RemoteCommand.parsePgidLine(out.readLine(), TOKEN).orElseThrow().id();
    await().atMost(Duration.ofSeconds(5)).until(() ->
        LocalProcesses.commandLinesContaining(script.replace("exec ", "").replace("; :", "")).size() > 0);
    return pgid;
  }

  private static String firstLine(Process p) throws IOException {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
        .readLine();
  }

  private static OrphanKill runKill(OptionalLong pgid, ProcessMarker marker) {
    LocalCommand.Result result = LocalCommand.run(Duration.ofSeconds(10), "/bin/sh", "-c",
        OrphanCommand.build(pgid, marker, GRACE));
    assertThat(result.timedOut()).isFalse();
    return OrphanCommand.parse(result.output()).orElseThrow(() -> new AssertionError(result.output()));
  }

  private static void awaitGone(String marker) {
    await().atMost(Duration.ofSeconds(5)).until(() -> LocalProcesses.commandLinesContaining(marker).isEmpty());
  }
}
