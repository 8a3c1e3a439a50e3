package io.fleetrun.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProcessesTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void findsALiveProcessByMarkerUntilItEnds() throws IOException {
    String marker = "fleetrun-mk-" + UUID.randomUUID();
    Process sh = start("/bin/sh", "-c", "sleep 30; true # " + marker);
    try {
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(LocalProcesses.commandLinesContaining(marker))
              .containsExactly("/bin/sh -c sleep 30; true # " + marker));
    } finally {
      sh.descendants().forEach(ProcessHandle::destroyForcibly);
      sh.destroyForcibly();
    }
    await().atMost(WAIT).until(() -> LocalProcesses.commandLinesContaining(marker).isEmpty());
  }

  @Test
  void ignoresPgrepLikeLookers(@TempDir Path dir) throws IOException {
    String marker = "fleetrun-mk-" + UUID.randomUUID();
    // a shell whose argv[0] is "grep": it carries the marker like `grep MARKER` would
    Path grep = Files.createSymbolicLink(dir.resolve("grep"), Path.of("/bin/sh"));
    Process looker = start(grep.toString(), "-c", "sleep 30; true # " + marker);
    try {
      await().atMost(WAIT).until(() -> !looker.descendants().toList().isEmpty());
      assertThat(LocalProcesses.commandLinesContaining(marker)).isEmpty();
    } finally {
      looker.descendants().forEach(ProcessHandle::destroyForcibly);
      looker.destroyForcibly();
      Files.delete(grep); // JUnit warns about links leaving its temp dir
    }
  }

  @Test
  void anUnreapedZombieIsNotRunningThoughTheJdkCallsItAlive() throws IOException {
    // sh starts a short sleep, then becomes a long sleep that never reaps it: a zombie
    Process parent = start("/bin/sh", "-c", "sleep 0.1 & exec sleep 30");
    try {
      await().atMost(WAIT).until(() -> parent.descendants().findAny().isPresent());
      ProcessHandle child = parent.descendants().findFirst().orElseThrow();
      await().atMost(WAIT).until(() -> !LocalProcesses.isRunning(child));
      assertThat(child.isAlive()).isTrue();
      assertThat(LocalProcesses.isRunning(parent.toHandle())).isTrue();
    } finally {
      parent.destroyForcibly();
    }
  }

  @Test
  void aBlankMarkerIsRefusedBecauseItMatchesEverything() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LocalProcesses.commandLinesContaining(" "));
  }

  private static Process start(String... argv) throws IOException {
    return new ProcessBuilder(List.of(argv))
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}
