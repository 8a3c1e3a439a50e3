package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.once;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JdbcInvocationQueries#recordCounts}: each state counted, every asked id answered; on
 * SQLite and on PostgreSQL.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.fleetrun.testing.StoreBackend#both")
class RecordCountsQueryTest {
  @Parameter StoreBackend backend;
  @TempDir Path dir;
  private StoreBackend.Place place;
  private Database db;
  private JooqInvocationStore store;
  private ReadOnlyDatabase reader;

  @BeforeEach
  void open() {
    place = backend.newPlace(dir);
    db = Database.open(place.settings());
    store = new JooqInvocationStore(db, new StatusCalculator());
    reader = ReadOnlyDatabase.openExisting(place.settings());
  }

  @AfterEach
  void close() {
    reader.close();
    db.close();
    place.close();
  }

  @Test
  void countsEachStateAndPendingApartFromRunning() {
    InvokeId id = new InvokeId("t-1");
    store.createInvocation(once("t-1", Optional.empty(), T0, "a", "b", "c", "d", "e", "f"));
    List<RecordId> r = List.of("a", "b", "c", "d", "e", "f").stream()
        .map(i -> store.startRecord(id, new InstanceId(i), T0)).toList();
    store.markRecordRunning(r.get(1), 100);
    store.markRecordRunning(r.get(2), 101);
    store.endRecord(r.get(2), end(RecordStatus.Finished, T0.plusSeconds(1)));
    store.endRecord(r.get(3), end(RecordStatus.Failed, T0.plusSeconds(1)));
    store.endRecord(r.get(4), end(RecordStatus.Stopped, T0.plusSeconds(1)));
    store.endRecord(r.get(5), end(RecordStatus.Finished, T0.plusSeconds(1)));

    RecordCounts counts = new JdbcInvocationQueries(reader).recordCounts(id);

    assertThat(counts).isEqualTo(new RecordCounts(1, 1, 2, 1, 1));
    assertThat(counts.total()).isEqualTo(6);
    assertThat(counts.ended()).isEqualTo(4);
  }

  @Test
  void aPageLongerThanOneInListIsCountedWholeAndAnUnknownIdHasNone() {
    int n = JdbcInvocationQueries.IN_LIST + 2;
    List<InvokeId> ids = IntStream.range(0, n).mapToObj(i -> new InvokeId("t-" + i)).toList();
    for (int i = 0; i < n; i++) {
      store.createInvocation(once(ids.get(i).value(), Optional.empty(), T0.plusSeconds(i), "a"));
    }
    store.startRecord(ids.get(0), new InstanceId("a"), T0);
    store.startRecord(ids.get(n - 1), new InstanceId("a"), T0);
    JdbcInvocationQueries queries = new JdbcInvocationQueries(reader);

    Map<InvokeId, RecordCounts> counts = queries.recordCounts(
        IntStream.rangeClosed(0, n).mapToObj(i -> new InvokeId("t-" + i)).toList());

    assertThat(counts).hasSize(n + 1);
    assertThat(counts.get(ids.get(0))).isEqualTo(new RecordCounts(1, 0, 0, 0, 0));
    assertThat(counts.get(ids.get(n - 1))).isEqualTo(new RecordCounts(1, 0, 0, 0, 0));
    assertThat(counts.get(ids.get(1))).isEqualTo(RecordCounts.NONE);
    assertThat(counts.get(new InvokeId("t-" + n))).as("no such invocation").isEqualTo(RecordCounts.NONE);
    assertThat(queries.listInvocations(new InvocationFilter(Optional.empty(), Optional.empty(), Optional.empty(), n)))
        .as("instance counts for the whole page, across IN lists")
        .allMatch(s -> s.instanceCounts().get(RecordStatus.Running) == 1);
  }
}
