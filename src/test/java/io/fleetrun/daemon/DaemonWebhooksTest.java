package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.store.ReloadResult;
import io.fleetrun.testing.HookReceiver;
import io.fleetrun.testing.HookReceiver.Answer;
import io.fleetrun.testing.LogLines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhooks of an in-process daemon and its real runs (in-process SSH server, SQLite file), to
 * a real receiver on loopback that first stalls past the 5 s timeout.
 */
class DaemonWebhooksTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SECRET = "daemon-hook-secret-9e4d";
  private static final String JOBS = """
      commands: [ { id: hi, content: "echo hi" } ]
      jobs:
        - { id: greet, command: hi, targets: { instances: [a] }, repeat: Period, frequency: "rate(1s)" }
        - { id: lost, command: hi, targets: { instances: [gone] }, repeat: Once }
      notifications:
        - { id: chat, url: "%s", events: [%s], secret: { file: %s } }
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
  void aStalledReceiverHoldsNoRunGetsTheFailedRecordOnceOnRetryAndAReloadChangesTheHook() throws Exception {
    server = EmbeddedSshServer.start(dir.resolve("ssh"));
    // The first request is answered after 6 s: past the daemon's 5 s timeout.
    receiver = HookReceiver.start(n -> n == 1 ? Answer.sleepThen(Duration.ofSeconds(6), 200) : Answer.status(200));
    Path secret = Files.writeString(dir.resolve("hook.secret"), SECRET + "\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    ReloadFixture config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
          - { id: gone, host: 127.0.0.1, port: %d }
        """.formatted(dir.resolve("fleetrun.db"), System.getProperty("user.name"), server.clientKey(),
        server.knownHosts(), server.port(), closedPort()));
    config.edit(JOBS.formatted(receiver.url("/hook"), "record-failed, invocation-ended", secret));

    try (LogLines log = LogLines.of("io.fleetrun.observe")) {
      daemon = config.start();

      // The one-time job's record on the closed port failed: its notification stalls the receiver.
      await().atMost(WAIT).until(() -> receiver.requests().size() == 1);
      long finished = finishedGreets(config);
      // Meanwhile the periodic job's runs go on and are written.
      await().atMost(WAIT).until(() -> finishedGreets(config) >= finished + 2);
      assertThat(receiver.requests()).as("the stalled request is still the only one").hasSize(1);

      // After the timeout it is retried and delivered; then the one-time invocation's end.
      await().atMost(WAIT).until(() -> receiver.requests().size() == 3);
      List<HookReceiver.Request> requests = receiver.requests();
      assertThat(requests).extracting(r -> r.header("X-Fleetrun-Event"))
          .containsExactly("record-failed", "record-failed", "invocation-ended");
      assertThat(requests.get(1).header("X-Fleetrun-Delivery")).isEqualTo(requests.get(0).header("X-Fleetrun-Delivery"));
      assertThat(requests.get(1).text()).isEqualTo(requests.get(0).text());
      for (HookReceiver.Request r : requests) {
        assertThat(r.header("X-Fleetrun-Signature")).isEqualTo("sha256=" + hmac(r.body()));
      }
      JsonNode failed = new ObjectMapper().readTree(requests.get(1).body());
      assertThat(failed.at("/invocation/job").asText()).isEqualTo("lost");
      assertThat(failed.at("/record/instance").asText()).isEqualTo("gone");
      assertThat(failed.at("/record/status").asText()).isEqualTo("Failed");
      assertThat(failed.at("/record/errorCode").asText()).isEqualTo("ConnectionRefused");
      assertThat(failed.at("/record").has("output")).isFalse();
      JsonNode ended = new ObjectMapper().readTree(requests.get(2).body());
      assertThat(ended.at("/invocation/invokeId").asText()).isEqualTo(failed.at("/invocation/invokeId").asText());
      assertThat(ended.at("/invocation/status").asText()).isEqualTo("Failed");
      assertThat(ended.at("/invocation/records/failed").asLong()).isEqualTo(1);
      assertThat(log.containing("delivered at attempt 2 (after: no answer within 5s)")).hasSize(1);
      assertThat(String.join("\n", log.containing(""))).doesNotContain(SECRET);
    }

    // A reload that adds record-ended to the hook: the periodic job's ends are notified from now on.
    config.edit(JOBS.formatted(receiver.url("/hook"), "record-failed, invocation-ended, record-ended", secret));
    ReloadResult result = daemon.reload();

    assertThat(result.applied()).isTrue();
    assertThat(result.message()).contains("notifications added/removed/changed [chat]");
    await().atMost(WAIT).until(() -> receiver.requests().stream()
        .anyMatch(r -> "record-ended".equals(r.header("X-Fleetrun-Event")) && r.text().contains("\"job\":\"greet\"")));
  }

  private static long finishedGreets(ReloadFixture config) throws Exception {
    return config.count("SELECT count(*) FROM invocation_record r JOIN invocation i USING (invoke_id)"
        + " WHERE i.job_id = 'greet' AND r.status = 'Finished'");
  }

  private static String hmac(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
