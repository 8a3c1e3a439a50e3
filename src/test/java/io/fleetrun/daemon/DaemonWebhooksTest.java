package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.store.ReloadResult;
import io.fleetrun.testing.HookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's webhooks: a reload adds one, which then gets the job's record ends. */
class DaemonWebhooksTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String JOB = """
      commands: [ { id: hi, content: "echo hi" } ]
      jobs: [ { id: greet, command: hi, targets: { instances: [a] }, repeat: Period, frequency: "rate(1s)" } ]
      """;

  @TempDir Path dir;
  private EmbeddedSshServer server;
  private HookReceiver receiver;
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aReloadAddsAHookThatThenGetsTheJobsRecordEnds() throws Exception {
    server = EmbeddedSshServer.start(dir.resolve("ssh"));
    receiver = HookReceiver.ok();
    Path secret = Files.writeString(dir.resolve("hook.secret"), "daemon-hook-secret\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    ReloadFixture config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
        """.formatted(dir.resolve("fleetrun.db"), System.getProperty("user.name"), server.clientKey(),
        server.knownHosts(), server.port()));
    config.edit(JOB);
    daemon = config.start();

    config.edit(JOB + """
        notifications:
          - { id: chat, url: "%s", events: [record-ended], secret: { file: %s } }
        """.formatted(receiver.url("/hook"), secret));
    ReloadResult result = daemon.reload();

    assertThat(result.applied()).isTrue();
    assertThat(result.message()).contains("notifications added/removed/changed [chat]");
    await().atMost(WAIT).until(() -> !receiver.requests().isEmpty());
    HookReceiver.Request first = receiver.requests().get(0);
    assertThat(first.header("X-Fleetrun-Event")).isEqualTo("record-ended");
    assertThat(first.text()).contains("\"job\":\"greet\"").contains("\"status\":\"Finished\"");
  }
}
