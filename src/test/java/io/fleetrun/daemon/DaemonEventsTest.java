package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.testing.EventStreamReader;
import io.fleetrun.testing.EventStreamReader.Frame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "SSE resume" end to end: a daemon (SQLite file, in-process SSH target, HTTP on) runs a job; its
 * record's start and end and the invocation's status reach {@code GET /api/v1/events} through the
 * engine's event feed, the event-log writer and the table; a reconnect with Last-Event-ID gets
 * exactly what came after.
 */
class DaemonEventsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "daemon-events-test-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private EmbeddedSshServer server;
  private Daemon daemon;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aRunsRecordAndStatusEventsReachTheStreamAndAResumeGetsWhatFollowed() throws Exception {
    server = EmbeddedSshServer.start(dir.resolve("ssh"));
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    ReloadFixture config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        http:
          listen: 127.0.0.1:%d
          tokens: [ { name: ui, role: reader, file: %s } ]
        instances:
          - { id: a, host: 127.0.0.1, port: %d }
        """.formatted(dir.resolve("fleetrun.db"), System.getProperty("user.name"), server.clientKey(),
        server.knownHosts(), freePort(), token, server.port()));
    config.edit("""
        commands: [ { id: hi, content: "echo secret-output" } ]
        jobs:
          - { id: greet, command: hi, targets: { instances: [a] }, repeat: Once }
        """);
    daemon = config.start();
    String url = "http://127.0.0.1:" + daemon.httpPort().orElseThrow() + "/api/v1/events";
    Map<String, String> auth = Map.of("Authorization", "Bearer " + TOKEN);

    // From the first event on: the job fires at start, maybe before this connects.
    List<Frame> frames;
    try (EventStreamReader stream = EventStreamReader.open(url + "?lastEventId=0", auth)) {
      assertThat(stream.status()).isEqualTo(200);
      frames = stream.next(3, WAIT);
    }

    assertThat(frames).extracting(Frame::event)
        .containsExactly("record-started", "record-ended", "invocation-status-changed");
    JsonNode started = JSON.readTree(frames.get(0).data());
    JsonNode ended = JSON.readTree(frames.get(1).data());
    JsonNode status = JSON.readTree(frames.get(2).data());
    String invokeId = started.path("invokeId").asText();
    assertThat(invokeId).isNotBlank();
    assertThat(started.path("jobId").asText()).isEqualTo("greet");
    assertThat(started.path("instanceId").asText()).isEqualTo("a");
    assertThat(started.path("status").asText()).isEqualTo("Running");
    assertThat(started.path("startTime").asText()).endsWith("Z");
    assertThat(ended.path("recordId").asLong()).isEqualTo(started.path("recordId").asLong());
    assertThat(ended.path("status").asText()).isEqualTo("Finished");
    assertThat(ended.path("detailStatus").asText()).isEqualTo("Success");
    assertThat(ended.path("exitCode").asInt(-1)).isZero();
    assertThat(ended.path("errorCode").isNull()).isTrue();
    assertThat(status.path("invokeId").asText()).isEqualTo(invokeId);
    assertThat(status.path("status").asText()).isEqualTo("Finished");
    assertThat(frames).allSatisfy(f -> assertThat(f.data()).doesNotContain("secret-output").doesNotContain("output"));

    try (EventStreamReader resumed = EventStreamReader.open(url,
        Map.of("Authorization", "Bearer " + TOKEN, "Last-Event-ID", String.valueOf(frames.get(0).id().orElseThrow())))) {
      assertThat(resumed.next(2, WAIT)).isEqualTo(frames.subList(1, 3));
      assertThat(resumed.next(Duration.ofSeconds(1))).isEmpty();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
