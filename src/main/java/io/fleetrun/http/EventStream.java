package io.fleetrun.http;

import io.fleetrun.model.HttpSettings.Role;
import io.fleetrun.store.EventLog;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/events}: server-sent events of every node of the database, read from {@link
 * EventLog}. One poller thread per server reads the new events every {@link Settings#poll} and
 * hands them to every connected client ({@link EventClient}); a client that resumes from an older
 * id ({@code Last-Event-ID}, or {@code lastEventId} for clients that cannot set headers) is caught
 * up from the table, a bounded read per poll, then follows with the others. A request holds no
 * thread while it streams. At most {@link Settings#maxClients} at once, and {@link
 * Settings#maxPerCaller} of one token ({@code 503} beyond).
 */
final class EventStream implements AutoCloseable {
  static final String PATH = ReadApi.PREFIX + "/events";
  private static final Logger log = LoggerFactory.getLogger(EventStream.class);
  private static final Duration LOG_EVERY = Duration.ofMinutes(1);

  /**
   * @param maxClients clients served at once
   * @param maxPerCaller clients of one token (by its name) served at once
   * @param outbox frames a client may have waiting; more and it is disconnected as too slow
   * @param batch events read per poll (and per client catching up)
   * @param poll how often the table is read
   * @param keepAlive how long a client may go without a frame before it gets a comment line
   */
  record Settings(int maxClients, int maxPerCaller, int outbox, int batch, Duration poll, Duration keepAlive) {
    static Settings defaults() {
      return new Settings(64, 16, 2_000, 500, Duration.ofMillis(250), Duration.ofSeconds(15));
    }
  }

  private final EventLog events;
  private final Settings settings;
  private final Semaphore slots;
  private final Set<EventClient> clients = ConcurrentHashMap.newKeySet();
  /** Streams open per token name: one token (a reader that never reads) cannot take every place. */
  private final Map<String, Integer> perCaller = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller;
  private final ThreadPoolExecutor writers;
  /**
   * The newest id the poller read (the poller's alone); a client behind it is caught up by reads
   * of its own. While no client is connected nothing is read.
   */
  private long head;
  /** Whether the last round found no client (the poller's alone). */
  private boolean idle = true;
  private long nextFailureLog = System.nanoTime();

  EventStream(EventLog events, Settings settings) {
    this.events = events;
    this.settings = settings;
    this.slots = new Semaphore(settings.maxClients());
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fleetrun-http-events"));
    AtomicInteger n = new AtomicInteger();
    // A thread per client at most, and only while it writes to that client.
    this.writers = new ThreadPoolExecutor(0, settings.maxClients(), 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        r -> daemon(r, "fleetrun-http-events-write-" + n.incrementAndGet()));
    poller.scheduleWithFixedDelay(this::poll, settings.poll().toMillis(), settings.poll().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  Route route() {
    return Route.get(PATH, Role.READER, List.of("lastEventId", "invokeId"), this::connect);
  }

  private void connect(Context ctx) throws IOException {
    Params p = Params.of(ctx);
    Optional<String> invokeId = p.id("invokeId", id -> id);
    OptionalLong asked = lastEventId(ctx, p);
    if (ctx.method() == HandlerType.HEAD) {
      ctx.contentType("text/event-stream");
      return;
    }
    String caller = Guard.caller(ctx).orElseThrow().name();
    if (perCaller.merge(caller, 1, Integer::sum) > settings.maxPerCaller()) {
      leave(caller);
      throw new ApiException(503, "TooManyClients", "token " + caller + " has " + settings.maxPerCaller()
          + " event streams open, the most one token may; close one or retry later");
    }
    if (!slots.tryAcquire()) {
      leave(caller);
      throw new ApiException(503, "TooManyClients", "the event stream serves at most " + settings.maxClients()
          + " clients at once; retry later");
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> { // once, whether the client closes or the connect fails
      if (released.compareAndSet(false, true)) {
        slots.release();
        leave(caller);
      }
    };
    try {
      // "Now": the newest event readable at connect (the poller reads only while clients listen).
      long cursor = asked.isPresent() ? asked.getAsLong() : events.newest();
      OptionalLong oldest = asked.isPresent() ? events.oldest() : OptionalLong.empty();
      // Pruned since: what the client missed is gone. It is told, and goes on from the oldest kept.
      boolean reset = oldest.isPresent() && cursor < oldest.getAsLong() - 1;
      if (reset) {
        cursor = oldest.getAsLong() - 1;
      }
      // An id no event has yet (another database since, or made up): events are sent only past
      // it, so the client would wait, unknowing, until the ids caught up. It goes on from now.
      long newest = asked.isPresent() ? events.newest() : cursor;
      boolean ahead = cursor > newest;
      if (ahead) {
        cursor = newest;
      }
      ctx.status(200);
      ctx.res().setCharacterEncoding("UTF-8");
      ctx.res().setContentType("text/event-stream");
      ctx.res().setHeader("Cache-Control", "no-cache");
      ctx.res().setHeader("X-Accel-Buffering", "no"); // a proxy must not hold events back
      EventClient client = new EventClient(ctx.res().getOutputStream(), invokeId, cursor, settings.outbox(), writers,
          release);
      ctx.res().flushBuffer(); // the headers now: the client knows it is connected
      if (reset) {
        client.offer(SseFrames.reset("events after id " + asked.getAsLong() + " were deleted (kept for "
            + "an hour); reload, the stream goes on from the oldest event kept"));
      } else if (ahead) {
        client.offer(SseFrames.reset("no event has id " + asked.getAsLong() + " yet (the newest is " + newest
            + "): not an id of this database; reload, the stream goes on from the newest event"));
      }
      ctx.future(client::done);
      clients.add(client);
      client.done().whenComplete((v, e) -> clients.remove(client));
    } catch (IOException | RuntimeException e) {
      release.run();
      throw e;
    }
  }

  private void leave(String caller) {
    perCaller.computeIfPresent(caller, (name, n) -> n > 1 ? n - 1 : null);
  }

  /** The header {@code Last-Event-ID} (sent by a reconnecting EventSource), else the parameter {@code lastEventId}. */
  private static OptionalLong lastEventId(Context ctx, Params p) {
    String header = ctx.header("Last-Event-ID");
    Optional<String> text = header != null ? Optional.of(header.strip()) : p.text("lastEventId");
    if (text.isEmpty()) {
      return OptionalLong.empty();
    }
    if (!text.get().matches("[0-9]{1,18}")) {
      throw ApiException.badParameter(header != null ? "Last-Event-ID" : "lastEventId",
          "must be an event id (a whole number, the id: of an event)");
    }
    return OptionalLong.of(Long.parseLong(text.get()));
  }

  /** One round of the poller: new events to every client, catch-up reads, keep-alive lines. */
  void poll() {
    if (clients.isEmpty()) {
      idle = true; // no reads while nobody listens
      return;
    }
    try {
      if (idle) {
        // Live reads go on from now; a client behind (resuming) reads on its own, as its
        // writer keeps up, so a long resume never overflows its outbox.
        head = events.newest();
        idle = false;
      }
      long from = head;
      List<EventLog.Event> batch = events.after(from, settings.batch());
      long to = batch.isEmpty() ? from : batch.get(batch.size() - 1).id();
      for (EventClient client : clients) {
        if (client.closed()) {
          continue;
        }
        if (client.cursor < from && !catchUp(client)) {
          keepAlive(client);
          continue;
        }
        send(client, batch);
        client.cursor = Math.max(client.cursor, to);
        keepAlive(client);
      }
      head = to;
    } catch (RuntimeException e) {
      long now = System.nanoTime();
      if (now - nextFailureLog >= 0) {
        nextFailureLog = now + LOG_EVERY.toNanos();
        log.warn("event stream: cannot read new events (logged at most once a minute): {}", e.getMessage());
      }
    }
  }

  /**
   * Reads for a client behind the poller, when its outbox has room for a read. Returns true when it
   * has caught up (it read all there is): it then takes this round's events like the others.
   */
  private boolean catchUp(EventClient client) {
    if (client.room() < settings.batch()) {
      return false; // its writer is still busy with the last read
    }
    List<EventLog.Event> read = events.after(client.cursor, settings.batch());
    send(client, read);
    if (!read.isEmpty()) {
      client.cursor = read.get(read.size() - 1).id();
    }
    return read.size() < settings.batch();
  }

  private static void send(EventClient client, List<EventLog.Event> events) {
    for (EventLog.Event e : events) {
      if (e.id() > client.cursor && client.wants(e.invokeId())) {
        client.offer(SseFrames.event(e));
      }
    }
  }

  private void keepAlive(EventClient client) {
    if (System.nanoTime() - client.lastOffer >= settings.keepAlive().toNanos()) {
      client.offer(SseFrames.KEEP_ALIVE);
    }
  }

  /** Clients connected now. */
  int clients() {
    return clients.size();
  }

  /** Disconnects every client and stops polling. */
  @Override
  public void close() {
    poller.shutdownNow();
    clients.forEach(EventClient::close);
    writers.shutdownNow();
  }
}
