package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.Output;
import io.fleetrun.model.SshSettings;
import io.fleetrun.testing.MovingClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kept connection stops taking new runs when what it was made under changed: its age passed
 * ssh.connectionLifetime, known_hosts no longer accepts its host key, or its host name resolves
 * elsewhere. Each case must make the next run open a new connection (and a new host-key check).
 */
class KeptConnectionRenewalTest {
  private static final Duration LIFETIME = Duration.ofHours(1);
  @TempDir Path dir;
  CountingSshServer server;
  Path clientKey;
  Path knownHosts;
  final MovingClock clock = new MovingClock(Instant.parse("2026-12-02T03:00:00Z"));
  /** Host names the executor's resolver knows; others resolve as the JVM resolves them. */
  final Map<String, InetAddress> names = new ConcurrentHashMap<>();
  /** Host names whose look-up fails, as when the resolver is down. */
  final Set<String> failingNames = ConcurrentHashMap.newKeySet();
  /** Host names whose look-up hangs until the test ends (at most a minute). */
  final Set<String> hangingNames = ConcurrentHashMap.newKeySet();
  final CountDownLatch testOver = new CountDownLatch(1);

  @BeforeEach
  void startServer() throws IOException {
    server = CountingSshServer.start(dir);
    clientKey = EmbeddedSshServer.writeNewKey(dir.resolve("id_ed25519"));
    knownHosts = dir.resolve("known_hosts");
    // The server's key in known_hosts, as an operator's ssh-keyscan would put it.
    try (MinaSshExecutor learn = executor(HostKeyPolicy.ACCEPT_NEW)) {
      assertThat(run(learn, instance("127.0.0.1"), "echo learn")).isEqualTo(ok("learn"));
    }
    assertThat(Files.readString(knownHosts)).contains("[127.0.0.1]:" + server.port());
    server.restart(); // counts from zero; same host key
  }

  @AfterEach
  void stopServer() {
    testOver.countDown();
    server.close();
  }

  private MinaSshExecutor executor(HostKeyPolicy policy) {
    return executor(policy, Limits.defaults());
  }

  private MinaSshExecutor executor(HostKeyPolicy policy, Limits limits) {
    SshSettings ssh = new SshSettings("fleet", Optional.empty(), knownHosts, policy,
        Duration.ofSeconds(5), SshSettings.DEFAULT_KEY_EXCHANGES, Duration.ofMinutes(5), 8,
        LIFETIME);
    ExecRuntime.Resolver resolver = host -> {
      if (hangingNames.contains(host)) {
        try {
          testOver.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failingNames.contains(host)) {
        throw new UnknownHostException(host + ": Temporary failure in name resolution");
      }
      InetAddress known = names.get(host);
      return known != null ? new InetAddress[] {known} : InetAddress.getAllByName(host);
    };
    return new MinaSshExecutor(ssh, limits, clock,
        new ExecutorTuning(SshFixture.TEST_KILL_GRACE, 50), resolver);
  }

  private Instance instance(String host) {
    return instance("web-1", host);
  }

  private Instance instance(String id, String host) {
    return new Instance(new InstanceId(id), host, server.port(), "fleet",
        Optional.of(clientKey), Optional.empty(), Set.of());
  }

  private static ExecutionOutcome run(MinaSshExecutor executor, Instance instance, String script) {
    return SshFixture.await(executor.start(SshFixture.request(instance, script)));
  }

  private static ExecutionOutcome ok(String line) {
    return new ExecutionOutcome.Exited(0, new Output(line + "\n", 0));
  }

  private static ErrorCode failure(ExecutionOutcome outcome) {
    assertThat(outcome).isInstanceOf(ExecutionOutcome.CouldNotRun.class);
    return ((ExecutionOutcome.CouldNotRun) outcome).code();
  }

  @Test
  void anIdleConnectionOlderThanItsLifetimeIsReplaced() {
    try (MinaSshExecutor executor = executor(HostKeyPolicy.STRICT)) {
      assertThat(run(executor, instance("127.0.0.1"), "echo one")).isEqualTo(ok("one"));
      clock.move(LIFETIME.minusMinutes(1));
      assertThat(run(executor, instance("127.0.0.1"), "echo two")).isEqualTo(ok("two"));
      assertThat(server.sessionsOpened()).isEqualTo(1);

      clock.move(Duration.ofMinutes(1));
      assertThat(run(executor, instance("127.0.0.1"), "echo three")).isEqualTo(ok("three"));

      assertThat(server.sessionsOpened()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 1);
      assertThat(executor.pool().connections()).isEqualTo(1);
    }
  }

  @Test
  void anIdleConnectionPastItsLifetimeGivesUpItsSessionSlotBeforeAFreshOne() {
    try (MinaSshExecutor executor =
        executor(HostKeyPolicy.STRICT, new Limits(2, Limits.DEFAULT_OUTPUT_BYTES))) {
      assertThat(run(executor, instance("web-1", "127.0.0.1"), "echo one")).isEqualTo(ok("one"));
      clock.move(LIFETIME);
      assertThat(run(executor, instance("web-3", "127.0.0.1"), "echo three"))
          .isEqualTo(ok("three"));

      // keepAlive is 5 min: web-1's connection may take no run, so it must not keep its slot.
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 1);
      assertThat(executor.sessionsInUse()).isEqualTo(1);

      // Both slots for web-2 and web-3: web-3's fresh connection was not closed to make room.
      assertThat(run(executor, instance("web-2", "127.0.0.1"), "echo two")).isEqualTo(ok("two"));
      assertThat(run(executor, instance("web-3", "127.0.0.1"), "echo 3")).isEqualTo(ok("3"));
      assertThat(server.sessionsOpened()).isEqualTo(3);
    }
  }

