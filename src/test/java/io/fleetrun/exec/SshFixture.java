package io.fleetrun.exec;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.SecretRef;
import io.fleetrun.model.SshSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Builds executors, instances and requests against an {@link EmbeddedSshServer}. */
final class SshFixture {
  static final Duration TEST_KILL_GRACE = Duration.ofMillis(500);

  static {
    // Without a logback-test.xml, logback logs everything at DEBUG; MINA is very chatty there.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.sshd"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
            "io.fleetrun.exec.HostKeyCheck"))
        .setLevel(ch.qos.logback.classic.Level.INFO);
  }

  private SshFixture() {}

  /** Starts a server (after quieting MINA's logs). */
  static EmbeddedSshServer startServer(Path dir) throws IOException {
    return EmbeddedSshServer.start(dir);
  }

  static SshSettings settings(Path knownHosts, HostKeyPolicy policy, Duration connectTimeout) {
    return new SshSettings("fleet", Optional.empty(), knownHosts, policy, connectTimeout,
        SshSettings.DEFAULT_KEY_EXCHANGES);
  }

  static MinaSshExecutor executor(EmbeddedSshServer server) {
    return executor(server.knownHosts(), HostKeyPolicy.STRICT, Limits.defaults());
  }

  static MinaSshExecutor executor(Path knownHosts, HostKeyPolicy policy, Limits limits) {
    return new MinaSshExecutor(settings(knownHosts, policy, Duration.ofSeconds(5)), limits,
        Clock.systemUTC(), new ExecutorTuning(TEST_KILL_GRACE, 50));
  }

  /** An executor with connection reuse set so ({@code keepAlive} zero: one session per run). */
  static MinaSshExecutor executor(EmbeddedSshServer server, Limits limits, Duration keepAlive,
      int channelsPerConnection) {
    SshSettings base = settings(server.knownHosts(), HostKeyPolicy.STRICT, Duration.ofSeconds(5));
    SshSettings ssh = new SshSettings(base.user(), base.identityFile(), base.knownHosts(),
        base.hostKeyPolicy(), base.connectTimeout(), base.keyExchanges(), keepAlive,
        channelsPerConnection);
    return new MinaSshExecutor(ssh, limits, Clock.systemUTC(),
        new ExecutorTuning(TEST_KILL_GRACE, 50));
  }

  /** One session per run, as before connections were kept. */
  static MinaSshExecutor unpooled(EmbeddedSshServer server, Limits limits) {
    return executor(server, limits, Duration.ZERO, SshSettings.DEFAULT_CHANNELS_PER_CONNECTION);
  }

  static Instance instance(int port, Optional<Path> key, Optional<SecretRef> password) {
    return new Instance(new InstanceId("web-1"), "127.0.0.1", port, "fleet", key, password,
        Set.of());
  }

  static Instance instance(EmbeddedSshServer server) {
    return instance(server.port(), Optional.of(server.clientKey()), Optional.empty());
  }

  static ExecutionRequest request(Instance instance, String script) {
    return new ExecutionRequest("t-test/web-1", instance, script, Optional.empty(),
        Duration.ofSeconds(20));
  }

  static ExecutionOutcome await(Execution execution) {
    try {
      return execution.outcome().get(15, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new AssertionError("run did not end in time", e);
    }
  }

  /** Runs {@code echo ok} once on {@code server} with a new executor checking host keys so. */
  static ExecutionOutcome runOnce(EmbeddedSshServer server, Path knownHosts, HostKeyPolicy policy) {
    try (MinaSshExecutor executor = executor(knownHosts, policy, Limits.defaults())) {
      return await(executor.start(request(instance(server), "echo ok")));
    }
  }

  /** Command lines of live processes whose command line contains {@code marker}. */
  static List<String> processesWith(String marker) {
    try {
      Process p = new ProcessBuilder("pgrep", "-af", marker).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(5, TimeUnit.SECONDS);
      // pgrep never lists itself, so every line is a process of the run.
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
