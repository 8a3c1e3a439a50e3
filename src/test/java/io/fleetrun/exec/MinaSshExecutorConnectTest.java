package io.fleetrun.exec;

import static io.fleetrun.exec.SshFixture.await;
import static io.fleetrun.exec.SshFixture.instance;
import static io.fleetrun.exec.SshFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Limits;
import io.fleetrun.model.Output;
import io.fleetrun.model.SecretRef;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connecting, checking host keys and logging in; every failure is an outcome with a code. */
class MinaSshExecutorConnectTest {
  @TempDir static Path dir;
  static EmbeddedSshServer server;

  @BeforeAll
  static void startServer() throws IOException {
    server = SshFixture.startServer(dir.resolve("ssh"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static ExecutionOutcome runOnce(Path knownHosts, HostKeyPolicy policy) {
    return SshFixture.runOnce(server, knownHosts, policy);
  }

  private static ExecutionOutcome runWith(io.fleetrun.model.Instance instance) {
    try (MinaSshExecutor executor = SshFixture.executor(server)) {
      return await(executor.start(request(instance, "echo ok")));
    }
  }

  private static void assertCouldNotRun(ExecutionOutcome outcome, ErrorCode code, String infoPart) {
    assertThat(outcome).isInstanceOf(ExecutionOutcome.CouldNotRun.class);
    ExecutionOutcome.CouldNotRun failure = (ExecutionOutcome.CouldNotRun) outcome;
    assertThat(failure.code()).isEqualTo(code);
    assertThat(failure.info()).contains(infoPart);
  }

  private static final ExecutionOutcome OK = new ExecutionOutcome.Exited(0, new Output("ok\n", 0));

  @Test
  void knownHostKeyIsAcceptedUnderStrict() {
    assertThat(runOnce(server.knownHosts(), HostKeyPolicy.STRICT)).isEqualTo(OK);
  }

  @Test
  void hashedKnownHostsEntryIsAccepted() throws Exception {
    byte[] salt = new byte[20];
    new SecureRandom().nextBytes(salt);
    Mac hmac = Mac.getInstance("HmacSHA1");
    hmac.init(new SecretKeySpec(salt, "HmacSHA1"));
    byte[] hash = hmac.doFinal(("[127.0.0.1]:" + server.port()).getBytes(StandardCharsets.UTF_8));
    Base64.Encoder b64 = Base64.getEncoder();
    Path hashed = dir.resolve("hashed_known_hosts");
    Files.writeString(hashed, "|1|" + b64.encodeToString(salt) + "|" + b64.encodeToString(hash)
        + " " + PublicKeyEntry.toString(server.hostKey()) + "\n");

    assertThat(runOnce(hashed, HostKeyPolicy.STRICT)).isEqualTo(OK);
  }

  @Test
  void unknownHostKeyIsRefusedUnderStrict() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");

    assertCouldNotRun(runOnce(empty, HostKeyPolicy.STRICT), ErrorCode.HostKeyUnknown,
        "127.0.0.1:" + server.port());
  }

  @Test
  void changedHostKeyIsRefusedEvenUnderAcceptNew() throws Exception {
    String otherKey =
        PublicKeyEntry.toString(KeyUtils.generateKeyPair("ssh-ed25519", 256).getPublic());
    Path changed = Files.writeString(dir.resolve("changed_known_hosts"),
        "[127.0.0.1]:" + server.port() + " " + otherKey + "\n");

    assertCouldNotRun(
        runOnce(changed, HostKeyPolicy.STRICT), ErrorCode.HostKeyMismatch, "differs");
    assertCouldNotRun(
        runOnce(changed, HostKeyPolicy.ACCEPT_NEW), ErrorCode.HostKeyMismatch, "differs");
    assertThat(Files.readString(changed)).contains(otherKey);
  }

  @Test
  void acceptNewRecordsTheKeySoStrictAcceptsItNextTime() throws IOException {
    Path fresh = dir.resolve("fresh_known_hosts");

    assertThat(runOnce(fresh, HostKeyPolicy.ACCEPT_NEW)).isEqualTo(OK);

    assertThat(Files.readString(fresh))
        .contains("[127.0.0.1]:" + server.port())
        .contains(PublicKeyEntry.toString(server.hostKey()));
    assertThat(runOnce(fresh, HostKeyPolicy.STRICT)).isEqualTo(OK);
  }

  @Test
  void insecureAcceptsAnyHostKey() throws IOException {
    Path empty = Files.writeString(dir.resolve("insecure_known_hosts"), "");

    assertThat(runOnce(empty, HostKeyPolicy.INSECURE)).isEqualTo(OK);
    assertThat(Files.readString(empty)).isEmpty();
  }

  @Test
  void wrongKeyIsRejectedAsAuthFailed() throws IOException {
    Path wrongKey = EmbeddedSshServer.writeNewKey(dir.resolve("wrong_key"));

    assertCouldNotRun(runWith(instance(server.port(), Optional.of(wrongKey), Optional.empty())),
        ErrorCode.AuthFailed, "fleet");
  }

  @Test
  void passwordFromAFileLogsIn() throws IOException {
    Path secret = Files.writeString(dir.resolve("password"), "s3cret 'pw'\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    try (EmbeddedSshServer withPassword =
        EmbeddedSshServer.start(dir.resolve("pw-ssh"), 0, Optional.of("s3cret 'pw'"));
        MinaSshExecutor executor = SshFixture.executor(withPassword)) {
      var byPassword = instance(withPassword.port(), Optional.empty(),
          Optional.of(new SecretRef.File(secret)));

      assertThat(await(executor.start(request(byPassword, "echo ok")))).isEqualTo(OK);

      Files.writeString(secret, "wrong\n");
      assertCouldNotRun(await(executor.start(request(byPassword, "echo ok"))),
          ErrorCode.AuthFailed, "rejected");
    }
  }

  @Test
  void missingPasswordFileIsCredentialUnavailableNamingTheFile() {
    Path missing = dir.resolve("no-such-password");

    ExecutionOutcome outcome = runWith(instance(server.port(), Optional.of(server.clientKey()),
        Optional.of(new SecretRef.File(missing))));

    assertCouldNotRun(outcome, ErrorCode.CredentialUnavailable, missing.toString());
  }

  @Test
  void unreadableKeyFileIsCredentialUnavailableNamingTheFile() throws IOException {
    Path garbage = Files.writeString(dir.resolve("not_a_key"), "this is not a key\n");

    assertCouldNotRun(runWith(instance(server.port(), Optional.of(garbage), Optional.empty())),
        ErrorCode.CredentialUnavailable, garbage.toString());
    Path missing = dir.resolve("no_such_key");
    assertCouldNotRun(runWith(instance(server.port(), Optional.of(missing), Optional.empty())),
        ErrorCode.CredentialUnavailable, missing.toString());
  }

  @Test
  void closedPortIsConnectionRefused() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    assertCouldNotRun(runWith(instance(port, Optional.of(server.clientKey()), Optional.empty())),
        ErrorCode.ConnectionRefused, "127.0.0.1:" + port);
  }

  @Test
  void silentServerIsConnectTimeout() throws IOException {
    // Accepts TCP (the backlog does) but never speaks SSH, so the key exchange never ends.
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        MinaSshExecutor executor = new MinaSshExecutor(
            SshFixture.settings(server.knownHosts(), HostKeyPolicy.STRICT, Duration.ofMillis(500)),
            Limits.defaults(), Clock.systemUTC())) {
      var target =
          instance(silent.getLocalPort(), Optional.of(server.clientKey()), Optional.empty());

      Execution run = executor.start(request(target, "echo ok"));

      assertCouldNotRun(await(run), ErrorCode.ConnectTimeout, "500 ms");
      assertThat(run.started()).isCancelled();
    }
  }

