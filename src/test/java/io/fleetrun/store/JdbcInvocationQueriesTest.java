package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.once;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JdbcInvocationQueries}, the one implementation of the reads: every case through the
 * CLI's read-only connection opened beside the writing one, and the daemon's pooled connection
 * answering the same; on SQLite and on PostgreSQL.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
class JdbcInvocationQueriesTest {
  @Parameter StoreBackend backend;
  @TempDir Path dir;
  private StoreBackend.Place place;
  private Database db;
  private JooqInvocationStore store;
  private ReadOnlyDatabase reader;
  private InvocationQueries queries;

  /** t-1 Finished (job nightly), t-2 PartialFailed (ad hoc), t-3 Running (periodic job disk). */
  @BeforeEach
  void fill() {
    place = backend.newPlace(dir);
    db = Database.open(place.settings());
    store = new JooqInvocationStore(db, new StatusCalculator());
    run("t-1", Optional.of("nightly"), 0, RecordStatus.Finished, RecordStatus.Finished);
    run("t-2", Optional.empty(), 60, RecordStatus.Finished, RecordStatus.Failed);
    store.createInvocation(periodic("t-3", "disk", T0.plusSeconds(120), "a", "b", "c"));
    reader = ReadOnlyDatabase.openExisting(place.settings());
    queries = new JdbcInvocationQueries(reader);
  }

  @AfterEach
  void close() {
    reader.close();
    db.close();
    place.close();
  }

  private void run(String id, Optional<String> job, long at, RecordStatus... ends) {
    String[] instances = {"a", "b", "c"};
    String[] used = Arrays.copyOf(instances, ends.length);
    store.createInvocation(once(id, job, T0.plusSeconds(at), used));
    for (int i = 0; i < ends.length; i++) {
      var r = store.startRecord(new InvokeId(id), new InstanceId(used[i]), T0.plusSeconds(at));
      store.endRecord(r, end(ends[i], T0.plusSeconds(at + 1)));
    }
  }

  @Test
  void listsNewestFirstWithInstanceCounts() {
    List<InvocationSummary> all = queries.listInvocations(filter(Optional.empty(), Optional.empty(), Optional.empty(), 10));
    assertThat(all).extracting(s -> s.invocation().id().value()).containsExactly("t-3", "t-2", "t-1");
    assertThat(all.get(0).instanceCounts()).isEqualTo(Map.of(
        RecordStatus.Running, 3, RecordStatus.Stopped, 0, RecordStatus.Finished, 0, RecordStatus.Failed, 0));
    assertThat(all.get(1).instanceCounts())
        .containsEntry(RecordStatus.Finished, 1).containsEntry(RecordStatus.Failed, 1);
    assertThat(all.get(1).invocation().job()).isEmpty();
  }

  @Test
  void filtersByStatusJobTimeAndLimit() {
    assertThat(ids(filter(Optional.of(InvocationStatus.PartialFailed), Optional.empty(), Optional.empty(), 10)))
        .containsExactly("t-2");
    assertThat(ids(filter(Optional.empty(), Optional.of("nightly"), Optional.empty(), 10)))
        .containsExactly("t-1");
    assertThat(ids(filter(Optional.empty(), Optional.empty(), Optional.of(60L), 10)))
        .containsExactly("t-3", "t-2");
    assertThat(ids(filter(Optional.empty(), Optional.empty(), Optional.of(61L), 10)))
        .containsExactly("t-3");
    assertThat(ids(filter(Optional.empty(), Optional.empty(), Optional.empty(), 2)))
        .containsExactly("t-3", "t-2");
    assertThat(ids(filter(Optional.of(InvocationStatus.Running), Optional.of("nightly"), Optional.empty(), 10)))
        .isEmpty();
  }

  @Test
  void findsOneInvocationAndItsRecords() {
    assertThat(queries.findInvocation(new InvokeId("t-2"))).map(i -> i.status())
        .contains(InvocationStatus.PartialFailed);
    assertThat(queries.findInvocation(new InvokeId("t-none"))).isEmpty();

    List<InvocationRecord> records = queries.listRecords(new InvokeId("t-2"), Optional.empty());
    assertThat(records).extracting(r -> r.instance().value()).containsExactly("a", "b");
    InvocationRecord failed = records.get(1);
    assertThat(failed.status()).isEqualTo(RecordStatus.Failed);
    assertThat(failed.output().text()).isEqualTo("partial\n");
    assertThat(failed.output().dropped()).isEqualTo(12);
    assertThat(failed.startTime()).contains(T0.plusSeconds(60));
    assertThat(failed.scheduledAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(failed.finishTime()).contains(T0.plusSeconds(61));
    assertThat(queries.listRecords(new InvokeId("t-2"), Optional.of(new InstanceId("b"))))
        .containsExactly(failed);
    assertThat(queries.listRecords(new InvokeId("t-3"), Optional.empty())).isEmpty();
  }

  @Test
  void theDaemonsPooledConnectionAnswersAsTheReader() {
    InvocationQueries daemon = new JdbcInvocationQueries(db);
    InvocationFilter all = filter(Optional.empty(), Optional.empty(), Optional.empty(), 10);
    assertThat(daemon.listInvocations(all)).isEqualTo(queries.listInvocations(all));
    assertThat(daemon.listRecords(new InvokeId("t-2"), Optional.empty()))
        .isEqualTo(queries.listRecords(new InvokeId("t-2"), Optional.empty()))
        .hasSize(2);
    // Each read gives the pool's one connection back: the writer gets it next.
    store.createInvocation(once("t-4", Optional.empty(), T0.plusSeconds(180), "a"));
    assertThat(daemon.findInvocation(new InvokeId("t-4"))).isPresent();
  }

  private List<String> ids(InvocationFilter filter) {
    return queries.listInvocations(filter).stream().map(s -> s.invocation().id().value()).toList();
  }

  private static InvocationFilter filter(
      Optional<InvocationStatus> status, Optional<String> job, Optional<Long> sinceSeconds, int limit) {
    return new InvocationFilter(status, job.map(JobId::new), sinceSeconds.map(T0::plusSeconds), limit);
  }
}
