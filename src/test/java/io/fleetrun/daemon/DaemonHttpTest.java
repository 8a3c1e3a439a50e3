package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
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
