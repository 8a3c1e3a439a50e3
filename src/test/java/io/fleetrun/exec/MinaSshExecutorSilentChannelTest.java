package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.Limits;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that accepts the login but never confirms the exec channel. */
class MinaSshExecutorSilentChannelTest {
  @TempDir Path dir;

  /** A session channel whose open never completes, so no confirmation is ever sent. */
  private static final class SilentChannel extends ChannelSession {
    @Override
    public OpenFuture open(long recipient, long rwSize, long packetSize, Buffer buffer) {
      return new DefaultOpenFuture(this, futureLock);
    }
  }

  @Test
  void timeoutEndsARunWhoseChannelIsNeverConfirmed() throws Exception {
    Path key = EmbeddedSshServer.writeNewKey(dir.resolve("id_ed25519"));
    KeyPair client = new Credentials(name -> null)
        .load(SshFixture.instance(1, Optional.of(key), Optional.empty())).keys().get(0);
    SshServer server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(KeyPairProvider.wrap(
        KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256)));
    server.setPublickeyAuthenticator(
        (user, offered, session) -> KeyUtils.compareKeys(client.getPublic(), offered));
    server.setChannelFactories(List.of(new ChannelFactory() {
      @Override
      public String getName() {
        return "session";
      }

      @Override
      public org.apache.sshd.common.channel.Channel createChannel(
          org.apache.sshd.common.session.Session session) {
        return new SilentChannel();
      }
    }));
    server.start();
    try (MinaSshExecutor executor = SshFixture.executor(
        dir.resolve("known_hosts"), HostKeyPolicy.INSECURE, Limits.defaults())) {
      Instance instance = SshFixture.instance(server.getPort(), Optional.of(key), Optional.empty());
      long startNanos = System.nanoTime();

      Execution run = executor.start(new ExecutionRequest("t-test/web-1", instance, "echo hi",
          Optional.empty(), Duration.ofMillis(500)));

      ExecutionOutcome outcome = run.outcome().get(15, TimeUnit.SECONDS);
      assertThat(outcome).isInstanceOf(ExecutionOutcome.TimedOut.class);
      assertThat(run.started()).isCancelled();
      // Timeout (0.5 s), the wait for a pgid line that never comes (5 s), the marker kill's
      // channel that never opens (2 s), then the close wait (2 s): well under the minutes
      // heartbeats alone would take.
      assertThat(System.nanoTime() - startNanos).isLessThan(TimeUnit.SECONDS.toNanos(15));
      // Gone before the executor closes: close would otherwise wait out the kill channel that
      // never opens (the run keeps its session until its kills are answered or time out).
      server.stop(true);
    } finally {
      server.stop(true);
    }
  }
}
