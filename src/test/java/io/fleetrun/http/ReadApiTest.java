package io.fleetrun.http;

import static io.fleetrun.http.ApiRig.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.testing.StoreBackend;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The read API over real HTTP, on a database filled by the real store, on SQLite and on
 * PostgreSQL. Fixture: t-1 Finished (job nightly), t-2 PartialFailed (ad hoc), t-3 periodic (job
 * disk; a fired 3 times, b once, c never), t-4 Running (job other). Tests that page add their
 * own invocations, older than T0 or under their own ids, so they leave the fixture's answers as
 * they are.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
class ReadApiTest {
  @Parameter StoreBackend backend;
  private static ApiRig rig;
  private static Path dir;

  @BeforeParameterizedClassInvocation
  static void start(StoreBackend backend) throws Exception {
    dir = Files.createTempDirectory("read-api");
    rig = new ApiRig(backend, dir);
    rig.once("t-1", Optional.of("nightly"), "uptime", T0, RecordStatus.Finished, RecordStatus.Finished);
    rig.once("t-2", Optional.empty(), "uptime", T0.plusSeconds(60), RecordStatus.Finished, RecordStatus.Failed);
    rig.periodic("t-3", "disk", T0.plusSeconds(120), "a", "b", "c");
    rig.fire("t-3", "a", T0.plusSeconds(130), RecordStatus.Finished, "a1\n");
    rig.fire("t-3", "a", T0.plusSeconds(160), RecordStatus.Failed, "a2\n");
    rig.fire("t-3", "b", T0.plusSeconds(161), RecordStatus.Finished, "b1\n");
    rig.fire("t-3", "a", T0.plusSeconds(190), RecordStatus.Finished, "a3\n");
    rig.once("t-4", Optional.of("other"), "echo", T0.plusSeconds(180), RecordStatus.Running);
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    rig.close();
  }

