package io.fleetrun.observe;

import io.fleetrun.model.DurationText;
import io.fleetrun.model.Notification;
import io.fleetrun.model.Secrets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one hook's notifications: its own bounded queue and thread, one delivery at a time in
 * order, each retried with backoff until it is delivered or given up. A slow or dead receiver
 * holds only this hook's thread. Never logs the secret or the signature.
 */
final class WebhookSender {
  private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
  static final Duration LOG_EVERY = Duration.ofMinutes(1);
  /** Attempts of one delivery at most, whatever the clock says (a bound on the retry loop). */
  private static final int MAX_ATTEMPTS = 10_000;

  private final Notification hook;
  private final WebhookSettings settings;
  private final Sources sources;
  private final BlockingQueue<Webhooks.Delivery> queue;
  private final HttpClient http;
  private final Thread thread;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicReference<Instant> lastDropLog = new AtomicReference<>(Instant.MIN);
  private volatile boolean inFlight;

  /** What a sender reads besides its hook: the database, the counters, the time and the environment. */
  record Sources(InvocationReader invocations, WebhookCounters counters, Clock clock,
      Function<String, String> environment) {}

  WebhookSender(Notification hook, WebhookSettings settings, Sources sources) {
    this.hook = hook;
    this.settings = settings;
    this.sources = sources;
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    // Redirects are never followed: the signed body goes only where the config says.
    this.http = HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.thread = new Thread(this::run, "fleetrun-webhook-" + hook.id());
    thread.setDaemon(true);
  }

  Notification hook() {
    return hook;
  }

  /** Starts delivering; says at once when the secret cannot be read (a variable not set, say). */
  WebhookSender start() {
    try {
      Secrets.read(hook.secret(), sources.environment(), "webhook secret file");
    } catch (Secrets.UnavailableException e) {
      log.warn("webhook {}: its secret cannot be read ({}); its deliveries fail and are retried until it can",
          hook.id(), e.getMessage());
    }
    thread.start();
    return this;
  }

  /** Queues {@code delivery}, or drops and counts it when the queue is full. Never blocks. */
  void offer(Webhooks.Delivery delivery) {
    if (closing.getCount() == 0) {
      return;
    }
    if (!queue.offer(delivery)) {
      sources.counters().dropped(hook.id());
      Instant now = sources.clock().instant();
      Instant before = lastDropLog.get();
      if (!now.isBefore(before.plus(LOG_EVERY)) && lastDropLog.compareAndSet(before, now)) {
        log.warn("webhook {}: its queue of {} is full (receiver slow or down), {} dropped; counted in"
            + " fleetrun_webhook_dropped_total (logged at most once a minute)", hook.id(),
            settings.queueCapacity(), delivery.event().word());
      }
    }
  }

  /** Takes no more deliveries and retries no more; what is queued gets one attempt each. */
  void stopTaking() {
    closing.countDown();
  }

