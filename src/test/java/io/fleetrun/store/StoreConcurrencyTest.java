package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreConcurrencyTest {
  private static final int THREADS = 8;
  private static final int RECORDS = 50;
  /** How often the other writer and the reader come; often enough to collide, not a busy loop. */
  private static final Duration PACE = Duration.ofMillis(5);

  @TempDir Path dir;

  @Test
  void manyThreadsWriteRecordsBesideAnotherWriterAndAReaderWithoutBusyErrors() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("fleetrun.db");
    String[] instances = new String[THREADS];
    for (int i = 0; i < THREADS; i++) {
      instances[i] = "host-" + i;
    }
    InvokeId id = new InvokeId("t-busy");
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
    AtomicBoolean writing = new AtomicBoolean(true);
    try (Database daemon = Database.open(url); Database cli = Database.openExisting(url)) {
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
        try (Connection reader = DriverManager.getConnection(url); Statement s = reader.createStatement()) {
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
    String url = "jdbc:sqlite:" + dir.resolve("fleetrun.db");
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (Database first = Database.open(url); Database second = Database.open(url)) {
      List<Future<Boolean>> tries = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        JooqInvocationStore store =
            new JooqInvocationStore(i % 2 == 0 ? first : second, new StatusCalculator());
        String invokeId = "t-race-" + i;
        tries.add(pool.submit(() -> store.createOnceJobInvocation(
            Invocations.once(invokeId, Optional.of("bootstrap"), T0, "a", "b"))));
      }
      int claimed = 0;
      for (Future<Boolean> t : tries) {
        claimed += t.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(claimed).isEqualTo(1);
      assertThat(first.dsl().fetchValue("SELECT count(*) FROM invocation")).isEqualTo(1);
      assertThat(first.dsl().fetchValue("SELECT count(*) FROM invocation_instance")).isEqualTo(2);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