  @Test
  void listsInvocationsNewestFirstWithTheCloudApiFields() {
    JsonNode page = rig.read("/api/v1/invocations?maxResults=4").json();
    assertThat(ids(page.path("invocations"), "invokeId")).containsExactly("t-4", "t-3", "t-2", "t-1");
    JsonNode t2 = page.path("invocations").get(2);
    assertThat(t2.path("jobId").isNull()).isTrue();
    assertThat(t2.path("commandId").asText()).isEqualTo("uptime");
    assertThat(t2.path("commandContent").asText()).isEqualTo("echo {{word}}");
    assertThat(t2.path("parameters").path("word").asText()).isEqualTo("hi");
    assertThat(t2.path("repeatMode").asText()).isEqualTo("Once");
    assertThat(t2.path("frequency").isNull()).isTrue();
    assertThat(t2.path("status").asText()).isEqualTo("PartialFailed");
    assertThat(t2.path("createdAt").asText()).isEqualTo("2026-11-28T07:11:03.123Z");
    assertThat(t2.path("finishedAt").asText()).isEqualTo("2026-11-28T07:11:04.123Z");
    assertThat(t2.path("stoppedAt").isNull()).isTrue();
    assertThat(t2.path("instances").toString()).isEqualTo(
        "[{\"instanceId\":\"a\",\"status\":\"Finished\",\"repeats\":1,\"skipped\":0,\"stoppedAt\":null},"
            + "{\"instanceId\":\"b\",\"status\":\"Failed\",\"repeats\":1,\"skipped\":0,\"stoppedAt\":null}]");
    JsonNode t3 = page.path("invocations").get(1);
    assertThat(t3.path("repeatMode").asText()).isEqualTo("Period");
    assertThat(t3.path("frequency").asText()).isEqualTo("rate(30s)");
    assertThat(t3.path("jobId").asText()).isEqualTo("disk");
    assertThat(ids(t3.path("instances"), "instanceId")).containsExactly("a", "b", "c");
    assertThat(t3.path("instances").get(0).path("repeats").asInt()).isEqualTo(3);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "status=PartialFailed                                              | t-2",
      "status=Running&jobId=disk                                         | t-3",
      "jobId=nightly                                                     | t-1",
      "commandId=uptime                                                  | t-2,t-1",
      "instanceId=c                                                      | t-3",
      "instanceId=b&commandId=uptime                                     | t-2,t-1",
      "since=2026-11-28T07:11:03.123Z                                    | t-4,t-3,t-2",
      "since=2026-11-28T07:10:03.123Z&until=2026-11-28T07:11:03.123Z     | t-1",
      "jobId=nobody                                                      | ''",
  })
  void filtersInvocations(String query, String expected) {
    JsonNode page = rig.read("/api/v1/invocations?" + query).json();
    List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(","));
    assertThat(ids(page.path("invocations"), "invokeId")).containsExactlyElementsOf(want);
    assertThat(page.path("nextToken").isNull()).isTrue();
  }

  @Test
  void readsOneInvocationOr404() {
    ApiRig.Answer one = rig.read("/api/v1/invocations/t-1");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().path("invokeId").asText()).isEqualTo("t-1");
    assertThat(one.json().path("status").asText()).isEqualTo("Finished");
    assertThat(one.json().path("jobId").asText()).isEqualTo("nightly");

    ApiRig.Answer none = rig.read("/api/v1/invocations/t-none");
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.code()).isEqualTo("InvalidInvokeId.NotFound");
    assertThat(none.json().path("message").asText()).contains("t-none");
    assertThat(rig.read("/api/v1/invocations/t-none/results").code()).isEqualTo("InvalidInvokeId.NotFound");
  }

  @Test
  void resultsHaveEveryRecordField() {
    JsonNode records = rig.read("/api/v1/invocations/t-2/results").json().path("records");
    assertThat(ids(records, "instanceId")).containsExactly("a", "b");
    JsonNode b = records.get(1);
    assertThat(b.path("recordId").asLong()).isPositive();
    assertThat(b.path("repeatNo").asInt()).isEqualTo(1);
    assertThat(b.path("status").asText()).isEqualTo("Failed");
    assertThat(b.path("detailStatus").asText()).isEqualTo("Timeout");
    assertThat(b.path("exitCode").isNull()).isTrue();
    assertThat(b.path("errorCode").asText()).isEqualTo("ExecutionTimeout");
    assertThat(b.path("errorInfo").asText()).isEqualTo("timed out after 60s");
    assertThat(b.path("output").asText()).isEqualTo("out t-2/b\n");
    assertThat(b.path("dropped").asLong()).isEqualTo(12);
    assertThat(b.path("scheduledAt").asText()).isEqualTo("2026-11-28T07:11:03.123Z");
    assertThat(b.path("startTime").asText()).isEqualTo("2026-11-28T07:11:03.123Z");
    assertThat(b.path("finishTime").asText()).isEqualTo("2026-11-28T07:11:04.123Z");
    assertThat(b.path("stopTime").isNull()).isTrue();
    assertThat(b.has("node")).isTrue();
    assertThat(records.get(0).path("exitCode").asInt()).isZero();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "''                                        | a3,b1",
      "includeHistory=false                      | a3,b1",
      "includeHistory=true                       | a3,b1,a2,a1",
      "includeHistory=true&instanceId=a          | a3,a2,a1",
      "includeHistory=true&status=Failed         | a2",
      "status=Failed                             | ''",
      "status=Finished&instanceId=b              | b1",
  })
  void resultsOfAPeriodicInvocationAreTheLatestPerInstanceUnlessHistoryIsAsked(String query, String expected) {
    JsonNode records = rig.read("/api/v1/invocations/t-3/results?" + query).json().path("records");
    List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(","));
    assertThat(StreamSupport.stream(records.spliterator(), false)
        .map(r -> r.path("instanceId").asText() + r.path("repeatNo").asInt()).toList())
        .containsExactlyElementsOf(want);
  }

  /**
   * Outputs of up to 16 MiB each: a page of 100 would read gigabytes into the daemon. A page
   * stops before the record that would take its outputs past the budget, with a nextToken for
   * the rest, and the walk still yields every record once.
   */
  @Test
  void aPageOfLargeOutputsEndsAtTheOutputBudgetAndTheWalkGoesOn() {
    int third = (int) (io.fleetrun.store.JdbcInvocationViews.PAGE_OUTPUT_BUDGET / 3) + 1;
    rig.periodic("t-big", "big", T0.minusSeconds(90_000), "x");
    for (int i = 1; i <= 4; i++) {
      rig.fire("t-big", "x", T0.minusSeconds(89_000 - i), RecordStatus.Finished, String.valueOf(i).repeat(third));
    }

    JsonNode first = rig.read("/api/v1/invocations/t-big/results?includeHistory=true&maxResults=100").json();
    // A third and a bit each: a third record would take the page past the budget.
    assertThat(StreamSupport.stream(first.path("records").spliterator(), false)
        .map(r -> r.path("repeatNo").asInt()).toList()).containsExactly(4, 3);
    String next = first.path("nextToken").asText();
    assertThat(next).isNotEmpty();
    JsonNode second = rig.read("/api/v1/invocations/t-big/results?includeHistory=true&maxResults=100&nextToken="
        + next).json();
    assertThat(StreamSupport.stream(second.path("records").spliterator(), false)
        .map(r -> r.path("repeatNo").asInt()).toList()).containsExactly(2, 1);
    assertThat(second.path("records").get(1).path("output").asText()).isEqualTo("1".repeat(third));
    assertThat(second.path("nextToken").isNull()).isTrue();
  }

  @Test
  void base64OutputRoundTripsTheStoredText() {
    String output = "h\u00e9llo \u001b[31mred\u001b[0m\r\n\u202eend\n";
    rig.periodic("t-b64", "b64", T0.minusSeconds(86_400), "x");
    rig.fire("t-b64", "x", T0.minusSeconds(86_000), RecordStatus.Finished, output);

    JsonNode body = rig.read("/api/v1/invocations/t-b64/results?outputEncoding=base64").json();
    assertThat(body.path("outputEncoding").asText()).isEqualTo("base64");
    byte[] decoded = Base64.getDecoder().decode(body.path("records").get(0).path("output").asText());
    assertThat(new String(decoded, StandardCharsets.UTF_8)).isEqualTo(output);
    JsonNode text = rig.read("/api/v1/invocations/t-b64/results?outputEncoding=text").json();
    assertThat(text.path("records").get(0).path("output").asText()).isEqualTo(output);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "/api/v1/invocations?status=Running' OR '1'='1                  | status",
      "/api/v1/invocations?status=running                             | status",
      "/api/v1/invocations?jobId=x' OR 1=1 --                         | jobId",
      "/api/v1/invocations?instanceId=a;DROP TABLE invocation         | instanceId",
      "/api/v1/invocations?commandId=                                 | commandId",
      "/api/v1/invocations?maxResults=0                               | maxResults",
      "/api/v1/invocations?maxResults=101                             | maxResults",
      "/api/v1/invocations?maxResults=ten                             | maxResults",
      "/api/v1/invocations?since=yesterday                            | since",
      "/api/v1/invocations?until=2026-13-01T00:00:00Z                 | until",
      "/api/v1/invocations?nextToken=not-a-token                      | nextToken",
      "/api/v1/invocations?nextToken=cjF8MTI                          | nextToken",
      "/api/v1/invocations?stauts=Running                             | stauts",
      "/api/v1/invocations?status=Running&status=Failed               | status",
      "/api/v1/invocations/t-3/results?outputEncoding=hex             | outputEncoding",
      "/api/v1/invocations/t-3/results?includeHistory=yes             | includeHistory",
      "/api/v1/invocations/t-3/results?status=PartialFailed           | status",
      "/api/v1/invocations/t-3/results?since=2026-11-28T07:10:03Z     | since",
      "/api/v1/invocations/t-3/results?includeHistory=true&nextToken=bjF8YQ | nextToken",
      "/api/v1/invocations/t-3/results?nextToken=bjF8IA                   | nextToken",
      "/api/v1/invocations/t-3/results?nextToken=cjF8MTI                  | nextToken",
      "/api/v1/invocations?nextToken=aTF8eHx0LTE                          | nextToken",
  })
  void aBadQueryParameterIs400NamingIt(String pathAndQuery, String parameter) {
    int q = pathAndQuery.indexOf('?');
    StringBuilder encoded = new StringBuilder(pathAndQuery.substring(0, q + 1));
    for (String pair : pathAndQuery.substring(q + 1).split("&")) {
      String[] kv = pair.split("=", 2);
      encoded.append(encoded.charAt(encoded.length() - 1) == '?' ? "" : "&")
          .append(kv[0]).append('=').append(URLEncoder.encode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
    }
    ApiRig.Answer a = rig.read(encoded.toString());
    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.code()).isEqualTo("InvalidParameter." + parameter);
    assertThat(a.json().path("message").asText()).startsWith("query parameter " + parameter + " ");
    // Nothing was run as SQL: the table still answers.
    assertThat(rig.read("/api/v1/invocations/t-1").status()).isEqualTo(200);
  }

  @Test
  void pagesOfInvocationsNeitherSkipNorRepeatWhileNewOnesArrive() {
    Instant base = T0.minusSeconds(7 * 86_400);
    Set<String> before = new HashSet<>();
    for (int i = 0; i < 23; i++) {
      String id = "t-page-%02d".formatted(i);
      // 17, 18 and 19 share one created_at, across the end of the first page (22..18): the
      // invoke id breaks the tie, so the second page starts at 17, with neither 18 nor 19 again.
      rig.once(id, Optional.of("pager"), "pager", base.plusSeconds(tied(i)), RecordStatus.Running);
      before.add(id);
    }
    List<String> seen = new ArrayList<>();
    Optional<String> token = Optional.empty();
    for (int page = 0; page < 10; page++) {
      JsonNode body = rig.read("/api/v1/invocations?jobId=pager&maxResults=5"
          + token.map(t -> "&nextToken=" + t).orElse("")).json();
      seen.addAll(ids(body.path("invocations"), "invokeId"));
      // Newer invocations arrive between pages.
      for (int k = 0; k < 2; k++) {
        rig.once("t-late-%d-%d".formatted(page, k), Optional.of("pager"), "pager",
            base.plusSeconds(1000 + 10 * page + k), RecordStatus.Running);
      }
      token = body.path("nextToken").isNull() ? Optional.empty() : Optional.of(body.path("nextToken").asText());
      if (token.isEmpty()) {
        break;
      }
    }
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(before);
    List<String> newestFirst = new ArrayList<>(before);
    newestFirst.sort((a, b) -> {
      int ia = Integer.parseInt(a.substring(7));
      int ib = Integer.parseInt(b.substring(7));
      int ta = tied(ia);
      int tb = tied(ib);
      return ta != tb ? Integer.compare(tb, ta) : b.compareTo(a);
    });
    assertThat(seen).containsExactlyElementsOf(newestFirst);
  }

  @Test
  void pagesOfRecordsNeitherSkipNorRepeatWhileAPeriodicJobWrites() {
    String[] instances = IntStream.range(0, 12).mapToObj(i -> "h%02d".formatted(i)).toArray(String[]::new);
    rig.periodic("t-hist", "hist", T0.minusSeconds(3600), instances);
    List<Long> history = new ArrayList<>();
    for (int fire = 0; fire < 2; fire++) {
      for (String h : instances) {
        history.add(rig.fire("t-hist", h, T0.minusSeconds(3000 - fire * 60), RecordStatus.Finished, "x").value());
      }
    }
    // History: every record, newest first.
    List<Long> seen = new ArrayList<>();
    walk("/api/v1/invocations/t-hist/results?includeHistory=true&maxResults=5", body -> {
      body.path("records").forEach(r -> seen.add(r.path("recordId").asLong()));
      rig.fire("t-hist", instances[seen.size() % instances.length], T0, RecordStatus.Finished, "new");
    });
    history.sort((a, b) -> Long.compare(b, a));
    assertThat(seen).containsExactlyElementsOf(history);

    // Latest per instance: each instance once, by id, though every instance fires between pages.
    List<String> latest = new ArrayList<>();
    walk("/api/v1/invocations/t-hist/results?maxResults=5", body -> {
      body.path("records").forEach(r -> latest.add(r.path("instanceId").asText()));
      for (String h : instances) {
        rig.fire("t-hist", h, T0, RecordStatus.Finished, "newer");
      }
    });
    assertThat(latest).containsExactly(instances);
  }

  private static int tied(int i) {
    return i >= 17 && i <= 19 ? 17 : i;
  }

  private static void walk(String first, java.util.function.Consumer<JsonNode> eachPage) {
    String url = first;
    for (int page = 0; page < 50; page++) {
      JsonNode body = rig.read(url).json();
      eachPage.accept(body);
      if (body.path("nextToken").isNull()) {
        return;
      }
      url = first + "&nextToken=" + body.path("nextToken").asText();
    }
    throw new AssertionError("more than 50 pages");
  }

  private static List<String> ids(JsonNode array, String field) {
    return StreamSupport.stream(array.spliterator(), false).map(n -> n.path(field).asText()).toList();
  }
}
