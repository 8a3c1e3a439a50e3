package io.fleetrun.http;

import static io.fleetrun.http.ApiRig.READER;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.HttpSettings;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.testing.StoreBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests a client library would not send, written byte for byte on a real loopback socket:
 * other methods, repeated headers, a foreign Host. Each one must meet {@link Guard} as a plain
 * GET does.
 */
class ApiEdgeTest {
  @TempDir static Path dir;
  private static ApiRig rig;

  @BeforeAll
  static void start() {
    rig = new ApiRig(StoreBackend.SQLITE, dir);
    rig.once("inv-1", Optional.empty(), "c", ApiRig.T0, RecordStatus.Finished);
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  /** The whole answer (status line, headers, body) to {@code request}, sent as is. */
  static String raw(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      s.getInputStream().transferTo(out);
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static String request(String method, String path, String... headers) {
    StringBuilder r = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    for (String h : headers) {
      r.append(h).append("\r\n");
    }
    return r.append("Connection: close\r\n\r\n").toString();
  }

  /** Javalin answered HEAD on a GET route by itself, 200, without running the route's Guard. */
  @Test
  void headWithoutATokenIs401() throws IOException {
    for (String path : List.of("/api/v1/invocations", "/api/v1/invocations/inv-1", "/api/v1/invocations/inv-1/results")) {
      String answer = raw(rig.server.port(), request("HEAD", path, "Host: 127.0.0.1"));
      assertThat(answer).as(path).startsWith("HTTP/1.1 401 ");
    }
    String answer = raw(rig.server.port(), request("HEAD", "/api/v1/invocations", "Host: 127.0.0.1",
        "Authorization: Bearer " + READER));
    assertThat(answer).startsWith("HTTP/1.1 200 ").contains("application/json");
    assertThat(raw(rig.server.port(), request("HEAD", "/healthz", "Host: 127.0.0.1"))).startsWith("HTTP/1.1 200 ");
  }

  /**
   * Only the first of two Authorization headers was read: a proxy or a log that takes the last
   * one saw another caller than the daemon did. Two are refused, in either order.
   */
  @Test
  void twoAuthorizationHeadersAre401() throws IOException {
    String good = "Authorization: Bearer " + READER;
    String bad = "Authorization: Bearer not-a-token-0123456789";
    for (List<String> pair : List.of(List.of(good, bad), List.of(bad, good), List.of(good, good))) {
      String answer = raw(rig.server.port(), request("GET", "/api/v1/invocations", "Host: 127.0.0.1",
          pair.get(0), pair.get(1)));
      assertThat(answer).as(pair.toString()).startsWith("HTTP/1.1 401 ").doesNotContain("inv-1");
    }
    assertThat(raw(rig.server.port(), request("GET", "/api/v1/invocations", "Host: 127.0.0.1", good)))
        .startsWith("HTTP/1.1 200 ").contains("inv-1");
  }

  /**
   * Without tokens (loopback only) a web page could still read everything through DNS
   * rebinding: its own name, resolved to 127.0.0.1, is same-origin to the browser, which sends
   * it as Host. A Host that is not a loopback address or localhost is refused there.
   */
  @Test
  void withoutTokensAForeignHostIsRefused(@TempDir Path other) throws IOException {
    try (ApiRig filled = new ApiRig(StoreBackend.SQLITE, other)) {
      filled.once("inv-2", Optional.empty(), "c", ApiRig.T0, RecordStatus.Finished);
      BearerTokens open = BearerTokens.read(List.of(), Map.<String, String>of()::get);
      List<Route> routes = new ReadApi(new io.fleetrun.store.JdbcInvocationViews(filled.db.reads())).routes();
      try (ApiServer server = ApiServer.start(new HttpSettings("127.0.0.1", 0, List.of()), open, routes, List.of())) {
        int port = server.port();
        for (String host : List.of("evil.example", "evil.example:" + port, "127.0.0.1.evil.example", "10.0.0.5")) {
          String answer = raw(port, request("GET", "/api/v1/invocations", "Host: " + host));
          assertThat(answer).as(host).startsWith("HTTP/1.1 403 ").doesNotContain("inv-2");
        }
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port, "127.0.0.1")) {
          String answer = raw(port, request("GET", "/api/v1/invocations", "Host: " + host));
          assertThat(answer).as(host).startsWith("HTTP/1.1 200 ").contains("inv-2");
        }
      }
    }
  }

  /** Jetty's own refusals (before any route) were HTML pages echoing the request's URI. */
  @Test
  void jettysOwnRefusalsAreJsonToo() throws IOException {
    String path = raw(rig.server.port(), request("GET", "/x<script>alert(1)</script>", "Host: 127.0.0.1"));
    String header = raw(rig.server.port(), request("GET", "/api/v1/invocations", "Host: 127.0.0.1",
        "Authorization: Bearer " + "a".repeat(20_000)));
    assertThat(path).startsWith("HTTP/1.1 400 ");
    assertThat(header).startsWith("HTTP/1.1 431 ");
    for (String answer : List.of(path, header)) {
      assertThat(answer).contains("Content-Type: application/json").doesNotContainIgnoringCase("<html")
          .doesNotContain("script").contains("{\"code\":\"");
    }
  }
}
