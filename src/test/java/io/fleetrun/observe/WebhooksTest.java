package io.fleetrun.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.invoke.RunEvent;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Notification;
import io.fleetrun.model.NotificationEvent;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.SecretRef;
import io.fleetrun.testing.HookReceiver;
import io.fleetrun.testing.HookReceiver.Answer;
import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Webhook deliveries over real HTTP on loopback, to receivers that answer, fail, stall and redirect. */
class WebhooksTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String SECRET = "hook-secret-7f3a9c";
  private static final Map<String, String> ENV = Map.of("HOOK_SECRET", SECRET);
  private static final InvokeId INVOKE = new InvokeId("inv-1");
  /** Short waits: retries 50 ms apart and up, given up after 2 s; a 1 s timeout. */
  private static final WebhookSettings FAST =
      new WebhookSettings(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(2), 100);
  private final List<AutoCloseable> open = new ArrayList<>();
  private final Metrics metrics = new Metrics(new Gauges(() -> 0, () -> 0, () -> 0, () -> 0, () -> 0, () -> 0,
      Optional::empty, Optional::empty));

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void aFailedRecordIsPostedAsJsonSignedWithAnHmacOfTheExactBody() throws Exception {
    HookReceiver receiver = receiver(HookReceiver.ok());
    Webhooks hooks = webhooks(FAST, hook("chat", receiver.url("/hook"), NotificationEvent.RecordFailed,
        NotificationEvent.InvocationEnded));

    hooks.on(failedRecord());
    hooks.on(new RunEvent.InvocationStatusChanged(INVOKE, InvocationStatus.Running));
    hooks.on(new RunEvent.InvocationStatusChanged(INVOKE, InvocationStatus.Failed));

    await().atMost(WAIT).until(() -> receiver.requests().size() == 2);
    HookReceiver.Request failed = receiver.requests().get(0);
    assertThat(failed.method()).isEqualTo("POST");
    assertThat(failed.header("Content-Type")).isEqualTo("application/json");
    assertThat(failed.header("X-Fleetrun-Event")).isEqualTo("record-failed");
    assertThat(failed.header("X-Fleetrun-Delivery")).matches("[0-9a-f-]{36}");
    assertThat(failed.header("X-Fleetrun-Signature")).isEqualTo("sha256=" + hmac(SECRET, failed.body()));
    JsonNode body = new ObjectMapper().readTree(failed.body());
    assertThat(body.get("event").asText()).isEqualTo("record-failed");
    assertThat(body.get("eventId").asText()).matches("[0-9a-f-]{36}");
    assertThat(Instant.parse(body.get("time").asText())).isNotNull();
    assertThat(body.get("hook").asText()).isEqualTo("chat");
    assertThat(body.at("/invocation/invokeId").asText()).isEqualTo("inv-1");
    assertThat(body.at("/invocation/job").asText()).isEqualTo("nightly");
    assertThat(body.at("/invocation/records/failed").asLong()).isEqualTo(1);
    assertThat(body.at("/record/recordId").asLong()).isEqualTo(42);
    assertThat(body.at("/record/instance").asText()).isEqualTo("web-1");
    assertThat(body.at("/record/status").asText()).isEqualTo("Failed");
    assertThat(body.at("/record/detailStatus").asText()).isEqualTo("Timeout");
    assertThat(body.at("/record/errorCode").asText()).isEqualTo("ExecutionTimeout");
    assertThat(body.at("/record/durationMs").asLong()).isEqualTo(1500);
    assertThat(body.at("/record").has("output")).isFalse();
    // Running is no end: only the Failed status became an invocation-ended notification.
    HookReceiver.Request ended = receiver.requests().get(1);
    assertThat(ended.header("X-Fleetrun-Event")).isEqualTo("invocation-ended");
    assertThat(ended.header("X-Fleetrun-Signature")).isEqualTo("sha256=" + hmac(SECRET, ended.body()));
    assertThat(new ObjectMapper().readTree(ended.body()).at("/invocation/status").asText()).isEqualTo("Failed");
    assertThat(new ObjectMapper().readTree(ended.body()).has("record")).isFalse();
    await().atMost(WAIT).until(() -> scrape().sum("fleetrun_webhook_deliveries_total",
        Map.of("hook", "chat", "outcome", "delivered")) == 2);
  }

  @Test
  void aReceiverThatFailsThenRecoversGetsTheEventOnceAndNeitherSecretNorSignatureIsLogged() throws Exception {
    HookReceiver receiver = receiver(HookReceiver.start(n -> Answer.status(n <= 3 ? 500 : 204)));
    try (LogLines log = LogLines.of("io.fleetrun.observe")) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.fleetrun.observe")).setLevel(Level.DEBUG);
      Webhooks hooks = webhooks(FAST, hook("chat", receiver.url("/hook"), NotificationEvent.RecordFailed));

      hooks.on(failedRecord());

      await().atMost(WAIT).until(() -> scrape().sum("fleetrun_webhook_deliveries_total",
          Map.of("hook", "chat", "outcome", "delivered")) == 1);
      assertThat(receiver.requests()).hasSize(4);
      assertThat(receiver.requests()).extracting(r -> r.header("X-Fleetrun-Delivery")).containsOnly(
          receiver.requests().get(0).header("X-Fleetrun-Delivery"));
      assertThat(receiver.requests()).extracting(HookReceiver.Request::text).containsOnly(
          receiver.requests().get(0).text());
      assertThat(scrape().sum("fleetrun_webhook_failed_attempts_total", Map.of("hook", "chat"))).isEqualTo(3);
      assertThat(log.containing("delivered at attempt 4 (after: HTTP 500)")).hasSize(1);
      assertThat(log.containing("attempt 2 failed: HTTP 500")).as("DEBUG per attempt").hasSize(1);
      String signature = receiver.requests().get(0).header("X-Fleetrun-Signature");
      assertThat(log.containing(SECRET)).isEmpty();
      assertThat(log.containing(signature.substring("sha256=".length()))).isEmpty();
      // Delivered means done: no later attempt.
      Thread.sleep(300);
      assertThat(receiver.requests()).hasSize(4);
    }
  }

  @Test
  void aReceiverDownPastTheHourIsGivenUpAndLoggedWithHookEventAndAttempts() {
    HookReceiver receiver = receiver(HookReceiver.start(n -> Answer.status(503)));
    // The default hour, on a clock that moves 10 minutes at each look; retries 10 ms apart.
    WebhookSettings hour = new WebhookSettings(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(10),
        Duration.ofHours(1), 10);
    try (LogLines log = LogLines.of("io.fleetrun.observe")) {
      Webhooks hooks = new Webhooks(List.of(hook("chat", receiver.url("/hook"), NotificationEvent.RecordFailed)), hour,
          InvocationReader.NONE, metrics, new Stepping(Duration.ofMinutes(10)), ENV::get);
      open.add(hooks);

      hooks.on(failedRecord());

      await().atMost(WAIT).until(() -> !log.containing("gave up").isEmpty());
      // The event is taken at minute 0, the first attempt at 10; the failures are looked at 20,
      // 30 ... 60 minutes: after the 6th, 60 minutes after the first attempt, the next wait would end
      // past the hour.
      assertThat(log.containing("gave up")).singleElement().asString()
          .startsWith("WARN webhook chat: gave up delivery")
          .contains("of record-failed for invocation inv-1 after 6 attempt(s) over 1h; last: HTTP 503");
      assertThat(receiver.requests()).hasSize(6);
      assertThat(scrape().sum("fleetrun_webhook_deliveries_total", Map.of("hook", "chat", "outcome", "given_up")))
          .isEqualTo(1);
    }
  }

  /** A clock that moves {@code step} forward at each look. */
  private static final class Stepping extends Clock {
    private final Duration step;
    private Instant now = Instant.parse("2026-12-02T10:00:00Z");

    Stepping(Duration step) {
      this.step = step;
    }

    @Override
    public synchronized Instant instant() {
      Instant at = now;
      now = now.plus(step);
      return at;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void aRedirectToAnotherHostIsNotFollowed() {
    HookReceiver elsewhere = receiver(HookReceiver.ok());
    HookReceiver receiver = receiver(HookReceiver.start(n -> new Answer(302, Duration.ZERO,
        Map.of("Location", "http://localhost:" + elsewhere.port() + "/steal"))));
    WebhookSettings cap = new WebhookSettings(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(300), 10);
    try (LogLines log = LogLines.of("io.fleetrun.observe")) {
      webhooks(cap, hook("chat", receiver.url("/hook"), NotificationEvent.RecordFailed)).on(failedRecord());

      await().atMost(WAIT).until(() -> !log.containing("gave up").isEmpty());
      assertThat(log.containing("gave up")).singleElement().asString()
          .contains("HTTP 302 (redirects are not followed)");
      assertThat(receiver.requests()).isNotEmpty();
      assertThat(elsewhere.requests()).isEmpty();
    }
  }

  @Test
  void aFullQueueDropsCountsAndLogsOnceWhileAStalledHookHoldsNoOtherHook() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HookReceiver stalled = receiver(HookReceiver.start(n -> {
      hold(release);
      return Answer.status(200);
    }));
    HookReceiver fine = receiver(HookReceiver.ok());
    WebhookSettings two = new WebhookSettings(Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofSeconds(5), 2);
    try (LogLines log = LogLines.of("io.fleetrun.observe")) {
      Webhooks hooks = webhooks(two, hook("stalled", stalled.url("/"), NotificationEvent.RecordEnded),
          hook("fine", fine.url("/"), NotificationEvent.RecordEnded));

      hooks.on(failedRecord());
      await().atMost(WAIT).until(() -> stalled.requests().size() == 1);
      for (int i = 0; i < 5; i++) {
        hooks.on(failedRecord());
        int sent = i + 2;
        await().atMost(WAIT).until(() -> fine.requests().size() == sent);
      }

      // The stalled hook holds one in flight and queues two: three of the six are dropped.
      assertThat(scrape().sum("fleetrun_webhook_dropped_total", Map.of("hook", "stalled"))).isEqualTo(3);
      assertThat(scrape().sum("fleetrun_webhook_dropped_total", Map.of("hook", "fine"))).isZero();
      assertThat(log.containing("queue of 2 is full")).singleElement().asString().startsWith("WARN webhook stalled:");
      assertThat(stalled.requests()).hasSize(1);
      release.countDown();
      await().atMost(WAIT).until(() -> scrape().sum("fleetrun_webhook_deliveries_total",
          Map.of("hook", "stalled", "outcome", "delivered")) == 3);
    }
  }

  @Test
  void closingDropsWhatAStalledHookHasLeftWithALineCountingIt() {
    CountDownLatch release = new CountDownLatch(1);
    open.add(release::countDown);
    HookReceiver stalled = receiver(HookReceiver.start(n -> {
      hold(release);
      return Answer.status(200);
    }));
    try (LogLines log = LogLines.of("io.fleetrun.observe")) {
      Webhooks hooks = new Webhooks(List.of(hook("stalled", stalled.url("/"), NotificationEvent.RecordEnded)), FAST,
          InvocationReader.NONE, metrics, Clock.systemUTC(), ENV::get);
      hooks.on(failedRecord());
      await().atMost(WAIT).until(() -> stalled.requests().size() == 1);
      hooks.on(failedRecord());
      hooks.on(failedRecord());

      long start = System.nanoTime();
      hooks.close(Duration.ofMillis(200));

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(log.containing("3 delivery(ies) not sent, dropped as it stopped")).hasSize(1);
      assertThat(scrape().sum("fleetrun_webhook_deliveries_total", Map.of("hook", "stalled", "outcome", "abandoned")))
          .isEqualTo(3);
    }
  }

  @Test
  void aReloadStartsNewHooksStopsRemovedOnesAndFollowsAChangedUrl() {
    HookReceiver a = receiver(HookReceiver.ok());
    HookReceiver b = receiver(HookReceiver.ok());
    Webhooks hooks = webhooks(FAST, hook("one", a.url("/"), NotificationEvent.RecordEnded),
        hook("two", a.url("/"), NotificationEvent.RecordEnded));

    hooks.apply(List.of(hook("two", b.url("/"), NotificationEvent.RecordEnded),
        hook("three", b.url("/"), NotificationEvent.RecordFailed)));
    hooks.on(failedRecord());

    assertThat(hooks.hooks()).containsExactly("two", "three");
    await().atMost(WAIT).until(() -> b.requests().size() == 2);
    assertThat(b.requests()).extracting(r -> r.header("X-Fleetrun-Event"))
        .containsExactlyInAnyOrder("record-ended", "record-failed");
    assertThat(a.requests()).isEmpty();
  }

  @Test
  void aSecretThatCannotBeReadIsSaidAtStartAndFailsTheAttemptsWithoutSendingAnything() {
    HookReceiver receiver = receiver(HookReceiver.ok());
    try (LogLines log = LogLines.of("io.fleetrun.observe")) {
      Webhooks hooks = new Webhooks(List.of(new Notification("chat", receiver.url("/"), Set.of(NotificationEvent.RecordEnded),
          new SecretRef.Env("NOT_SET_ANYWHERE"))), FAST, InvocationReader.NONE, metrics, Clock.systemUTC(), ENV::get);
      open.add(hooks);

      assertThat(log.containing("webhook chat: its secret cannot be read (environment variable NOT_SET_ANYWHERE is not"
          + " set)")).hasSize(1);
      hooks.on(failedRecord());
      await().atMost(WAIT).until(() -> scrape().sum("fleetrun_webhook_failed_attempts_total", Map.of("hook", "chat")) >= 2);
      assertThat(receiver.requests()).as("nothing unsigned is sent").isEmpty();
    }
  }

  @Test
  void eventsMapToTheNotificationEventsTheyMean() {
    assertThat(Webhooks.eventsOf(failedRecord()))
        .containsExactly(NotificationEvent.RecordEnded, NotificationEvent.RecordFailed);
    assertThat(Webhooks.eventsOf(new RunEvent.InvocationStatusChanged(INVOKE, InvocationStatus.PartialFailed)))
        .containsExactly(NotificationEvent.InvocationStatusChanged, NotificationEvent.InvocationEnded);
    assertThat(Webhooks.eventsOf(new RunEvent.InvocationStatusChanged(INVOKE, InvocationStatus.Running)))
        .containsExactly(NotificationEvent.InvocationStatusChanged);
    assertThat(Webhooks.eventsOf(new RunEvent.RecordStarted(new RecordId(1), INVOKE, Optional.empty(),
        new InstanceId("web-1"), Instant.EPOCH, Duration.ZERO))).isEmpty();
  }

  @Test
  void retryWaitsDoubleUpToTheirCapWithJitter() {
    WebhookSettings d = WebhookSettings.defaults();
    assertThat(d.retryDelay(1, 1.0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.retryDelay(4, 1.0)).isEqualTo(Duration.ofSeconds(8));
    assertThat(d.retryDelay(4, 0.5)).isEqualTo(Duration.ofSeconds(4));
    assertThat(d.retryDelay(20, 1.0)).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.retryDelay(500, 1.0)).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.giveUpAfter()).isEqualTo(Duration.ofHours(1));
    assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  private Webhooks webhooks(WebhookSettings settings, Notification... hooks) {
    InvocationReader reader = id -> Optional.of(new InvocationReader.Summary(new Invocation(id,
        Optional.of(new JobId("nightly")), new CommandId("backup"), RepeatMode.Once, Optional.empty(),
        InvocationStatus.Failed, Instant.parse("2026-12-02T10:00:00Z"), Optional.empty(), Optional.empty()),
        0, 0, 0, 1, 0));
    Webhooks w = new Webhooks(List.of(hooks), settings, reader, metrics, Clock.systemUTC(), ENV::get);
    open.add(w);
    return w;
  }

  private HookReceiver receiver(HookReceiver receiver) {
    open.add(receiver);
    return receiver;
  }

  private static Notification hook(String id, URI url, NotificationEvent... events) {
    return new Notification(id, url, Set.of(events), new SecretRef.Env("HOOK_SECRET"));
  }

  private static RunEvent.RecordEnded failedRecord() {
    return new RunEvent.RecordEnded(new RecordId(42), INVOKE, Optional.of(new JobId("nightly")),
        new InstanceId("web-1"), RecordStatus.Failed, DetailStatus.Timeout, Optional.of(ErrorCode.ExecutionTimeout),
        Optional.empty(), Instant.parse("2026-12-02T10:00:02Z"), Optional.of(Duration.ofMillis(1500)),
        Optional.of(Duration.ZERO));
  }

  private static String hmac(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  private static void hold(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private PrometheusText scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      metrics.write(out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new PrometheusText(out.toString(StandardCharsets.UTF_8));
  }
}
