package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Writers side by side: on SQLite they queue for the one write lock (and must never get a busy
 * error); on PostgreSQL they really run at once (a pool of 12, and other daemons), so what one
 * checks and then writes must still hold when it commits.
 */
class StoreConcurrencyTest extends EmptyDatabaseOnBothBackends {
  private static final int THREADS = 8;
  private static final int RECORDS = 50;
  /** How often the other writer and the reader come; often enough to collide, not a busy loop. */
  private static final Duration PACE = Duration.ofMillis(5);

  @Test
  void manyThreadsWriteRecordsBesideAnotherWriterAndAReaderWithoutBusyErrors() throws Exception {
    String[] instances = new String[THREADS];
    for (int i = 0; i < THREADS; i++) {
      instances[i] = "host-" + i;
    }
    InvokeId id = new InvokeId("t-busy");
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
    AtomicBoolean writing = new AtomicBoolean(true);
    try (Database daemon = Database.open(settings); Database cli = Database.openExisting(settings)) {
      JooqInvocationStore store = new JooqInvocationStore(daemon, new StatusCalculator());
      store.createInvocation(periodic(id.value(), "disk", T0, instances));
      List<Future<?>> work = new ArrayList<>();
      for (String instance : instances) {
        work.add(pool.submit(() -> {
          for (int n = 0; n < RECORDS; n++) {
            RecordId r = store.startRecord(id, new InstanceId(instance), T0.plusSeconds(n));
            store.markRecordRunning(r, 100 + n);
            store.endRecord(r, end(n % 3 == 0 ? RecordStatus.Failed : RecordStatus.Finished,
                T0.plusSeconds(n).plusMillis(500)));
          }
          return null;
        }));
      }
      // Another process (the CLI, its own pool) writes requests, and a sqlite3-like reader reads.
      Future<Integer> requests = pool.submit(() -> {
        JooqControlChannel channel = new JooqControlChannel(cli);
        int n = 0;
        while (writing.get()) {
          channel.submit(new ControlRequest.Stop(id, Set.of()), T0);
          n++;
          Thread.sleep(PACE.toMillis());
        }
        return n;
      });
      Future<Integer> reads = pool.submit(() -> {
        int n = 0;
        try (Connection reader = StoreDatabases.connect(settings); Statement s = reader.createStatement()) {
          while (writing.get()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM invocation_record WHERE status = 'Running'")) {
              rs.next();
              n++;
            }
            Thread.sleep(PACE.toMillis());
          }
        }
        return n;
      });
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
      writing.set(false);
      assertThat(requests.get(10, TimeUnit.SECONDS)).isPositive();
      assertThat(reads.get(10, TimeUnit.SECONDS)).isPositive();

      List<InvocationRecord> records = new JdbcInvocationQueries(daemon).listRecords(id, Optional.empty());
      assertThat(records).hasSize(THREADS * RECORDS);
      assertThat(records).noneMatch(r -> r.status() == RecordStatus.Running);
      assertThat(records.stream().filter(r -> r.instance().value().equals("host-3")))
          .extracting(InvocationRecord::repeatNo)
          .containsExactlyElementsOf(IntStream.rangeClosed(1, RECORDS).boxed().toList());
    } finally {
      writing.set(false);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void oneTimeJobIsClaimedOnceWhenTwoProcessesRaceForIt() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (Database first = Database.open(settings); Database second = Database.open(settings)) {
      for (int round = 0; round < 5; round++) {
        String job = "bootstrap-" + round;
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<Boolean>> tries = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          JooqInvocationStore store =
              new JooqInvocationStore(i % 2 == 0 ? first : second, new StatusCalculator());
          String invokeId = "t-race-" + round + "-" + i;
          boolean withRecords = i % 4 < 2; // both ways of creating a one-time job's invocation
          tries.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            NewInvocation inv = Invocations.once(invokeId, Optional.of(job), T0, "a", "b");
            return withRecords ? store.createOnceJobWithRecords(inv, T0).isPresent()
                : store.createOnceJobInvocation(inv);
          }));
        }
        int claimed = 0;
        for (Future<Boolean> t : tries) {
          claimed += t.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(claimed).as("round %d", round).isEqualTo(1);
      }
      assertThat(count(first, "SELECT count(*) FROM invocation")).isEqualTo(5);
      assertThat(count(first, "SELECT count(*) FROM invocation_instance")).isEqualTo(10);
      assertThat(count(first, "SELECT count(*) FROM once_job")).isEqualTo(5);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * The overall status is computed from every instance's: two records of one invocation ending
   * at once on two connections must not each see the other instance still Running (on
   * PostgreSQL the second waits for the first's row locks and then reads what it wrote).
   */
  @Test
  void recordsOfOneInvocationEndingAtOnceEndTheInvocation() throws Exception {
    int rounds = 20;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Database db = Database.open(settings)) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      JdbcInvocationQueries queries = new JdbcInvocationQueries(db);
      for (int round = 0; round < rounds; round++) {
        InvokeId id = new InvokeId("t-both-" + round);
        List<PendingRecord> records =
            store.createWithRecords(Invocations.once(id.value(), Optional.empty(), T0, "a", "b"), T0);
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<Boolean>> ends = new ArrayList<>();
        for (PendingRecord record : records) {
          ends.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            return store.endRecord(record.id(), end(RecordStatus.Finished, T0.plusSeconds(1)));
          }));
        }
        for (Future<Boolean> e : ends) {
          assertThat(e.get(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(queries.findInvocation(id).orElseThrow().status()).as("round %d", round)
            .isEqualTo(InvocationStatus.Finished);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static int count(Database db, String sql) {
    return db.dsl().fetchOne(sql).get(0, Integer.class);
  }
}
