package io.fleetrun.observe;

import io.fleetrun.invoke.RunEvent;
import io.fleetrun.invoke.RunEvents;
import io.fleetrun.model.Notification;
import io.fleetrun.model.NotificationEvent;
import io.fleetrun.model.RecordStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook notifications of the config's {@code notifications:}: a {@link RunEvents}
 * subscriber of the engine's event feed that turns each committed event into the notification
 * events it means ({@link #eventsOf}) and hands a delivery to each hook listening for one. Each
 * hook delivers on its own thread from its own bounded queue ({@link WebhookSender}), so a slow or
 * dead receiver delays neither a run, nor a record write, nor another hook. Hooks follow config
 * reloads ({@link #apply}). Events are those this daemon committed: on a cluster, each node
 * notifies what it ran.
 */
public final class Webhooks implements RunEvents, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
  /** How long a removed or changed hook may go on with what it has queued. */
  private static final Duration RETIRE_WAIT = Duration.ofSeconds(1);

  private final WebhookSettings settings;
  private final WebhookSender.Sources sources;
  private volatile Map<String, WebhookSender> senders = Map.of();
  private boolean closed;

  /**
   * One notification of one hook, as queued.
   *
   * @param id the delivery id ({@code X-Fleetrun-Delivery}), the same for each attempt
   * @param eventId the body's {@code eventId}: the same for every hook notified of this event
   * @param time when the event reached the webhooks
   */
  record Delivery(String id, String hook, String eventId, NotificationEvent event, RunEvent source, Instant time) {
    Delivery {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(hook, "hook");
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(time, "time");
    }
  }

  /**
   * @param invocations reads an invocation's summary for the bodies (on the hooks' threads)
   * @param environment looks up the environment variables secrets may name ({@code System::getenv})
   */
  public Webhooks(List<Notification> hooks, WebhookSettings settings, InvocationReader invocations,
      WebhookCounters counters, Clock clock, Function<String, String> environment) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.sources = new WebhookSender.Sources(Objects.requireNonNull(invocations, "invocations"),
        Objects.requireNonNull(counters, "counters"), Objects.requireNonNull(clock, "clock"),
        Objects.requireNonNull(environment, "environment"));
    apply(hooks);
  }

  /** The notification events {@code event} means. Pure. */
  static List<NotificationEvent> eventsOf(RunEvent event) {
    List<NotificationEvent> out = new ArrayList<>(2);
    if (event instanceof RunEvent.InvocationStatusChanged changed) {
      out.add(NotificationEvent.InvocationStatusChanged);
      if (changed.status().isEnded()) {
        out.add(NotificationEvent.InvocationEnded);
      }
    } else if (event instanceof RunEvent.RecordEnded ended) {
      out.add(NotificationEvent.RecordEnded);
      if (ended.status() == RecordStatus.Failed) {
        out.add(NotificationEvent.RecordFailed);
      }
    }
    return out;
  }

  /** Called on the feed's thread for this subscriber: queues, never waits for a receiver. */
  @Override
  public void on(RunEvent event) {
    Map<String, WebhookSender> now = senders;
    if (now.isEmpty()) {
      return;
    }
    Instant time = sources.clock().instant();
    for (NotificationEvent e : eventsOf(event)) {
      String eventId = UUID.randomUUID().toString();
      for (WebhookSender sender : now.values()) {
        if (sender.hook().sentOn(e)) {
          sender.offer(new Delivery(UUID.randomUUID().toString(), sender.hook().id(), eventId, e, event, time));
        }
      }
    }
  }

  /**
   * Follows a config reload: a new hook starts, a removed one stops, a changed one (URL, events or
   * secret reference) starts afresh; an unchanged one keeps its queue. A stopping hook gets a
   * second to send what it queued, then drops the rest (logged, counted as abandoned).
   */
  public synchronized void apply(List<Notification> hooks) {
    if (closed) {
      return;
    }
    Map<String, WebhookSender> before = senders;
    Map<String, WebhookSender> after = new LinkedHashMap<>();
    List<WebhookSender> retired = new ArrayList<>();
    for (Notification hook : hooks) {
      WebhookSender kept = before.get(hook.id());
      if (kept != null && kept.hook().equals(hook)) {
        after.put(hook.id(), kept);
      } else {
        after.put(hook.id(), new WebhookSender(hook, settings, sources).start());
        if (kept != null) {
          retired.add(kept);
        }
      }
    }
    before.forEach((id, sender) -> {
      if (!after.containsKey(id)) {
        retired.add(sender);
      }
    });
    senders = Collections.unmodifiableMap(after);
    retired.forEach(WebhookSender::stopTaking);
    for (WebhookSender sender : retired) {
      sender.close(RETIRE_WAIT);
    }
    if (!after.isEmpty() || !retired.isEmpty()) {
      log.info("webhooks: {}", after.isEmpty() ? "none" : String.join(", ", after.values().stream()
          .map(s -> s.hook().id() + " -> " + s.hook().url().getScheme() + "://" + s.hook().url().getAuthority())
          .toList()));
    }
  }

  /** Ids of the hooks in force, in config order. */
  List<String> hooks() {
    return List.copyOf(senders.keySet());
  }

  /**
   * Stops every hook: each gets up to {@code wait} (together) to send what it queued, one attempt
   * each; what is left is dropped, logged with its count. Idempotent.
   */
  public synchronized void close(Duration wait) {
    if (closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + wait.toNanos();
    senders.values().forEach(WebhookSender::stopTaking); // all drain at once, within the one wait
    for (WebhookSender sender : senders.values()) {
      sender.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    senders = Map.of();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }
}
