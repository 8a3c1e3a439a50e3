package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.testing.LogLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run and stop over the HTTP API of a real in-process daemon (SQLite file, in-process SSH server
 * running real shells): the request goes the CLI's way (control_request, the daemon's poll) and
 * the invocation really runs, ends and is stopped.
 */
class DaemonWriteApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String OPERATOR = "daemon-write-operator-0123456789abcdef";
  private static final String READER = "daemon-write-reader-0123456789abcdef0";
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static EmbeddedSshServer ssh;
  private static ReloadFixture config;
  private static Daemon daemon;
  private static int port;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws IOException {
    ssh = EmbeddedSshServer.start(dir.resolve("ssh"));
    port = freePort();
    config = ReloadFixture.in(dir, """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { user: %s, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
        http:
          listen: 127.0.0.1:%d
          tokens:
            - { name: ci, role: operator, file: %s }
            - { name: grafana, role: reader, file: %s }
        instances:
          - { id: a, host: 127.0.0.1, port: %d, tags: [web] }
          - { id: b, host: 127.0.0.1, port: %d, tags: [web] }
        """.formatted(dir.resolve("fleetrun.db"), System.getProperty("user.name"), ssh.clientKey(),
        ssh.knownHosts(), port, token("operator", OPERATOR), token("reader", READER), ssh.port(), ssh.port()));
    config.edit("""
        commands:
          - { id: hi, content: "echo hi {{who}}", parameters: { who: world } }
          - { id: long, content: "sh -c 'sleep 416; echo write-api-marker'", timeout: 120s }
        """);
    daemon = config.start();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (ssh != null) {
      ssh.close();
    }
  }

  @Test
  void anOperatorsRunRunsAndEndsFinishedWithARecordPerTarget() throws Exception {
    try (LogLines log = LogLines.of("io.fleetrun.http")) {
      HttpResponse<String> run = post("/api/v1/invocations", OPERATOR,
          "{\"commandId\": \"hi\", \"tags\": [\"web\"], \"parameters\": {\"who\": \"api\"}}");

      assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
      String id = json(run).path("invokeId").asText();
      assertThat(id).startsWith("t-");
      await().atMost(WAIT).until(() -> json(get("/api/v1/invocations/" + id)).path("status").asText().equals("Finished"));
      JsonNode records = json(get("/api/v1/invocations/" + id + "/results")).path("records");
      List<String> outputs = new ArrayList<>();
      records.forEach(r -> outputs.add(r.path("instanceId").asText() + ":" + r.path("status").asText() + ":"
          + r.path("output").asText().strip()));
      assertThat(outputs).containsExactlyInAnyOrder("a:Finished:hi api", "b:Finished:hi api");
      assertThat(log.containing("http run of command hi by token ci")).singleElement().asString()
          .startsWith("INFO").endsWith("invocation " + id);
      assertThat(String.join("\n", log.containing(""))).doesNotContain(OPERATOR);
    }
  }

  @Test
  void aReaderOrNoTokenRunsNothing() throws Exception {
    long before = config.count("SELECT count(*) FROM control_request");
    String body = "{\"commandId\": \"hi\", \"tags\": [\"web\"]}";

    assertThat(post("/api/v1/invocations", READER, body).statusCode()).isEqualTo(403);
    assertThat(post("/api/v1/invocations", null, body).statusCode()).isEqualTo(401);
    assertThat(config.count("SELECT count(*) FROM control_request")).isEqualTo(before);
  }

  @Test
  void retriesWithOneClientTokenSequentialOrRacingMakeOneInvocation() throws Exception {
    String body = "{\"commandId\": \"hi\", \"instanceIds\": [\"a\"], \"parameters\": {\"who\": \"once\"},"
        + " \"clientToken\": \"daemon-retry-1\"}";
    ExecutorService senders = Executors.newFixedThreadPool(3);
    List<String> ids = new ArrayList<>();
    try {
      List<Future<HttpResponse<String>>> racing = senders.invokeAll(List.of(
          () -> post("/api/v1/invocations", OPERATOR, body), () -> post("/api/v1/invocations", OPERATOR, body),
          () -> post("/api/v1/invocations", OPERATOR, body)));
      for (Future<HttpResponse<String>> r : racing) {
        assertThat(r.get().statusCode()).as(r.get().body()).isEqualTo(202);
        ids.add(json(r.get()).path("invokeId").asText());
      }
    } finally {
      senders.shutdownNow();
    }
    HttpResponse<String> later = post("/api/v1/invocations", OPERATOR, body);
    ids.add(json(later).path("invokeId").asText());

    assertThat(ids).doesNotContain("", "null").containsOnly(ids.get(0));
    assertThat(config.query("SELECT invoke_id FROM invocation WHERE parameters LIKE '%once%'"))
        .containsExactly(ids.get(0));
    assertThat(config.count("SELECT count(*) FROM control_request WHERE client_token = 'daemon-retry-1'")).isEqualTo(1);
    HttpResponse<String> other = post("/api/v1/invocations", OPERATOR, body.replace("once", "twice"));
    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(json(other).path("code").asText()).isEqualTo("IdempotentParameterMismatch");
  }

  @Test
  void theDaemonsRefusalsAreA400WithTheirCodeAndReason() throws Exception {
    HttpResponse<String> command = post("/api/v1/invocations", OPERATOR, "{\"commandId\": \"nope\", \"tags\": [\"web\"]}");
    HttpResponse<String> instance = post("/api/v1/invocations", OPERATOR, "{\"commandId\": \"hi\", \"instanceIds\": [\"z\"]}");
    HttpResponse<String> parameter = post("/api/v1/invocations", OPERATOR,
        "{\"commandId\": \"hi\", \"tags\": [\"web\"], \"parameters\": {\"whom\": \"x\"}}");

    assertThat(command.statusCode()).isEqualTo(400);
    assertThat(json(command).path("code").asText()).isEqualTo("InvalidCommandId.NotFound");
    assertThat(json(command).path("message").asText()).isEqualTo("no command 'nope' in config");
    assertThat(json(instance).path("code").asText()).isEqualTo("InvalidInstanceId.NotFound");
    assertThat(json(parameter).path("code").asText()).isEqualTo("InvalidParameters");
    assertThat(json(parameter).path("message").asText()).contains("{{whom}}");
  }

  @Test
  void aStopOfOneInstanceThenOfTheRestStopsTheirRunningRecords() throws Exception {
    HttpResponse<String> run = post("/api/v1/invocations", OPERATOR, "{\"commandId\": \"long\", \"tags\": [\"web\"]}");
    String id = json(run).path("invokeId").asText();
    await().atMost(WAIT).until(() -> statuses(id).equals(List.of("a:Running", "b:Running")));

    HttpResponse<String> one = post("/api/v1/invocations/" + id + "/stop", OPERATOR, "{\"instanceIds\": [\"b\"]}");

    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
    assertThat(json(one).path("invokeId").asText()).isEqualTo(id);
    await().atMost(WAIT).until(() -> statuses(id).equals(List.of("a:Running", "b:Stopped")));
    assertThat(json(get("/api/v1/invocations/" + id)).path("status").asText()).isEqualTo("Running");

    HttpResponse<String> rest = post("/api/v1/invocations/" + id + "/stop", OPERATOR, "");
    assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
    await().atMost(WAIT).until(() -> statuses(id).equals(List.of("a:Stopped", "b:Stopped")));
    assertThat(json(get("/api/v1/invocations/" + id)).path("status").asText()).isEqualTo("Stopped");
  }

  @Test
  void aStopOfAnUnknownInvocationIs404() throws Exception {
    HttpResponse<String> stop = post("/api/v1/invocations/t-nosuchone/stop", OPERATOR, "{}");

    assertThat(stop.statusCode()).isEqualTo(404);
    assertThat(json(stop).path("code").asText()).isEqualTo("InvalidInvokeId.NotFound");
  }

  private List<String> statuses(String id) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    json(get("/api/v1/invocations/" + id + "/results")).path("records")
        .forEach(r -> out.add(r.path("instanceId").asText() + ":" + r.path("status").asText()));
    return out.stream().sorted().toList();
  }

  private HttpResponse<String> post(String path, String token, String body) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + READER).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> answer) {
    try {
      return JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + answer.body(), e);
    }
  }

  private static Path token(String name, String value) throws IOException {
    Path file = Files.writeString(dir.resolve(name + ".token"), value + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
