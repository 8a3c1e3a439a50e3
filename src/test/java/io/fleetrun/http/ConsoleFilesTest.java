package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.testing.StoreBackend;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The web console's files as the daemon serves them: the page at {@code /} and its allow-listed
 * files without a token, each with its content type and the security headers; anything else
 * under {@code /console/}, traversal attempts included, is a 404 that serves no file.
 */
class ConsoleFilesTest {
  private static ApiRig rig;

  @BeforeAll
  static void start() throws Exception {
    rig = new ApiRig(StoreBackend.SQLITE, Files.createTempDirectory("console-files"));
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void thePageAndItsFilesNeedNoTokenAndCarryTheirTypesAndTheSecurityHeaders() throws IOException {
    Map<String, String> types = Map.of(
        "/", "text/html; charset=utf-8",
        "/console/console.js", "text/javascript; charset=utf-8",
        "/console/events.js", "text/javascript; charset=utf-8",
        "/console/render.js", "text/javascript; charset=utf-8",
        "/console/console.css", "text/css; charset=utf-8");
    for (Map.Entry<String, String> e : types.entrySet()) {
      Raw answer = raw("GET " + e.getKey());
      assertThat(answer.status()).as(e.getKey()).isEqualTo(200);
      assertThat(answer.header("Content-Type").replace(" ", "")).as(e.getKey())
          .isEqualToIgnoringCase(e.getValue().replace(" ", ""));
      assertThat(answer.header("Content-Security-Policy")).as(e.getKey()).isEqualTo(
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
              + " frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      assertThat(answer.header("X-Content-Type-Options")).as(e.getKey()).isEqualTo("nosniff");
      assertThat(answer.header("Referrer-Policy")).as(e.getKey()).isEqualTo("no-referrer");
      assertThat(answer.header("Cache-Control")).as(e.getKey()).isEqualTo("no-cache");
    }
    assertThat(rig.get("/", null).body()).contains("<script type=\"module\" src=\"/console/console.js\">")
        .doesNotContain("<style").doesNotContain("onclick");
  }

  @Test
  void theFilesHoldNoInlineScriptOrStyleTheirPolicyWouldRefuse() {
    String page = rig.get("/", null).body();
    assertThat(page.replace("<script type=\"module\" src=\"/console/console.js\"></script>", ""))
        .doesNotContain("<script").doesNotContain(" style=").doesNotContainPattern("\\son[a-z]+\\s*=");
    for (String js : List.of("console.js", "events.js", "render.js")) {
      assertThat(rig.get("/console/" + js, null).body()).as(js)
          .doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML")
          .doesNotContain("eval(").doesNotContain("document.write");
    }
  }

  /** Sent as raw bytes, so no client library normalizes the path before the server sees it. */
  @ParameterizedTest
  @ValueSource(strings = {
      "/console/..%2f..%2fetc/passwd",
      "/console/..%2f..%2f..%2f..%2fetc%2fpasswd",
      "/console/%2e%2e/%2e%2e/etc/passwd",
      "/console/../../etc/passwd",
      "/console/..%5c..%5cetc%5cpasswd",
      "/console/index.html",
      "/console/openapi.json",
      "/console/..%2fopenapi.json",
      "/console/console.js%00.png",
      "/console/CONSOLE.JS",
      "/console/",
      "/console/nope.js"})
  void anythingButTheAllowListedNamesServesNoFile(String path) throws IOException {
    Raw answer = raw("GET " + path);
    assertThat(answer.status()).as(path).isIn(400, 404);
    assertThat(answer.body()).as(path).doesNotContain("root:").doesNotContain("\"openapi\"")
        .doesNotContain("import ").doesNotContain("<html");
    assertThat(answer.header("Content-Type")).as(path).startsWith("application/json");
  }

  @Test
  void anUnknownNameIsANotFoundInTheApisErrorShape() {
    ApiRig.Answer answer = rig.get("/console/secrets.txt", null);
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo("NotFound");
  }

  @Test
  void theDataTheConsoleReadsStillNeedsAToken() {
    assertThat(rig.get("/api/v1/invocations", null).status()).isEqualTo(401);
  }

  private record Raw(int status, String head, String body) {
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return "";
    }
  }

  /** One HTTP/1.1 request line as given, Connection: close; the whole answer. */
  private static Raw raw(String requestLine) throws IOException {
    try (Socket s = new Socket("127.0.0.1", rig.server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int split = all.indexOf("\r\n\r\n");
      String head = split < 0 ? all : all.substring(0, split);
      String body = split < 0 ? "" : all.substring(split + 4);
      return new Raw(Integer.parseInt(head.split(" ")[1]), head, body);
    }
  }
}