  /**
   * Stops: what is queued gets one attempt each until {@code wait} has passed (no more retries);
   * what is left then is dropped, counted as abandoned and logged. Returns how many were left.
   */
  int close(Duration wait) {
    closing.countDown();
    try {
      thread.join(Math.max(1, wait.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = queue.size() + (inFlight ? 1 : 0);
    queue.clear();
    for (int i = 0; i < left; i++) {
      sources.counters().ended(hook.id(), WebhookCounters.Outcome.abandoned);
    }
    if (left > 0) {
      log.warn("webhook {}: {} delivery(ies) not sent, dropped as it stopped", hook.id(), left);
    }
    return left;
  }

  private void run() {
    for (;;) {
      Webhooks.Delivery delivery;
      try {
        delivery = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (delivery == null) {
        if (closing.getCount() == 0) {
          return;
        }
        continue;
      }
      inFlight = true;
      try {
        if (deliver(delivery)) {
          inFlight = false;
        } else {
          return; // interrupted: close counts it
        }
      } catch (RuntimeException e) {
        inFlight = false;
        log.warn("webhook {}: delivery {} of {} failed unexpectedly and is dropped", hook.id(), delivery.id(),
            delivery.event().word(), e);
        sources.counters().ended(hook.id(), WebhookCounters.Outcome.given_up);
      }
    }
  }

  /** Attempts {@code delivery} until it is delivered or given up; false when interrupted first. */
  private boolean deliver(Webhooks.Delivery delivery) {
    byte[] body = WebhookBody.of(delivery, summary(delivery));
    Instant first = sources.clock().instant();
    Instant giveUpAt = first.plus(settings.giveUpAfter());
    String lastFailure = "";
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Optional<String> failure;
      try {
        failure = attempt(delivery, body);
      } catch (InterruptedException e) {
        return false;
      }
      if (failure.isEmpty()) {
        sources.counters().ended(hook.id(), WebhookCounters.Outcome.delivered);
        if (attempt > 1) {
          log.info("webhook {}: delivery {} of {} delivered at attempt {} (after: {})", hook.id(), delivery.id(),
              delivery.event().word(), attempt, lastFailure);
        } else {
          log.debug("webhook {}: delivery {} of {} delivered", hook.id(), delivery.id(), delivery.event().word());
        }
        return true;
      }
      lastFailure = failure.get();
      sources.counters().attemptFailed(hook.id());
      log.debug("webhook {}: delivery {} of {} attempt {} failed: {}", hook.id(), delivery.id(),
          delivery.event().word(), attempt, lastFailure);
      if (closing.getCount() == 0) {
        return false; // stopping: no more retries; close counts it as abandoned
      }
      Duration wait = settings.retryDelay(attempt, ThreadLocalRandom.current().nextDouble(0.5, 1.0));
      Instant now = sources.clock().instant();
      if (now.plus(wait).isAfter(giveUpAt)) {
        log.warn("webhook {}: gave up delivery {} of {} for invocation {} after {} attempt(s) over {}; last: {}",
            hook.id(), delivery.id(), delivery.event().word(), delivery.source().invokeId().value(), attempt,
            rounded(Duration.between(first, now)), lastFailure);
        sources.counters().ended(hook.id(), WebhookCounters.Outcome.given_up);
        return true;
      }
      try {
        if (closing.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
          return false;
        }
      } catch (InterruptedException e) {
        return false;
      }
    }
    log.warn("webhook {}: gave up delivery {} of {} after {} attempts; last: {}", hook.id(), delivery.id(),
        delivery.event().word(), MAX_ATTEMPTS, lastFailure);
    sources.counters().ended(hook.id(), WebhookCounters.Outcome.given_up);
    return true;
  }

  /** Whole seconds from a second on, milliseconds below: {@code 3599s}, {@code 1h}, {@code 640ms}. */
  private static String rounded(Duration d) {
    return DurationText.format(d.compareTo(Duration.ofSeconds(1)) >= 0 ? d.truncatedTo(ChronoUnit.SECONDS) : d);
  }

  /** The invocation as the database has it now; empty (logged) when it cannot be read. */
  private Optional<InvocationReader.Summary> summary(Webhooks.Delivery delivery) {
    try {
      return sources.invocations().find(delivery.source().invokeId());
    } catch (RuntimeException e) {
      log.warn("webhook {}: invocation {} could not be read for its body ({}); sent with what the event says",
          hook.id(), delivery.source().invokeId().value(), e.getMessage());
      return Optional.empty();
    }
  }

  /** One POST; empty when the receiver answered 2xx, else what went wrong (no secret in it). */
  private Optional<String> attempt(Webhooks.Delivery delivery, byte[] body) throws InterruptedException {
    String secret;
    try {
      secret = Secrets.read(hook.secret(), sources.environment(), "webhook secret file");
    } catch (Secrets.UnavailableException e) {
      return Optional.of("secret unavailable: " + e.getMessage());
    }
    if (secret.isEmpty()) {
      return Optional.of("secret " + hook.secret() + " is empty");
    }
    HttpRequest request = HttpRequest.newBuilder(hook.url())
        .timeout(settings.timeout())
        .header("Content-Type", "application/json")
        .header("User-Agent", "fleetrun-webhook")
        .header("X-Fleetrun-Event", delivery.event().word())
        .header("X-Fleetrun-Delivery", delivery.id())
        .header("X-Fleetrun-Signature", WebhookBody.signature(body, secret))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return Optional.empty();
      }
      return Optional.of("HTTP " + status + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""));
    } catch (HttpTimeoutException e) {
      return Optional.of("no answer within " + DurationText.format(settings.timeout()));
    } catch (ConnectException e) {
      return Optional.of("cannot connect: " + (e.getMessage() == null ? "connection refused" : e.getMessage()));
    } catch (IOException e) {
      return Optional.of(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }
}
