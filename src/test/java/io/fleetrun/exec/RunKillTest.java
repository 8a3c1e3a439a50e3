package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.testing.LocalProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunKill} over a real session of an in-process server whose commands run locally. */
class RunKillTest {
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-runkill-9");
  @TempDir Path dir;
  private EmbeddedSshServer server;
  private RunKillRig rig;

  @BeforeEach
  void connect() throws Exception {
    server = SshFixture.startServer(dir.resolve("ssh"));
    rig = RunKillRig.connect(server.port(), server.clientKey());
  }

  @AfterEach
  void close() {
    rig.close();
    server.close();
  }

  @Test
  void aGroupKillThatFindsNothingOfTheRunIsFollowedByAMarkerKill() throws Exception {
    // The reported group is not the run's (its leader lacks marker and start time); the run
    // itself carries the marker in its environment, as every process of a wrapped run does.
    Process foreign = rig.group("sleep 57", Map.of());
    Process run = rig.group("sleep 58", Map.of(ProcessMarker.ENV, MARKER.value()));
    CompletableFuture<Void> done = new CompletableFuture<>();
    RunKill kill = rig.kill(MARKER, Duration.ofMillis(300), done);

    kill.pgid(new RemoteGroup(foreign.pid(), OptionalLong.of(1)));
    kill.start(rig.session(), () -> false);

    done.get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> !run.isAlive());
    assertThat(LocalProcesses.commandLinesContaining("sleep 58")).isEmpty();
    assertThat(foreign.isAlive()).isTrue();
  }
}
