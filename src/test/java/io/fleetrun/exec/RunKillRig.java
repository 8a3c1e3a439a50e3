package io.fleetrun.exec;

import static org.awaitility.Awaitility.await;

import io.fleetrun.testing.LocalCommand;
import io.fleetrun.testing.LocalProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * The fixture of the {@link RunKill} tests: an authenticated session of a client to an
 * in-process server whose commands run locally, a timer for the kills' grace, and the local
 * process groups a test starts to be killed. {@link #close()} kills what is left of those
 * groups and closes the session and the client (not the server: the test's own).
 */
final class RunKillRig implements AutoCloseable {
  private final SshClient client;
  private final ClientSession session;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<Process> started = new ArrayList<>();

  private RunKillRig(SshClient client, ClientSession session) {
    this.client = client;
    this.session = session;
  }

  /** Logs in as {@code fleet} to the server on {@code port} with the private key {@code key}. */
  static RunKillRig connect(int port, Path key) throws Exception {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
    client.start();
    try {
      ClientSession session = client.connect("fleet", "127.0.0.1", port).verify(10, TimeUnit.SECONDS)
          .getSession();
      new FileKeyPairProvider(key).loadKeys(null).forEach(session::addPublicKeyIdentity);
      session.auth().verify(10, TimeUnit.SECONDS);
      return new RunKillRig(client, session);
    } catch (Exception e) {
      client.stop();
      throw e;
    }
  }

  ClientSession session() {
    return session;
  }

  /**
   * A kill of run {@code t-runkill/web-1} on {@code fleet@127.0.0.1} that looks for {@code
   * marker}, waits {@code grace} between TERM and KILL on this rig's timer, and completes {@code
   * done} when it is over.
   */
  RunKill kill(ProcessMarker marker, Duration grace, CompletableFuture<Void> done) {
    return new RunKill("t-runkill/web-1", "fleet@127.0.0.1", marker, grace,
        (action, delay) -> timer.schedule(() -> {
          try {
            action.run();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, delay.toMillis(), TimeUnit.MILLISECONDS), () -> done.complete(null));
  }

  /**
   * A new session and process group running {@code script} with {@code env} added to its
   * environment and {@code arguments} as its shell's {@code $0}, {@code $1}…, once it shows in the
   * process list.
   */
  Process group(String script, Map<String, String> env, String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", script + "; :"));
    command.addAll(List.of(arguments));
    ProcessBuilder b = new ProcessBuilder(command);
    b.environment().putAll(env);
    Process p = b.start();
    started.add(p);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> !LocalProcesses.commandLinesContaining(script).isEmpty());
    return p;
  }

  @Override
  public void close() {
    // The shell's builtin kill: procps-ng's /usr/bin/kill reads "-KILL -123" as kill(-1).
    started.forEach(p ->
        LocalCommand.run(Duration.ofSeconds(5), "/bin/sh", "-c", "kill -KILL -- -" + p.pid()));
    timer.shutdownNow();
    session.close(true);
    client.stop();
  }
}
