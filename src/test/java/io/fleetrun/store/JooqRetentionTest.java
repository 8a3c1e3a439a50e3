package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.end;
import static io.fleetrun.store.Invocations.once;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JooqRetentionTest extends StoreOnBothBackends {
  private static final Instant CUTOFF = T0.plus(Duration.ofDays(1));

  private JooqRetention retention;

  @BeforeEach
  void open() {
    retention = new JooqRetention(db, Duration.ZERO);
  }

  @Test
  void endedInvocationsOlderThanTheCutoffGoWithTheirInstancesAndRecords() {
    onceEndedAt("t-old", T0, RecordStatus.Finished, "a", "b");
    onceEndedAt("t-old-failed", T0.plusSeconds(60), RecordStatus.Failed, "a");
    onceEndedAt("t-new", CUTOFF.plusSeconds(1), RecordStatus.Finished, "a", "b");
    store.createInvocation(once("t-running", Optional.empty(), T0, "a"));
    store.startRecord(new InvokeId("t-running"), new InstanceId("a"), T0);

    JooqRetention.Purged purged = retention.purge(CUTOFF, 500);

    assertThat(purged).isEqualTo(new JooqRetention.Purged(2, 3, 3));
    assertThat(invocationIds()).containsExactlyInAnyOrder("t-new", "t-running");
    assertThat(count("invocation_instance")).isEqualTo(3);
    assertThat(count("invocation_record")).isEqualTo(3);
    assertThat(retention.purge(CUTOFF, 500).total()).isZero();
  }

  /**
   * At 50,000 records: an old stopped periodic invocation's 45,000 records go with it and its
   * instances, in batches, well within a generous bound on a loaded 2-core machine; a recent
   * invocation's 5,000 stay, and so does a running periodic invocation's recent history. (That
   * no statement of the purge scans a big table is QueryPlanTest's, on the same statements.)
   */
  @Test
  void fiftyThousandRecordsOldOnesGoWithTheirInvocationRecentOnesStay() throws Exception {
    try (java.sql.Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      fill(c, "t-old", "Stopped", "Period", T0, 20, 2250);
      fill(c, "t-new", "Finished", "Once", CUTOFF.plusSeconds(60), 5000, 1);
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(count("invocation_record")).isEqualTo(50_000);

    long t0 = System.nanoTime();
    JooqRetention.Purged purged = retention.purge(CUTOFF, 500);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(purged).isEqualTo(new JooqRetention.Purged(1, 20, 45_000));
    assertThat(invocationIds()).containsExactly("t-new");
    assertThat(count("invocation_record")).isEqualTo(5_000);
    assertThat(count("invocation_instance")).isEqualTo(5_000);
    assertThat(took).as("purge of 45,000 records").isLessThan(Duration.ofSeconds(60));
    assertThat(retention.purge(CUTOFF, 500).total()).isZero();
  }

  /** {@code instances} x {@code repeats} ended records of a new invocation {@code id} created at {@code at}. */
  private static void fill(java.sql.Connection c, String id, String status, String mode, Instant at,
      int instances, int repeats) throws java.sql.SQLException {
    String time = JdbcRows.text(at);
    String ended = JdbcRows.text(at.plusSeconds(30));
    try (java.sql.PreparedStatement st = c.prepareStatement("INSERT INTO invocation (invoke_id, command_id,"
        + " command_content, parameters, repeat_mode, status, created_at, finished_at, stopped_at)"
        + " VALUES (?, 'c', 'true', '{}', ?, ?, ?, ?, ?)")) {
      st.setString(1, id);
      st.setString(2, mode);
      st.setString(3, status);
      st.setString(4, time);
      st.setString(5, ended);
      st.setString(6, status.equals("Stopped") ? ended : null);
      st.executeUpdate();
    }
    try (java.sql.PreparedStatement inst = c.prepareStatement("INSERT INTO invocation_instance (invoke_id,"
            + " instance_id, instance_no, status, repeats) VALUES (?, ?, ?, ?, ?)");
        java.sql.PreparedStatement rec = c.prepareStatement("INSERT INTO invocation_record (invoke_id,"
            + " instance_id, repeat_no, status, detail_status, exit_code, scheduled_at, start_time, finish_time)"
            + " VALUES (?, ?, ?, 'Finished', 'Success', 0, ?, ?, ?)")) {
      for (int i = 0; i < instances; i++) {
        String instance = "h-" + i;
        inst.setString(1, id);
        inst.setString(2, instance);
        inst.setInt(3, i);
        inst.setString(4, status.equals("Stopped") ? "Stopped" : "Finished");
        inst.setInt(5, repeats);
        inst.executeUpdate();
        for (int r = 1; r <= repeats; r++) {
          rec.setString(1, id);
          rec.setString(2, instance);
          rec.setInt(3, r);
          rec.setString(4, time);
          rec.setString(5, time);
          rec.setString(6, ended);
          rec.addBatch();
        }
        rec.executeBatch();
      }
    }
  }

  @Test
  void runningPeriodicInvocationLosesOnlyItsOldEndedRecords() {
    InvokeId id = new InvokeId("t-period");
    store.createInvocation(periodic(id.value(), "disk", T0, "a", "b"));
    for (int day = 0; day < 3; day++) {
      for (String instance : List.of("a", "b")) {
        Instant start = T0.plus(Duration.ofDays(day)).minusSeconds(10);
        RecordId r = store.startRecord(id, new InstanceId(instance), start);
        store.endRecord(r, end(RecordStatus.Finished, start.plusSeconds(5)));
      }
    }
    // Started before the cutoff and still running: kept whatever its age.
    RecordId running = store.startRecord(id, new InstanceId("a"), T0.minusSeconds(3600));

    JooqRetention.Purged purged = retention.purge(CUTOFF, 500);

    // Day 0 and day 1 (10 s before the cutoff) ended before the cutoff, on both instances.
    assertThat(purged).isEqualTo(new JooqRetention.Purged(0, 0, 4));
    List<InvocationRecord> left = queries.listRecords(id, Optional.empty());
    assertThat(left).extracting(r -> r.id()).contains(running);
    assertThat(left).extracting(InvocationRecord::repeatNo).containsExactlyInAnyOrder(3, 3, 4);
    assertThat(queries.findInvocation(id).orElseThrow().status()).isEqualTo(InvocationStatus.Running);
    // Numbering goes on from the instance's counter, not from what is left.
    assertThat(store.startRecord(id, new InstanceId("b"), CUTOFF.plusSeconds(60)))
        .isNotNull();
    assertThat(queries.listRecords(id, Optional.of(new InstanceId("b"))))
        .extracting(InvocationRecord::repeatNo).containsExactly(3, 4);
  }

  @Test
  void aPurgedOneTimeJobNeverRunsAgainAndAStoppedJobStaysStopped() {
    JobId onceJob = new JobId("migrate");
    assertThat(store.createOnceJobInvocation(once("t-once", Optional.of("migrate"), T0, "a"))).isTrue();
    endOnly("t-once", "a", RecordStatus.Finished, T0.plusSeconds(1));
    InvokeId periodicId = new InvokeId("t-stopped");
    store.createInvocation(periodic(periodicId.value(), "disk", T0, "a"));
    store.stopInstances(periodicId, Set.of(new InstanceId("a")), T0.plusSeconds(2));
    store.rememberStoppedJob(new JobId("disk"), "spec-1", periodicId, T0.plusSeconds(2));

    assertThat(retention.purge(CUTOFF, 500).invocations()).isEqualTo(2);

    assertThat(invocationIds()).isEmpty();
    assertThat(store.createOnceJobInvocation(once("t-again", Optional.of(onceJob.value()),
        CUTOFF, "a"))).isFalse();
    assertThat(invocationIds()).isEmpty();
    assertThat(store.isStoppedJob(new JobId("disk"), "spec-1")).isTrue();
  }

  @Test
  void anEndedInvocationWhoseRecordStillRunsIsKept() {
    // A periodic invocation stopped while its record runs: Stopped at once, the record ends
    // later through the runner, which must still find it.
    InvokeId id = new InvokeId("t-stopping");
    store.createInvocation(periodic(id.value(), "disk", T0, "a"));
    RecordId record = store.startRecord(id, new InstanceId("a"), T0);
    store.stopInstances(id, Set.of(new InstanceId("a")), T0.plusSeconds(1));
    assertThat(queries.findInvocation(id).orElseThrow().status()).isEqualTo(InvocationStatus.Stopped);

    assertThat(retention.purge(CUTOFF, 500).total()).isZero();

    assertThat(store.endRecord(record, end(RecordStatus.Stopped, T0.plusSeconds(2)))).isTrue();
    assertThat(retention.purge(CUTOFF, 500)).isEqualTo(new JooqRetention.Purged(1, 1, 1));
  }

  @Test
  void manyRowsGoInSmallBatches() {
    InvokeId id = new InvokeId("t-wide");
    String[] instances = {"a", "b", "c", "d", "e", "f", "g"};
    store.createInvocation(once(id.value(), Optional.empty(), T0, instances));
    for (String instance : instances) {
      endOnly(id.value(), instance, RecordStatus.Finished, T0.plusSeconds(1));
    }
    for (int i = 0; i < 5; i++) {
      onceEndedAt("t-" + i, T0, RecordStatus.Finished, "a");
    }

    assertThat(retention.purge(CUTOFF, 2)).isEqualTo(new JooqRetention.Purged(6, 12, 12));
    assertThat(count("invocation")).isZero();
    assertThat(count("invocation_instance")).isZero();
    assertThat(count("invocation_record")).isZero();
  }

  @Test
  void anInterruptedPurgeStopsAndLeavesConsistentRowsForTheNextOne() throws Exception {
    for (int i = 0; i < 4; i++) {
      onceEndedAt("t-" + i, T0, RecordStatus.Finished, "a");
    }
    JooqRetention pausing = new JooqRetention(db, Duration.ofSeconds(30));
    AtomicReference<JooqRetention.Purged> result = new AtomicReference<>();
    AtomicBoolean flagKept = new AtomicBoolean();
    Thread purger = new Thread(() -> {
      result.set(pausing.purge(CUTOFF, 1));
      flagKept.set(Thread.currentThread().isInterrupted());
    });
    purger.start();
    // The first batch is done and the purge waits before the next one.
    await().atMost(Duration.ofSeconds(10)).until(() -> count("invocation_record") == 3);
    purger.interrupt();
    purger.join(Duration.ofSeconds(10).toMillis());

    assertThat(purger.isAlive()).isFalse();
    assertThat(result.get()).isEqualTo(new JooqRetention.Purged(0, 0, 1));
    assertThat(flagKept).isTrue();
    assertThat(retention.purge(CUTOFF, 500)).isEqualTo(new JooqRetention.Purged(4, 4, 3));
  }

  @Test
  void answeredControlRequestsOlderThanTheCutoffGo() {
    JooqControlChannel control = new JooqControlChannel(db);
    ControlRequest stop = new ControlRequest.Stop(new InvokeId("t-x"), Set.of());
    long old = control.submit(stop, T0);
    long recent = control.submit(stop, T0);
    long pending = control.submit(stop, T0);
    control.claimPending(T0);
    control.complete(old, new RequestAnswer.Refused("no such invocation"), T0.plusSeconds(1));
    control.complete(recent, new RequestAnswer.Refused("no such invocation"), CUTOFF.plusSeconds(1));

    assertThat(retention.purgeRequests(CUTOFF, 1)).isEqualTo(1);

    assertThat(control.findRequest(old)).isEmpty();
    assertThat(control.findRequest(recent)).isPresent();
    assertThat(control.findRequest(pending)).isPresent();
  }

  private void onceEndedAt(String id, Instant at, RecordStatus status, String... instances) {
    store.createInvocation(once(id, Optional.empty(), at.minusSeconds(5), instances));
    for (String instance : instances) {
      endOnly(id, instance, status, at);
    }
  }

  private void endOnly(String id, String instance, RecordStatus status, Instant at) {
    RecordId r = store.startRecord(new InvokeId(id), new InstanceId(instance), at.minusSeconds(1));
    store.endRecord(r, end(status, at));
  }

  private List<String> invocationIds() {
    return db.dsl().fetchValues("SELECT invoke_id FROM invocation").stream()
        .map(Object::toString).toList();
  }

  private int count(String table) {
    return ((Number) db.dsl().fetchValue("SELECT count(*) FROM " + table)).intValue();
  }
}