  @Test
  void theOnlySessionSlotGoesFromAConnectionPastItsLifetimeToARunElsewhere() {
    try (MinaSshExecutor executor =
        executor(HostKeyPolicy.STRICT, new Limits(1, Limits.DEFAULT_OUTPUT_BYTES))) {
      assertThat(run(executor, instance("web-1", "127.0.0.1"), "echo one")).isEqualTo(ok("one"));
      clock.move(LIFETIME);

      // Without waiting for keepAlive (5 min) to close web-1's connection.
      assertThat(run(executor, instance("web-2", "127.0.0.1"), "echo two")).isEqualTo(ok("two"));

      assertThat(server.sessionsOpened()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 1);
    }
  }

  @Test
  void aBusyConnectionOlderThanItsLifetimeTakesNoNewRunAndClosesWhenItsRunsEnd() {
    try (MinaSshExecutor executor = executor(HostKeyPolicy.STRICT)) {
      // Always busy: a run is in flight on it whenever the next one starts.
      Execution first = executor.start(SshFixture.request(instance("127.0.0.1"), "sleep 1"));
      await().atMost(Duration.ofSeconds(10)).until(() -> first.requested().isDone());
      clock.move(LIFETIME);

      assertThat(run(executor, instance("127.0.0.1"), "echo two")).isEqualTo(ok("two"));
      assertThat(server.sessionsOpened()).isEqualTo(2);
      assertThat(server.sessionsOpen()).isEqualTo(2); // the old one still carries its run

      assertThat(SshFixture.await(first)).isInstanceOf(ExecutionOutcome.Exited.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 1);
      assertThat(run(executor, instance("127.0.0.1"), "echo three")).isEqualTo(ok("three"));
      assertThat(server.sessionsOpened()).isEqualTo(2);
    }
  }

