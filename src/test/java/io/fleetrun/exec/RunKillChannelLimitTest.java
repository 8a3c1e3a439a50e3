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
 * A run counts two channels on its connection (its own and its kill's): its kills never hold a
 * third, even when the group id arrives while the marker kill still runs. The server refuses a
 * third channel on a session, as OpenSSH does beyond MaxSessions.
 */
class RunKillChannelLimitTest {
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-runkill-limit-7");
  @TempDir Path dir;
  private CountingSshServer server;
  private RunKillRig rig;

  @BeforeEach
  void connect() throws Exception {
    server = CountingSshServer.start(dir, 2);
    rig = RunKillRig.connect(server.port(), EmbeddedSshServer.writeNewKey(dir.resolve("id_ed25519")));
  }

  @AfterEach
  void close() {
    rig.close();
    server.close();
  }

  @Test
  void aGroupIdArrivingDuringTheMarkerKillWaitsForItsChannel() throws Exception {
    // The run's own channel: one of the two the server allows on this session.
    ChannelExec own = rig.session().createExecChannel("sleep 30");
    own.open().verify(10, TimeUnit.SECONDS);
    // Found by the marker kill (environment), slow to die: it ignores TERM, so the marker kill's
    // channel stays open for the whole grace.
    Process byMarker = rig.group("trap '' TERM; sleep 61", Map.of(ProcessMarker.ENV, MARKER.value()), MARKER.value());
    // Found only by the group kill: the leader carries the marker on its command line, which the
    // marker kill never looks at.
    Process byGroup = rig.group("sleep 62", Map.of(), MARKER.value());
    CompletableFuture<Void> done = new CompletableFuture<>();
    RunKill kill = rig.kill(MARKER, Duration.ofMillis(1500), done);

    kill.start(rig.session(), () -> true); // no group id can come: the marker kill goes at once
    kill.pgid(new RemoteGroup(byGroup.pid(), OptionalLong.empty())); // ... and then it comes

    done.get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> !byMarker.isAlive() && !byGroup.isAlive());
    assertThat(LocalProcesses.commandLinesContaining("sleep 61")).isEmpty();
    assertThat(LocalProcesses.commandLinesContaining("sleep 62")).isEmpty();
    assertThat(own.isOpen()).isTrue();
    own.close(true);
  }
}
