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
import org.apache.sshd.client.channel.ChannelExec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill channel whose open the server confirms only after {@link RunKill#OPEN_WAIT} is given up,
 * and it still counts until it is gone: the next kill of the run does not open a third channel
 * beside it (the server counts an open it has not confirmed yet against MaxSessions).
 */
class RunKillUnconfirmedChannelTest {
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-runkill-late-9");
  @TempDir Path dir;
  private CountingSshServer server;
  private RunKillRig rig;

  @BeforeEach
  void connect() throws Exception {
    server = CountingSshServer.start(dir); // no channel limit: a third channel would show
    rig = RunKillRig.connect(server.port(), EmbeddedSshServer.writeNewKey(dir.resolve("id_ed25519")));
  }

  @AfterEach
  void close() {
    rig.close();
    server.close();
  }

  @Test
  void theNextKillWaitsUntilAnUnconfirmedKillChannelIsGone() throws Exception {
    ChannelExec own = rig.session().createExecChannel("sleep 30"); // the run's own channel
    own.open().verify(10, TimeUnit.SECONDS);
    Process byGroup = rig.group("sleep 64", Map.of(), MARKER.value());
    server.confirmLate(1, RunKill.OPEN_WAIT.multipliedBy(2));
    CompletableFuture<Void> done = new CompletableFuture<>();
    RunKill kill = rig.kill(MARKER, Duration.ofMillis(500), done);

    kill.start(rig.session(), () -> true); // the marker kill: its open is confirmed late
    kill.pgid(new RemoteGroup(byGroup.pid(), OptionalLong.empty())); // the group kill waits

    done.get(30, TimeUnit.SECONDS);
    assertThat(server.mostChannelsOnOneSession()).isEqualTo(2);
    // The group kill ran once the given-up channel was gone.
    await().atMost(Duration.ofSeconds(10)).until(() -> !byGroup.isAlive());
    assertThat(LocalProcesses.commandLinesContaining("sleep 64")).isEmpty();
    assertThat(own.isOpen()).isTrue();
    own.close(true);
  }
}
