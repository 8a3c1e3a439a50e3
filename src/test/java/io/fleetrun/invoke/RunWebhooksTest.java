package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Notification;
import io.fleetrun.model.NotificationEvent;
import io.fleetrun.model.SecretRef;
import io.fleetrun.observe.InvocationReader;
import io.fleetrun.observe.WebhookCounters;
import io.fleetrun.observe.WebhookSettings;
import io.fleetrun.observe.Webhooks;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.RecordCounts;
import io.fleetrun.testing.HookReceiver;
import io.fleetrun.testing.HookReceiver.Answer;
import io.fleetrun.testing.LogLines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks of real runs (in-process SSH server, SQLite file) to a real receiver on loopback that
 * stalls past the 5 s timeout: the run that follows is not held, and the stalled delivery is
 * retried and delivered once.
 */
class RunWebhooksTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SECRET = "run-hook-secret-51c2";
  @TempDir Path dir;
  private InvokeRig rig;
  private EventFeed feed;
  private Invoker invoker;
  private Webhooks webhooks;
  private HookReceiver receiver;

  @AfterEach
  void stop() {
    if (invoker != null) {
      invoker.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
    if (feed != null) {
      feed.close(Duration.ofSeconds(1));
    }
    if (webhooks != null) {
      webhooks.close(Duration.ZERO);
    }
    if (receiver != null) {
      receiver.close();
    }
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void aReceiverSlowerThanTheTimeoutHoldsNoRunAndGetsTheFailedRecordOnceOnRetry() throws Exception {
    rig = InvokeRig.start(dir);
    Instance gone = new Instance(new InstanceId("gone"), "127.0.0.1", closedPort(), "fleet",
        Optional.of(rig.server.clientKey()), Optional.empty(), Set.of());
    Fleet fleet = new Fleet(List.of(rig.instance("web"), gone),
        List.of(command("hi", "echo hi"), command("never", "echo never")), List.of());
    // The first request is answered after 6 s: past the 5 s timeout (the default; retries sooner here).
    receiver = HookReceiver.start(n -> n == 1 ? Answer.sleepThen(Duration.ofSeconds(6), 200) : Answer.status(200));
    JdbcInvocationQueries queries = new JdbcInvocationQueries(rig.db);
    feed = new EventFeed(Clock.systemUTC());
    webhooks = new Webhooks(List.of(new Notification("chat", receiver.url("/hook"),
            Set.of(NotificationEvent.InvocationEnded, NotificationEvent.RecordFailed), new SecretRef.Env("HOOK_SECRET"))),
        new WebhookSettings(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofHours(1), 100),
        summaries(queries), WebhookCounters.NONE, Clock.systemUTC(),
        Map.of("HOOK_SECRET", SECRET)::get);
    feed.subscribe("webhooks", webhooks);
    invoker = new Invoker(new JooqInvocationStore(rig.db, new StatusCalculator()), queries, rig.executor, fleet,
        Clock.systemUTC(), feed);

    try (LogLines log = LogLines.of("io.fleetrun.observe")) {
      InvokeId failed = invoker.runAdHoc(run("never", "gone"));
      await().atMost(WAIT).until(() -> receiver.requests().size() == 1);

      // The receiver holds the record-failed delivery: a run now is not held by it.
      long start = System.nanoTime();
      InvokeId ok = invoker.runAdHoc(run("hi", "web"));
      await().atMost(WAIT).until(() -> "Finished".equals(status(ok)));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(receiver.requests()).as("the stalled request is still the only one").hasSize(1);

      // Retried after the timeout, delivered; then the two invocation-ended notifications.
      await().atMost(WAIT).until(() -> receiver.requests().size() == 4);
      List<HookReceiver.Request> requests = receiver.requests();
      assertThat(requests).extracting(r -> r.header("X-Fleetrun-Event"))
          .containsExactly("record-failed", "record-failed", "invocation-ended", "invocation-ended");
      assertThat(requests.get(1).header("X-Fleetrun-Delivery")).isEqualTo(requests.get(0).header("X-Fleetrun-Delivery"));
      assertThat(requests.get(1).text()).isEqualTo(requests.get(0).text());
      for (HookReceiver.Request r : requests) {
        assertThat(r.header("X-Fleetrun-Signature")).isEqualTo("sha256=" + hmac(r.body()));
      }
      JsonNode record = new ObjectMapper().readTree(requests.get(1).body());
      assertThat(record.at("/invocation/invokeId").asText()).isEqualTo(failed.value());
      assertThat(record.at("/invocation/command").asText()).isEqualTo("never");
      assertThat(record.at("/record/instance").asText()).isEqualTo("gone");
      assertThat(record.at("/record/status").asText()).isEqualTo("Failed");
      assertThat(record.at("/record/errorCode").asText()).isEqualTo("ConnectionRefused");
      JsonNode firstEnded = new ObjectMapper().readTree(requests.get(2).body());
      assertThat(firstEnded.at("/invocation/invokeId").asText()).isEqualTo(failed.value());
      assertThat(firstEnded.at("/invocation/status").asText()).isEqualTo("Failed");
      assertThat(firstEnded.at("/invocation/records/failed").asLong()).isEqualTo(1);
      JsonNode secondEnded = new ObjectMapper().readTree(requests.get(3).body());
      assertThat(secondEnded.at("/invocation/invokeId").asText()).isEqualTo(ok.value());
      assertThat(secondEnded.at("/invocation/status").asText()).isEqualTo("Finished");
      assertThat(secondEnded.at("/invocation/records/finished").asLong()).isEqualTo(1);
      assertThat(log.containing("delivered at attempt 2 (after: no answer within 5s)")).hasSize(1);
      assertThat(took).as("the run beside the stalled receiver").isLessThan(Duration.ofSeconds(5));
    }
  }

  private static InvocationReader summaries(JdbcInvocationQueries queries) {
    return id -> queries.findInvocation(id).map(invocation -> {
      RecordCounts c = queries.recordCounts(id);
      return new InvocationReader.Summary(invocation, c.pending(), c.running(), c.finished(), c.failed(), c.stopped());
    });
  }

  private String status(InvokeId id) {
    return rig.db.dsl().fetchValue("SELECT status FROM invocation WHERE invoke_id = ?", id.value()).toString();
  }

  private static String hmac(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  private static Command command(String id, String content) {
    return new Command(new CommandId(id), content, Optional.empty(), Duration.ofSeconds(20), Map.of());
  }

  private static ControlRequest.Run run(String command, String instance) {
    return new ControlRequest.Run(new CommandId(command), List.of(new InstanceId(instance)), Set.of(), Map.of());
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
