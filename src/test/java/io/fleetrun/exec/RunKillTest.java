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
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunKill} over a real session of an in-process server whose commands run locally. */
class RunKillTest {
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-runkill-9");
  @TempDir Path dir;
  private EmbeddedSshServer server;
  private SshClient client;
  private ClientSession session;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void connect() throws Exception {
    server = SshFixture.startServer(dir.resolve("ssh"));
    client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
    client.start();
    session = client.connect("fleet", "127.0.0.1", server.port()).verify(10, TimeUnit.SECONDS)
        .getSession();
    new FileKeyPairProvider(server.clientKey()).loadKeys(null)
        .forEach(session::addPublicKeyIdentity);
    session.auth().verify(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    // The shell's builtin kill: procps-ng's /usr/bin/kill reads "-KILL -123" as kill(-1).
    started.forEach(p ->
        LocalCommand.run(Duration.ofSeconds(5), "/bin/sh", "-c", "kill -KILL -" + p.pid()));
    timer.shutdownNow();
    session.close(true);
    client.stop();
    server.close();
  }

  @Test
  void aGroupKillThatFindsNothingOfTheRunIsFollowedByAMarkerKill() throws Exception {
    // The reported group is not the run's (its leader lacks marker and start time); the run
    // itself carries the marker in its environment, as every process of a wrapped run does.
    Process foreign = group("sleep 57", null);
    Process run = group("sleep 58", MARKER.value());
    CompletableFuture<Void> done = new CompletableFuture<>();
    RunKill kill = new RunKill("t-runkill/web-1", "fleet@127.0.0.1", MARKER,
        Duration.ofMillis(300), (action, delay) -> timer.schedule(() -> {
          try {
            action.run();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, delay.toMillis(), TimeUnit.MILLISECONDS), () -> done.complete(null));

    kill.pgid(new RemoteGroup(foreign.pid(), OptionalLong.of(1)));
    kill.start(session, () -> false);

    done.get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> !run.isAlive());
    assertThat(LocalProcesses.commandLinesContaining("sleep 58")).isEmpty();
    assertThat(foreign.isAlive()).isTrue();
  }

  /** A new session and process group running {@code script}, with the marker if given. */
  private Process group(String script, String marker) throws Exception {
    ProcessBuilder b = new ProcessBuilder("setsid", "/bin/sh", "-c", script + "; :");
    if (marker != null) {
      b.environment().put(ProcessMarker.ENV, marker);
    }
    Process p = b.start();
    started.add(p);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> !LocalProcesses.commandLinesContaining(script).isEmpty());
    return p;
  }
}
