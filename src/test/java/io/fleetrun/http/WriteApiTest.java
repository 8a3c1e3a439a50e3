package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.ClientToken;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.Threshold;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.PendingRequest;
import io.fleetrun.store.RequestAnswer;
import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.StoreBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The write routes over real HTTP on loopback, on a real SQLite file (and PostgreSQL for a race),
 * with a stand-in for the daemon's poll ({@link StandInDaemon}): what is queued (the CLI's
 * control_request row), what each answer and refusal becomes, roles, bodies refused before
 * anything is queued, and clientToken.
 */
class WriteApiTest {
  private static final String RUN = "/api/v1/invocations";
  @TempDir Path dir;
  private ApiRig rig;
  private StandInDaemon daemon;

  private void start(Function<PendingRequest, Optional<RequestAnswer>> answers) {
    start(StoreBackend.SQLITE, answers);
  }

  private void start(StoreBackend backend, Function<PendingRequest, Optional<RequestAnswer>> answers) {
    rig = new ApiRig(backend, dir);
    if (answers != null) {
      daemon = new StandInDaemon(new JooqControlChannel(rig.db), answers);
    }
  }

  /** Each run gets a new invoke id (t-1, t-2...); a stop is done. */
  private static Function<PendingRequest, Optional<RequestAnswer>> carriesOut() {
    AtomicInteger runs = new AtomicInteger();
    return p -> Optional.of(new RequestAnswer.Done(p.request() instanceof ControlRequest.Stop s ? s.invokeId()
        : new InvokeId("t-" + runs.incrementAndGet())));
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    rig.close();
  }

  private long requests() {
    return ((Number) rig.db.dsl().fetchValue("SELECT count(*) FROM control_request")).longValue();
  }

  @Test
  void anOperatorsRunIsTheCliRequestAndIsAnsweredWithItsInvokeId() {
    start(carriesOut());
    try (LogLines log = LogLines.of("io.fleetrun.http")) {
      ApiRig.Answer answer = rig.operate(RUN, """
          {"commandId": "disk", "instanceIds": ["web-2", "web-1"], "tags": ["db"],
           "parameters": {"mount": "/var"}, "maxConcurrency": 2, "maxErrors": "25%"}""");

      assertThat(answer.status()).as(answer.body()).isEqualTo(202);
      assertThat(answer.body()).isEqualTo("{\"invokeId\":\"t-1\"}");
      assertThat(daemon.taken()).extracting(PendingRequest::request).containsExactly(new ControlRequest.Run(
          new CommandId("disk"), List.of(new InstanceId("web-2"), new InstanceId("web-1")), Set.of("db"),
          Map.of("mount", "/var"), new ConcurrencyControls(Optional.of(Threshold.count(2)),
              Optional.of(new Threshold(25, true)))));
      assertThat(log.containing("http run of command disk by token ci (request 1): invocation t-1"))
          .singleElement().asString().startsWith("INFO");
      assertThat(String.join("\n", log.containing(""))).doesNotContain(ApiRig.OPERATOR);
    }
  }