  @Test
  void aHostKeyRemovedFromKnownHostsFailsTheNextRunClosed() throws IOException {
    try (MinaSshExecutor executor = executor(HostKeyPolicy.STRICT)) {
      assertThat(run(executor, instance("127.0.0.1"), "echo one")).isEqualTo(ok("one"));

      Files.writeString(knownHosts, "# emptied by the operator\n");
      ExecutionOutcome second = run(executor, instance("127.0.0.1"), "echo two");

      assertThat(failure(second)).isEqualTo(ErrorCode.HostKeyUnknown);
      assertThat(server.ran("echo two")).isZero();
      assertThat(server.sessionsOpened()).isEqualTo(2); // a new connection, refused
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 0);
    }
  }

  @Test
  void aHostKeyChangedInKnownHostsFailsTheNextRunAsAMismatch() throws Exception {
    try (MinaSshExecutor executor = executor(HostKeyPolicy.STRICT)) {
      assertThat(run(executor, instance("127.0.0.1"), "echo one")).isEqualTo(ok("one"));

      String otherKey = PublicKeyEntry.toString(
          KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256).getPublic());
      Files.writeString(knownHosts, "[127.0.0.1]:" + server.port() + " " + otherKey + "\n");
      ExecutionOutcome second = run(executor, instance("127.0.0.1"), "echo two");

      assertThat(failure(second)).isEqualTo(ErrorCode.HostKeyMismatch);
      assertThat(server.ran("echo two")).isZero();
    }
  }

  @Test
  void aKnownHostsChangeThatStillTrustsTheKeyKeepsTheConnection() throws IOException {
    try (MinaSshExecutor executor = executor(HostKeyPolicy.STRICT)) {
      assertThat(run(executor, instance("127.0.0.1"), "echo one")).isEqualTo(ok("one"));

      // Another host's line, as accept-new appends for each new host during a fan-out.
      String line = Files.readString(knownHosts).trim();
      Files.writeString(knownHosts, Files.readString(knownHosts)
          + line.replace("[127.0.0.1]:" + server.port(), "[10.9.9.9]:2222") + "\n");
      assertThat(run(executor, instance("127.0.0.1"), "echo two")).isEqualTo(ok("two"));

      assertThat(server.sessionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void aHostNameResolvingElsewhereGetsANewConnection() throws IOException {
    Files.writeString(knownHosts, Files.readString(knownHosts).trim()
        .replace("[127.0.0.1]:", "[localhost]:") + "\n", StandardOpenOption.APPEND);
    names.put("localhost", InetAddress.getLoopbackAddress());
    assertThat(InetAddress.getLoopbackAddress().getHostAddress()).isEqualTo("127.0.0.1");
    try (MinaSshExecutor executor = executor(HostKeyPolicy.STRICT)) {
      assertThat(run(executor, instance("localhost"), "echo one")).isEqualTo(ok("one"));
      assertThat(run(executor, instance("localhost"), "echo two")).isEqualTo(ok("two"));
      assertThat(server.sessionsOpened()).isEqualTo(1);

      names.put("localhost", address("127.0.0.2")); // the name moved; the old peer is 127.0.0.1
      assertThat(run(executor, instance("localhost"), "echo three")).isEqualTo(ok("three"));

      assertThat(server.sessionsOpened()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionsOpen() == 1);
    }
  }

  @Test
  void aHostNameThatCannotBeLookedUpAgainKeepsItsConnection() throws IOException {
    // A resolver that is down looks the same to Java as a removed name; retiring the connection
    // would fail the run, as a new connection cannot be opened without the name either.
    Files.writeString(knownHosts, Files.readString(knownHosts).trim()
        .replace("[127.0.0.1]:", "[localhost]:") + "\n", StandardOpenOption.APPEND);
    names.put("localhost", InetAddress.getLoopbackAddress());
    try (MinaSshExecutor executor = executor(HostKeyPolicy.STRICT)) {
      assertThat(run(executor, instance("localhost"), "echo one")).isEqualTo(ok("one"));

      failingNames.add("localhost");
      assertThat(run(executor, instance("localhost"), "echo two")).isEqualTo(ok("two"));

      assertThat(server.sessionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void aHostNameLookUpThatHangsKeepsItsConnectionAfterTheConnectTimeout() throws IOException {
    Files.writeString(knownHosts, Files.readString(knownHosts).trim()
        .replace("[127.0.0.1]:", "[localhost]:") + "\n", StandardOpenOption.APPEND);
    names.put("localhost", InetAddress.getLoopbackAddress());
    try (MinaSshExecutor executor = executor(HostKeyPolicy.STRICT)) {
      assertThat(run(executor, instance("localhost"), "echo one")).isEqualTo(ok("one"));

      hangingNames.add("localhost");
      // Two at once: more than the look-up threads, so one waits behind a hung look-up; and
      // with the connect threads held, a run elsewhere could not even connect.
      Execution two = executor.start(SshFixture.request(instance("localhost"), "echo two"));
      Execution three = executor.start(SshFixture.request(instance("localhost"), "echo three"));
      Execution four = executor.start(SshFixture.request(instance("localhost"), "echo four"));
      ExecutionOutcome elsewhere = run(executor, instance("web-2", "127.0.0.1"), "echo five");

      // connectTimeout is 5 s; SshFixture waits 15 s for each.
      assertThat(SshFixture.await(two)).isEqualTo(ok("two"));
      assertThat(SshFixture.await(three)).isEqualTo(ok("three"));
      assertThat(SshFixture.await(four)).isEqualTo(ok("four"));
      assertThat(elsewhere).isEqualTo(ok("five"));
    }
  }

  private static InetAddress address(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }

  /** A clock that moves only when told. */
}
