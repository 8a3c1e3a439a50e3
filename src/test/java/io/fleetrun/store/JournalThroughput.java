package io.fleetrun.store;

import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.once;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sustained record writes through the daemon's own write path (the group-commit {@link
 * RecordJournal}), on a SQLite file or a PostgreSQL database, for issue 7's "≥ 5,000 record
 * writes/s at 1,000,000 records" and issue 8's "PostgreSQL at least as fast as SQLite". Not a
 * test: run it from a built checkout,
 *
 * <pre>
 *   java -cp 'target/classes:target/test-classes:target/lib/*' io.fleetrun.store.JournalThroughput \
 *       jdbc:sqlite:/tmp/1m.db [RECORDS, default 50000] [INSTANCES per invocation, default 1000]
 *   java ... io.fleetrun.store.JournalThroughput jdbc:postgresql://127.0.0.1:5432/bench?user=postgres
 * </pre>
 *
 * Each record goes through what a run writes: created with its invocation ({@link
 * FireWriter}, one transaction per invocation), then dispatch mark, sent, running (process
 * group) and end, each offered to the journal as the SSH threads do, all in flight at once
 * like a fan-out. It prints records per second from the first mark to the last end committed,
 * and journal events per second (four per record). The database may already hold records (the
 * 1,000,000-record file of {@link RecordGenerator}): the writes are measured on top of them.
 */
public final class JournalThroughput {
  private JournalThroughput() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: JournalThroughput JDBC_URL [RECORDS, default 50000] [INSTANCES, default 1000]");
      System.exit(2);
    }
    String url = args[0];
    int records = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    int instances = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    try (Database db = Database.open(DatabaseSettings.of(url))) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      // Warm-up: one invocation, not counted (the JIT and the pool's first connections).
      run(store, "w-" + System.nanoTime(), Math.min(instances, 1000));
      long created = System.nanoTime();
      List<List<PendingRecord>> all = new ArrayList<>();
      int left = records;
      int n = 0;
      while (left > 0) {
        int size = Math.min(instances, left);
        String[] ids = new String[size];
        for (int i = 0; i < size; i++) {
          ids[i] = "host-" + i;
        }
        all.add(store.createWithRecords(
            once("b-" + System.nanoTime() + "-" + n++, Optional.empty(), Instant.now(), ids), Instant.now()));
        left -= size;
      }
      double createSecs = (System.nanoTime() - created) / 1e9;
      long start = System.nanoTime();
      try (RecordJournal journal = store.openJournal()) {
        List<CompletableFuture<Boolean>> ends = new ArrayList<>(records);
        for (List<PendingRecord> invocation : all) {
          for (PendingRecord r : invocation) {
            Instant now = Instant.now();
            journal.dispatched(r.id(), now);
            journal.sent(r.id(), now);
            journal.running(r.id(), 1000, OptionalLong.empty());
            ends.add(journal.ended(r.id(), end(RecordStatus.Finished, now)));
          }
        }
        int ok = 0;
        for (CompletableFuture<Boolean> e : ends) {
          ok += e.get(10, TimeUnit.MINUTES) ? 1 : 0;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "%s: %d records created in %d invocations in %.2f s (%.0f records/s); "
                + "then %d of %d written through the journal (mark, sent, running, end) in %.2f s: "
                + "%.0f records/s, %.0f journal events/s%n",
            DatabaseSettings.redacted(url), records, all.size(), createSecs, records / createSecs,
            ok, records, secs, ok / secs, 4 * ok / secs);
        journal.close(Duration.ofSeconds(30));
      }
    }
  }

  private static void run(JooqInvocationStore store, String id, int size) throws Exception {
    String[] ids = new String[size];
    for (int i = 0; i < size; i++) {
      ids[i] = "host-" + i;
    }
    List<PendingRecord> records = store.createWithRecords(once(id, Optional.empty(), Instant.now(), ids), Instant.now());
    try (RecordJournal journal = store.openJournal()) {
      List<CompletableFuture<Boolean>> ends = new ArrayList<>();
      for (PendingRecord r : records) {
        journal.sent(r.id(), Instant.now());
        ends.add(journal.ended(r.id(), end(RecordStatus.Finished, Instant.now())));
      }
      for (CompletableFuture<Boolean> e : ends) {
        e.get(5, TimeUnit.MINUTES);
      }
    }
  }
}
