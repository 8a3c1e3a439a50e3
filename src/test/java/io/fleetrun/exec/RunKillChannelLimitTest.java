package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.testing.LocalCommand;
import io.fleetrun.testing.LocalProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
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
  private SshClient client;
  private ClientSession session;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void connect() throws Exception {
    server = CountingSshServer.start(dir, 2);
    Path key = EmbeddedSshServer.writeNewKey(dir.resolve("id_ed25519"));
    client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
    client.start();
    session = client.connect("fleet", "127.0.0.1", server.port()).verify(10, TimeUnit.SECONDS)
        .getSession();
    new FileKeyPairProvider(key).loadKeys(null).forEach(session::addPublicKeyIdentity);
    session.auth().verify(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    // The shell's builtin kill: procps-ng's /usr/bin/kill reads "-KILL -123" as kill(-1).
    started.forEach(p ->
        LocalCommand.run(Duration.ofSeconds(5), "/bin/sh", "-c", "kill -KILL -- -" + p.pid()));
    timer.shutdownNow();
    session.close(true);
    client.stop();
    server.close();
  }

  @Test
  void aGroupIdArrivingDuringTheMarkerKillWaitsForItsChannel() throws Exception {
    // The run's own channel: one of the two the server allows on this session.
    ChannelExec own = session.createExecChannel("sleep 30");
    own.open().verify(10, TimeUnit.SECONDS);
    // Found by the marker kill (environment), slow to die: it ignores TERM, so the marker kill's
    // channel stays open for the whole grace.
    Process byMarker = group("trap '' TERM; sleep 61", Map.of(ProcessMarker.ENV, MARKER.value()));
    // Found only by the group kill: the leader carries the marker on its command line, which the
    // marker kill never looks at.
    Process byGroup = group("sleep 62", Map.of());
    CompletableFuture<Void> done = new CompletableFuture<>();
    RunKill kill = new RunKill("t-runkill/web-1", "fleet@127.0.0.1", MARKER,
        Duration.ofMillis(1500), (action, delay) -> timer.schedule(() -> {
          try {
            action.run();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, delay.toMillis(), TimeUnit.MILLISECONDS), () -> done.complete(null));

    kill.start(session, () -> true); // no group id can come: the marker kill goes at once
    kill.pgid(new RemoteGroup(byGroup.pid(), OptionalLong.empty())); // ... and then it comes

    done.get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> !byMarker.isAlive() && !byGroup.isAlive());
    assertThat(LocalProcesses.commandLinesContaining("sleep 61")).isEmpty();
    assertThat(LocalProcesses.commandLinesContaining("sleep 62")).isEmpty();
    assertThat(own.isOpen()).isTrue();
    own.close(true);
  }

  /** A new session and process group running {@code script} with the marker as its argument. */
  private Process group(String script, Map<String, String> env) throws Exception {
    ProcessBuilder b = new ProcessBuilder("setsid", "/bin/sh", "-c", script + "; :", MARKER.value());
    b.environment().putAll(env);
    Process p = b.start();
    started.add(p);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> !LocalProcesses.commandLinesContaining(script).isEmpty());
    return p;
  }
}
