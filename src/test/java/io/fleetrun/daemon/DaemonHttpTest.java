package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.testing.LogLines;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon runs the HTTP server its config asks for: up once it has started, refusing the
 * start when a token cannot be read, kept as it is by a reload, and gone after close.
 */
class DaemonHttpTest {
  private static final String TOKEN = "daemon-http-test-token-0123456789abcdef";
  @TempDir Path dir;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** {@link #TOKEN} in a file only its owner reads, as the daemon requires. */
  private Path tokenFile() throws IOException {
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    return token;
  }

  private ReloadFixture fixture(int port, Path tokenFile) {
    return ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        http:
          listen: 127.0.0.1:%d
          tokens: [ { name: ci, role: reader, file: %s } ]
        """.formatted(dir.resolve("fleetrun.db"), port, tokenFile));
  }

  private int get(int port, String path) throws IOException, InterruptedException {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build();
    return client.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void theServerRunsWhileTheDaemonDoesAndAReloadKeepsIt() throws Exception {
    Path token = tokenFile();
    int port = freePort();
    ReloadFixture config = fixture(port, token);
    try (LogLines log = LogLines.of("io.fleetrun")) {
      Daemon daemon = config.start();
      try {
        assertThat(log.containing("http API listening on 127.0.0.1:" + port + " (1 token(s))")).hasSize(1);
        assertThat(get(port, "/readyz")).isEqualTo(200);
        assertThat(get(port, "/api/v1/invocations")).isEqualTo(200);
        HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/metrics")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("fleetrun_records_running").contains("jvm_memory_used_bytes");

        config.edit("");
        Files.writeString(config.target(), Files.readString(config.target()).replace(":" + port, ":" + (port + 1)));
        daemon.reload();
        assertThat(log.containing("http.listen")).anySatisfy(l -> assertThat(l).startsWith("WARN").contains("restart"));
        assertThat(get(port, "/healthz")).isEqualTo(200);
      } finally {
        daemon.close();
      }
      assertThatThrownBy(() -> get(port, "/healthz")).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void theConfigRoutesShowTheConfigInForceAndQuartzsNextFireTimes() throws Exception {
    Path token = tokenFile();
    int port = freePort();
    ReloadFixture config = fixture(port, token);
    // Never contacted: the job fires in 2099.
    config.edit("""
        instances: [ { id: web-1, host: 127.0.0.1, port: 1, user: deploy, tags: [web] } ]
        commands: [ { id: disk, content: "df -h -- {{mount}}", parameters: { mount: / } } ]
        jobs:
          - { id: later, command: disk, targets: { tags: [web] }, repeat: Once, frequency: "at(2099-01-01T02:00:00Z)" }
        """);
    try (Daemon daemon = config.start()) {
      assertThat(body(port, "/api/v1/jobs")).contains("\"jobId\":\"later\"")
          .contains("\"nextFireTime\":\"2099-01-01T02:00:00.000Z\"");
      assertThat(body(port, "/api/v1/instances")).contains("\"instanceId\":\"web-1\"");

      config.edit("""
          instances:
            - { id: web-1, host: 127.0.0.1, port: 1, user: deploy, tags: [web] }
            - { id: web-2, host: 127.0.0.1, port: 2, user: ops, tags: [web] }
          commands: [ { id: uptime, content: uptime, timeout: 5s } ]
          jobs:
            - { id: hourly, command: uptime, targets: { instances: [web-2] }, repeat: Period, frequency: "0 0 * * * ?" }
          """);
      assertThat(daemon.reload().applied()).isTrue();
      assertThat(body(port, "/api/v1/instances")).contains("\"web-2\"").contains("\"user\":\"ops\"");
      assertThat(body(port, "/api/v1/commands"))
          .isEqualTo("{\"commands\":[{\"commandId\":\"uptime\",\"content\":\"uptime\",\"workingDir\":null,"
              + "\"timeout\":\"5s\",\"parameters\":{}}]}");
      String jobs = body(port, "/api/v1/jobs");
      assertThat(jobs).doesNotContain("later").contains("\"jobId\":\"hourly\"");
      // The next whole hour (UTC) after the reload, as Quartz keeps it.
      String next = jobs.replaceAll(".*\"nextFireTime\":\"([^\"]+)\".*", "$1");
      Instant at = Instant.parse(next);
      assertThat(at).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofMinutes(61)));
      assertThat(at.getEpochSecond() % 3600).isZero();
    }
  }

  @Test
  void daemonAndMeTellWhatStatusShowsAndWhoAsks() throws Exception {
    Path token = tokenFile();
    int port = freePort();
    ReloadFixture config = fixture(port, token);
    config.edit("""
        instances: [ { id: web-1, host: 127.0.0.1, port: 1, user: deploy, tags: [web] } ]
        commands: [ { id: disk, content: "df -h" } ]
        jobs:
          - { id: later, command: disk, targets: { tags: [web] }, repeat: Once, frequency: "at(2099-01-01T02:00:00Z)" }
        """);
    try (Daemon daemon = config.start()) {
      JsonNode status = new ObjectMapper().readTree(body(port, "/api/v1/daemon"));
      assertThat(status.path("alive").asBoolean()).isTrue();
      assertThat(status.path("heartbeat").path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
      assertThat(status.path("heartbeat").path("configFile").asText()).isEqualTo(config.file().toString());
      assertThat(status.path("database").asText()).isEqualTo("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
      assertThat(status.path("jobs").toString())
          .isEqualTo("[{\"jobId\":\"later\",\"nextFireTime\":\"2099-01-01T02:00:00.000Z\",\"state\":\"WAITING\"}]");
      assertThat(status.path("nodes")).isEmpty();
      assertThat(body(port, "/api/v1/me")).isEqualTo("{\"name\":\"ci\",\"role\":\"reader\"}");
    }
  }

  private String body(int port, String path) throws IOException, InterruptedException {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> answer = client.send(r, HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(path).isEqualTo(200);
    return answer.body();
  }

  @Test
  void aTokenThatCannotBeReadRefusesTheStartAndLeavesNothingBehind() throws Exception {
    Path missing = dir.resolve("no-such-token");
    int port = freePort();
    ReloadFixture config = fixture(port, missing);
    assertThatThrownBy(config::start).hasMessageContaining("http token ci").hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> get(port, "/healthz")).isInstanceOf(ConnectException.class);

    Files.writeString(missing, TOKEN);
    Files.setPosixFilePermissions(missing, PosixFilePermissions.fromString("r--------"));
    try (Daemon daemon = config.start()) { // the lease and the database were given back
      assertThat(get(port, "/readyz")).isEqualTo(200);
    }
  }
}
