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
 * A kill channel whose open the server confirms only after {@link RunKill#OPEN_WAIT} is given up,
 * and it still counts until it is gone: the next kill of the run does not open a third channel
 * beside it (the server counts an open it has not confirmed yet against MaxSessions).
 */
class RunKillUnconfirmedChannelTest {
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-runkill-late-9");
  @TempDir Path dir;
  private CountingSshServer server;
  private SshClient client;
  private ClientSession session;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void connect() throws Exception {
    server = CountingSshServer.start(dir); // no channel limit: a third channel would show
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
  void theNextKillWaitsUntilAnUnconfirmedKillChannelIsGone() throws Exception {
    ChannelExec own = session.createExecChannel("sleep 30"); // the run's own channel
    own.open().verify(10, TimeUnit.SECONDS);
    Process byGroup = group("sleep 64");
    server.confirmLate(1, RunKill.OPEN_WAIT.multipliedBy(2));
    CompletableFuture<Void> done = new CompletableFuture<>();
    RunKill kill = new RunKill("t-runkill/web-1", "fleet@127.0.0.1", MARKER,
        Duration.ofMillis(500), (action, delay) -> timer.schedule(() -> {
          try {
            action.run();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, delay.toMillis(), TimeUnit.MILLISECONDS), () -> done.complete(null));

    kill.start(session, () -> true); // the marker kill: its open is confirmed late
    kill.pgid(new RemoteGroup(byGroup.pid(), OptionalLong.empty())); // the group kill waits

    done.get(30, TimeUnit.SECONDS);
    assertThat(server.mostChannelsOnOneSession()).isEqualTo(2);
    // The group kill ran once the given-up channel was gone.
    await().atMost(Duration.ofSeconds(10)).until(() -> !byGroup.isAlive());
    assertThat(LocalProcesses.commandLinesContaining("sleep 64")).isEmpty();
    assertThat(own.isOpen()).isTrue();
    own.close(true);
  }

  /** A new session and process group running {@code script} with the marker as its argument. */
  private Process group(String script) throws Exception {
    ProcessBuilder b = new ProcessBuilder("setsid", "/bin/sh", "-c", script + "; :", MARKER.value());
    Process p = b.start();
    started.add(p);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> !LocalProcesses.commandLinesContaining(script).isEmpty());
    return p;
  }
}