  @Test
  void aReaderMayNotRunOrStopAndNoTokenIsUnauthorized() {
    start(carriesOut());
    rig.once("t-old", Optional.empty(), "df", ApiRig.T0, RecordStatus.Running);
    byte[] body = "{\"commandId\": \"disk\", \"tags\": [\"db\"]}".getBytes(StandardCharsets.UTF_8);

    assertThat(rig.post(RUN, "Bearer " + ApiRig.READER, "application/json", body).code()).isEqualTo("Forbidden");
    assertThat(rig.post(RUN, "Bearer " + ApiRig.READER, "application/json", body).status()).isEqualTo(403);
    assertThat(rig.post(RUN + "/t-old/stop", "Bearer " + ApiRig.READER, "application/json", new byte[0]).status())
        .isEqualTo(403);
    ApiRig.Answer none = rig.post(RUN, null, "application/json", body);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.wwwAuthenticate()).contains("Bearer");
    assertThat(requests()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
      "unknown field | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"force\": true} | 400 | InvalidParameter.force",
      "string for array | {\"commandId\": \"disk\", \"instanceIds\": \"web-1\"} | 400 | InvalidParameter.instanceIds",
      "number for string | {\"commandId\": 5, \"tags\": [\"db\"]} | 400 | InvalidParameter.commandId",
      "number in array | {\"commandId\": \"disk\", \"tags\": [5]} | 400 | InvalidParameter.tags",
      "NUL in a parameter | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"parameters\": {\"n\": \"a\\u0000b\"}} | 400 | InvalidParameter.parameters",
      "NUL in a parameter name | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"parameters\": {\"n\\u0000\": \"a\"}} | 400 | InvalidParameter.parameters",
      "number parameter | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"parameters\": {\"n\": 1}} | 400 | InvalidParameter.parameters",
      "object for string | {\"commandId\": {}, \"tags\": [\"db\"]} | 400 | InvalidParameter.commandId",
      "no command | {\"tags\": [\"db\"]} | 400 | InvalidParameter.commandId",
      "no targets | {\"commandId\": \"disk\", \"instanceIds\": []} | 400 | InvalidParameter.instanceIds",
      "null in array | {\"commandId\": \"disk\", \"instanceIds\": [null]} | 400 | InvalidParameter.instanceIds",
      "not an id | {\"commandId\": \"disk\", \"instanceIds\": [\"a b\"]} | 400 | InvalidParameter.instanceIds",
      "zero concurrency | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"maxConcurrency\": \"0\"} | 400 | InvalidParameter.maxConcurrency",
      "bad errors | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"maxErrors\": \"x%\"} | 400 | InvalidParameter.maxErrors",
      "fraction errors | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"maxErrors\": 1.5} | 400 | InvalidParameter.maxErrors",
      "empty token | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"\"} | 400 | InvalidParameter.clientToken",
      "long token | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \""
          + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"} | 400 | InvalidParameter.clientToken",
      "non-ASCII token | {\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"caf\u00e9\"} | 400 | InvalidParameter.clientToken",
      "field twice | {\"commandId\": \"disk\", \"commandId\": \"df\", \"tags\": [\"db\"]} | 400 | MalformedJson",
      "not JSON | {\"commandId\": \"disk\", | 400 | MalformedJson",
      "trailing data | {\"commandId\": \"disk\", \"tags\": [\"db\"]} {} | 400 | MalformedJson",
      "an array | [] | 400 | MalformedJson",
      "null | null | 400 | MalformedJson",
      "empty | ~~ | 400 | MalformedJson",
  })
  void aBadBodyIsRefusedNamingTheFieldAndNothingIsQueued(String what, String body, int status, String code) {
    start(carriesOut());
    ApiRig.Answer answer = rig.operate(RUN, body);

    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.code()).as(answer.body()).isEqualTo(code);
    if (code.startsWith("InvalidParameter.")) {
      assertThat(answer.json().path("message").asText()).contains(code.substring("InvalidParameter.".length()));
    }
    assertThat(requests()).isZero();
  }

  @Test
  void aBodyNotSentAsJsonOrTooLargeIsRefused() {
    start(carriesOut());
    byte[] body = "{\"commandId\": \"disk\", \"tags\": [\"db\"]}".getBytes(StandardCharsets.UTF_8);
    String auth = "Bearer " + ApiRig.OPERATOR;

    assertThat(rig.post(RUN, auth, "text/plain", body).status()).isEqualTo(415);
    assertThat(rig.post(RUN, auth, null, body).code()).isEqualTo("UnsupportedMediaType");
    assertThat(rig.post(RUN, auth, "application/json; charset=utf-8", body).status()).isEqualTo(202);
    String big = "{\"commandId\": \"disk\", \"tags\": [\"db\"], \"parameters\": {\"p\": \""
        + "x".repeat(JsonBody.MAX_BYTES) + "\"}}";
    ApiRig.Answer tooLarge = rig.operate(RUN, big);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.code()).isEqualTo("RequestTooLarge");
    assertThat(requests()).isEqualTo(1);
  }

  @Test
  void theDaemonsRefusalIsA400WithItsReason() {
    start(p -> Optional.of(new RequestAnswer.Refused("no command 'disk' in config")));

    ApiRig.Answer answer = rig.operate(RUN, "{\"commandId\": \"disk\", \"tags\": [\"db\"]}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.code()).isEqualTo("InvalidCommandId.NotFound");
    assertThat(answer.json().path("message").asText()).isEqualTo("no command 'disk' in config");
  }

  @Test
  void aRetryWithTheClientTokenGetsTheSameInvokeIdAndQueuesNothing() {
    start(carriesOut());
    String body = "{\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"deploy-42\"}";

    ApiRig.Answer first = rig.operate(RUN, body);
    ApiRig.Answer retry = rig.operate(RUN, body);

    assertThat(first.status()).isEqualTo(202);
    assertThat(first.body()).isEqualTo("{\"invokeId\":\"t-1\"}");
    assertThat(retry.status()).isEqualTo(202);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(requests()).isEqualTo(1);
    assertThat(daemon.taken()).hasSize(1);
    // Another token is another run.
    assertThat(rig.operate(RUN, body.replace("deploy-42", "deploy-43")).body()).isEqualTo("{\"invokeId\":\"t-2\"}");
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(StoreBackend.class)
  void requestsRacingWithOneClientTokenMakeOneRun(StoreBackend backend) throws Exception {
    start(backend, carriesOut());
    String body = "{\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"race\"}";
    ExecutorService senders = Executors.newFixedThreadPool(4);
    try {
      List<Future<ApiRig.Answer>> answers = senders.invokeAll(List.of(
          () -> rig.operate(RUN, body), () -> rig.operate(RUN, body), () -> rig.operate(RUN, body),
          () -> rig.operate(RUN, body)));
      for (Future<ApiRig.Answer> a : answers) {
        assertThat(a.get().status()).as(a.get().body()).isEqualTo(202);
        assertThat(a.get().body()).isEqualTo("{\"invokeId\":\"t-1\"}");
      }
    } finally {
      senders.shutdownNow();
    }
    assertThat(requests()).isEqualTo(1);
    assertThat(daemon.taken()).hasSize(1);
  }

  @Test
  void theClientTokenOfAnotherRequestIsAConflict() {
    start(carriesOut());
    rig.operate(RUN, "{\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"t1\"}");

    ApiRig.Answer other = rig.operate(RUN, "{\"commandId\": \"disk\", \"tags\": [\"web\"], \"clientToken\": \"t1\"}");

    assertThat(other.status()).isEqualTo(409);
    assertThat(other.code()).isEqualTo("IdempotentParameterMismatch");
    assertThat(requests()).isEqualTo(1);
  }

  @Test
  void aConflictDoesNotTellTheRequestOfAnotherCaller() {
    start(carriesOut());
    long first = rig.control.submitOnce(new ControlRequest.Run(new CommandId("disk"), List.of(), Set.of("db"), Map.of(),
        ConcurrencyControls.NONE), new ClientToken("nightly"), "someone-else", ApiRig.T0).id();

    ApiRig.Answer other = rig.operate(RUN, "{\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"nightly\"}");

    assertThat(other.status()).isEqualTo(409);
    assertThat(other.json().path("message").asText()).doesNotContain("request " + first).doesNotContain("requestId");
    assertThat(other.json().has("requestId")).isFalse();
  }

  @Test
  void aRequestNoDaemonTookIsWithdrawnAnd503AndItsClientTokenIsFreeAgain() {
    start(null);
    String body = "{\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"late\"}";

    ApiRig.Answer answer = rig.operate(RUN, body);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.code()).isEqualTo("ServiceUnavailable");
    assertThat(answer.json().path("message").asText()).contains("will not run");
    assertThat(rig.db.dsl().fetchValue("SELECT count(*) FROM control_request WHERE withdrawn_at IS NOT NULL"
        + " AND claimed_at IS NULL").toString()).isEqualTo("1");
    // Now a daemon is there: the retry runs.
    daemon = new StandInDaemon(new JooqControlChannel(rig.db), carriesOut());
    assertThat(rig.operate(RUN, body).body()).isEqualTo("{\"invokeId\":\"t-1\"}");
    assertThat(daemon.taken()).hasSize(1);
  }

  /** The retry never withdraws: its first sender does, and the retry reads that as not run. */
  @Test
  void aRetryWhileNoDaemonTakesTheFirstIsNotRunEither() throws Exception {
    start(null);
    String body = "{\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"nobody\"}";
    ExecutorService sender = Executors.newSingleThreadExecutor();
    try {
      Future<ApiRig.Answer> first = sender.submit(() -> rig.operate(RUN, body));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> requests() == 1);
      ApiRig.Answer retry = rig.operate(RUN, body);

      assertThat(first.get().status()).as(first.get().body()).isEqualTo(503);
      assertThat(retry.status()).as(retry.body()).isEqualTo(503);
      assertThat(retry.code()).isEqualTo("ServiceUnavailable");
    } finally {
      sender.shutdownNow();
    }
    assertThat(requests()).isEqualTo(1);
  }

  @Test
  void aRequestTakenButNotAnsweredIs202WithoutInvokeIdAndARetryGetsItOnceAnswered() {
    start(p -> Optional.empty());
    String body = "{\"commandId\": \"disk\", \"tags\": [\"db\"], \"clientToken\": \"slow\"}";

    ApiRig.Answer taken = rig.operate(RUN, body);

    assertThat(taken.status()).isEqualTo(202);
    assertThat(taken.json().path("invokeId").isNull()).isTrue();
    long id = taken.json().path("requestId").asLong();
    assertThat(taken.json().path("message").asText()).contains("same clientToken");
    rig.control.complete(id, new RequestAnswer.Done(new InvokeId("t-late")), java.time.Instant.now());
    assertThat(rig.operate(RUN, body).body()).isEqualTo("{\"invokeId\":\"t-late\"}");
    assertThat(requests()).isEqualTo(1);
  }

  @Test
  void aStopIsTheCliStopRequest() {
    start(carriesOut());
    rig.once("t-run", Optional.empty(), "df", ApiRig.T0, RecordStatus.Running, RecordStatus.Running);

    ApiRig.Answer all = rig.post(RUN + "/t-run/stop", "Bearer " + ApiRig.OPERATOR, null, new byte[0]);
    ApiRig.Answer one = rig.operate(RUN + "/t-run/stop", "{\"instanceIds\": [\"b\"]}");

    assertThat(all.status()).as(all.body()).isEqualTo(200);
    assertThat(all.body()).isEqualTo("{\"invokeId\":\"t-run\"}");
    assertThat(one.status()).isEqualTo(200);
    assertThat(daemon.taken()).extracting(PendingRequest::request).containsExactly(
        new ControlRequest.Stop(new InvokeId("t-run"), Set.of()),
        new ControlRequest.Stop(new InvokeId("t-run"), Set.of(new InstanceId("b"))));
    assertThat(rig.operate(RUN + "/t-run/stop", "{\"instanceIds\": \"b\"}").code())
        .isEqualTo("InvalidParameter.instanceIds");
  }

  /** As {@code curl -X POST} sends it: no body, no Content-Length, no Content-Type. */
  @Test
  void aStopWithoutAnyBodyStopsEveryInstance() throws Exception {
    start(carriesOut());
    rig.once("t-run", Optional.empty(), "df", ApiRig.T0, RecordStatus.Running);
    String head;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", rig.server.port())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("POST " + RUN + "/t-run/stop HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + ApiRig.OPERATOR + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      head = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(head).startsWith("HTTP/1.1 200").endsWith("{\"invokeId\":\"t-run\"}");
    assertThat(daemon.taken()).extracting(PendingRequest::request)
        .containsExactly(new ControlRequest.Stop(new InvokeId("t-run"), Set.of()));
  }

  @Test
  void aStopOfAnUnknownInvocationIs404AndQueuesNothing() {
    start(carriesOut());

    ApiRig.Answer answer = rig.operate(RUN + "/t-none/stop", "{}");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo("InvalidInvokeId.NotFound");
    assertThat(requests()).isZero();
  }

  @Test
  void theDaemonsRefusalOfAStopNamesTheInstance() {
    start(p -> Optional.of(new RequestAnswer.Refused("invocation t-run has no instance [z]; its instances are [a]")));
    rig.once("t-run", Optional.empty(), "df", ApiRig.T0, RecordStatus.Running);

    ApiRig.Answer answer = rig.operate(RUN + "/t-run/stop", "{\"instanceIds\": [\"z\"]}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.code()).isEqualTo("InvalidInstanceId.NotFound");
  }
}
