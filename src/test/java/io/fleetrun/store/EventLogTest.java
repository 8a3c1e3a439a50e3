package io.fleetrun.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.testing.StoreBackend;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link EventLog} on both databases: append, read in id order without loss, prune. */
class EventLogTest extends StoreOnBothBackends {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.000Z");

  /** The writer's log (the daemon's pool) and the reader's (the read pool, as the HTTP server reads). */
  private EventLog log;
  private EventLog reads;

  @BeforeEach
  void openLog() {
    log = new EventLog(db);
    reads = new EventLog(db.reads());
  }

  @Test
  void appendedEventsAreReadInOrderAfterAnId() throws Exception {
    log.append(List.of(event("t-1", T0), event("t-2", T0), event("t-3", T0)));
    log.append(List.of(event("t-4", T0)));

    List<EventLog.Event> all = waitFor(4);

    assertThat(all).extracting(EventLog.Event::invokeId).containsExactly("t-1", "t-2", "t-3", "t-4");
    assertThat(all).extracting(EventLog.Event::id).isSorted().doesNotHaveDuplicates();
    assertThat(all.get(0).kind()).isEqualTo("record-started");
    assertThat(all.get(0).payload()).isEqualTo("{\"invokeId\":\"t-1\"}");
    assertThat(log.after(all.get(1).id(), 1)).containsExactly(all.get(2));
    assertThat(log.after(all.get(3).id(), 100)).isEmpty();
    assertThat(log.newest()).isEqualTo(all.get(3).id());
    assertThat(log.oldest()).hasValue(all.get(0).id());
  }

  @Test
  void anEmptyLogHasNoOldestAndNewestZero() {
    assertThat(log.newest()).isZero();
    assertThat(log.oldest()).isEmpty();
    assertThat(log.after(0, 10)).isEmpty();
  }

  /**
   * The crux on PostgreSQL: id N is taken by a transaction still open when N+1 commits. A reader
   * that took N+1 then would move past N and never see it. Nothing after N is read until N
   * commits; then both, in order. (On SQLite the second writer waits for the first.)
   */
  @Test
  void anEventCommittedAfterOneWithAHigherIdIsNotSkipped() throws Exception {
    log.append(List.of(event("t-0", T0)));
    long before = waitFor(1).get(0).id();
    try (Connection open = DriverManager.getConnection(settings.url(), settings.user().orElse(null),
        null)) {
      open.setAutoCommit(false);
      try (PreparedStatement st = open.prepareStatement(
          "INSERT INTO run_event (kind, invoke_id, payload, created_at, node) VALUES ('record-started', 't-n', '{}', ?, 'a')")) {
        st.setString(1, JdbcRows.text(T0));
        st.executeUpdate(); // takes id N, not committed
      }
      CompletableFuture<Void> later = CompletableFuture.runAsync(() -> log.append(List.of(event("t-n1", T0))));
      if (backend == StoreBackend.POSTGRESQL) {
        later.get(10, TimeUnit.SECONDS); // N+1 committed while N is open
      } else {
        Thread.sleep(300); // SQLite: N+1's writer waits for N's
      }

      assertThat(reads.after(before, 100)).isEmpty();
      assertThat(reads.newest()).isEqualTo(before);

      open.commit();
    }
    List<EventLog.Event> both = waitFor(3).subList(1, 3);
    assertThat(both).extracting(EventLog.Event::invokeId).containsExactly("t-n", "t-n1");
  }

  @Test
  void pruneDeletesOldEventsButKeepsTheNewest() throws Exception {
    log.append(List.of(event("t-1", T0), event("t-2", T0.plusSeconds(10))));
    log.append(List.of(event("t-3", T0.plusSeconds(20))));
    List<EventLog.Event> all = waitFor(3);

    assertThat(log.prune(T0.plusSeconds(10))).isEqualTo(1);
    assertThat(log.oldest()).hasValue(all.get(1).id());
    assertThat(log.prune(T0.plus(Duration.ofHours(2)))).isEqualTo(1);

    assertThat(log.after(0, 10)).containsExactly(all.get(2));
    assertThat(log.oldest()).hasValue(all.get(2).id());
  }

  /** Two writers (two nodes) on one database: a reader sees every event of both. */
  @Test
  void eventsOfTwoWritersAreAllRead() throws Exception {
    try (Database other = Database.open(settings)) {
      EventLog second = new EventLog(other);
      CompletableFuture<Void> a = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 40; i++) {
          log.append(List.of(event("a-" + i, T0)));
        }
      });
      CompletableFuture<Void> b = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 40; i++) {
          second.append(List.of(event("b-" + i, T0), event("b-" + i + "x", T0)));
        }
      });
      a.get(60, TimeUnit.SECONDS);
      b.get(60, TimeUnit.SECONDS);
    }
    assertThat(waitFor(120)).hasSize(120).extracting(EventLog.Event::id).isSorted();
  }

  /**
   * The first {@code n} events once readable (20 s at most). On PostgreSQL the transaction id
   * horizon is the server's: a write transaction of any other client of the server (another test
   * run) holds committed events back for as long as it runs.
   */
  private List<EventLog.Event> waitFor(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<EventLog.Event> read = reads.after(0, 1000);
    while (read.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
      read = reads.after(0, 1000);
    }
    return read;
  }

  private static EventLog.NewEvent event(String invokeId, Instant at) {
    return new EventLog.NewEvent("record-started", invokeId, "{\"invokeId\":\"" + invokeId + "\"}", at, "node-a");
  }
}