  /**
   * A target that answers with its SSH identification but whose key exchange is slower than the
   * connect timeout (as on a daemon whose CPU is saturated by hundreds of handshakes) is slow,
   * not unreachable: the run goes on instead of failing a healthy target.
   */
  @Test
  void slowKeyExchangeAfterTheServerAnsweredIsWaitedFor() throws Exception {
    try (ServerSocket proxy = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        MinaSshExecutor executor = new MinaSshExecutor(
            SshFixture.settings(server.knownHosts(), HostKeyPolicy.INSECURE, Duration.ofMillis(500)),
            Limits.defaults(), Clock.systemUTC())) {
      Thread relay = new Thread(() -> relaySlowly(proxy, server.port(), Duration.ofMillis(1500)));
      relay.setDaemon(true);
      relay.start();
      var target = instance(proxy.getLocalPort(), Optional.of(server.clientKey()), Optional.empty());

      assertThat(await(executor.start(request(target, "echo ok")))).isEqualTo(OK);
    }
  }

  /** Relays one connection; the client's first bytes reach the server only after {@code delay}. */
  private static void relaySlowly(ServerSocket proxy, int port, Duration delay) {
    try (java.net.Socket client = proxy.accept();
        java.net.Socket upstream = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
      Thread down = new Thread(() -> copy(upstream, client));
      down.setDaemon(true);
      down.start();
      Thread.sleep(delay.toMillis()); // the slow peer: a deliberate delay, not a wait for a result
      copy(client, upstream);
    } catch (IOException e) {
      // the test's executor closed the connection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void copy(java.net.Socket from, java.net.Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // one side closed
    }
  }
}
