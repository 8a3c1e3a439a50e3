package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.invoke.RunEvent;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.store.Database;
import io.fleetrun.store.EventLog;
import io.fleetrun.testing.MovingClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event feed's event-log subscriber on a real SQLite file, its time moved by a clock. */
class EventLogWriterTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.000Z");

  @TempDir Path dir;
  private Database db;
  private EventLog log;
  private final MovingClock clock = new MovingClock(T0);
  private EventLogWriter writer;

  @BeforeEach
  void open() {
    db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"));
    log = new EventLog(db);
    writer = new EventLogWriter(log, "node-a", clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void eventsWaitForABatchOrAQuietMomentThenGoInOneWrite() {
    writer.on(status("t-1"));
    writer.on(status("t-2"));
    assertThat(log.after(0, 10)).isEmpty(); // batched, not one write per event

    clock.move(EventLogWriter.FLUSH_EVERY);
    writer.on(status("t-3")); // the oldest waited long enough: all go

    assertThat(log.after(0, 10)).extracting(EventLog.Event::invokeId).containsExactly("t-1", "t-2", "t-3");
    writer.on(status("t-4"));
    writer.idle();
    assertThat(log.after(0, 10)).hasSize(4);
  }

  @Test
  void eachEventIsStoredAsItsKindAndOneLineOfJsonWithoutOutput() {
    writer.on(new RunEvent.RecordStarted(new RecordId(7), new InvokeId("t-1"), Optional.of(new JobId("greet")),
        new InstanceId("a"), T0, Duration.ZERO));
    writer.on(new RunEvent.RecordEnded(new RecordId(7), new InvokeId("t-1"), Optional.empty(), new InstanceId("a"),
        RecordStatus.Failed, DetailStatus.Failed, Optional.of(ErrorCode.ExitCodeNonzero), Optional.of(3),
        T0.plusSeconds(2), Optional.empty(), Optional.empty()));
    writer.on(status("t-1"));
    writer.idle();

    List<EventLog.Event> events = log.after(0, 10);

    assertThat(events).extracting(EventLog.Event::kind)
        .containsExactly("record-started", "record-ended", "invocation-status-changed");
    assertThat(events.get(0).payload()).isEqualTo("{\"recordId\":7,\"invokeId\":\"t-1\",\"jobId\":\"greet\","
        + "\"instanceId\":\"a\",\"status\":\"Running\",\"detailStatus\":\"Running\","
        + "\"startTime\":\"2026-12-01T10:00:00.000Z\"}");
    assertThat(events.get(1).payload()).isEqualTo("{\"recordId\":7,\"invokeId\":\"t-1\",\"jobId\":null,"
        + "\"instanceId\":\"a\",\"status\":\"Failed\",\"detailStatus\":\"Failed\",\"exitCode\":3,"
        + "\"errorCode\":\"ExitCodeNonzero\",\"finishTime\":\"2026-12-01T10:00:02.000Z\"}");
    assertThat(events.get(2).payload()).isEqualTo("{\"invokeId\":\"t-1\",\"status\":\"Finished\"}");
  }

  @Test
  void eventsOlderThanAnHourArePrunedAtMostOnceAMinute() {
    write("t-old"); // T0; the first prune (next one due a minute later)
    clock.move(Duration.ofSeconds(70));
    write("t-mid"); // T0+1m10s; a prune, nothing an hour old
    clock.move(Duration.ofMinutes(60));
    write("t-new"); // T0+61m10s: t-old is past the hour, t-mid just not
    assertThat(invokeIds()).containsExactly("t-mid", "t-new");

    clock.move(Duration.ofSeconds(30));
    write("t-later"); // t-mid is past the hour now, but the last prune was 30 s ago
    assertThat(invokeIds()).containsExactly("t-mid", "t-new", "t-later");

    clock.move(Duration.ofSeconds(30));
    writer.idle(); // a minute since the last prune: a quiet moment prunes too
    assertThat(invokeIds()).containsExactly("t-new", "t-later");
  }

  private void write(String invokeId) {
    writer.on(status(invokeId));
    writer.idle();
  }

  private List<String> invokeIds() {
    return log.after(0, 10).stream().map(EventLog.Event::invokeId).toList();
  }

  private static RunEvent status(String invokeId) {
    return new RunEvent.InvocationStatusChanged(new InvokeId(invokeId), InvocationStatus.Finished);
  }
}
