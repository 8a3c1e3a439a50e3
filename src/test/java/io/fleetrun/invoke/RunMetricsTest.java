package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.RecordId;
import io.fleetrun.observe.Gauges;
import io.fleetrun.observe.Metrics;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.JdbcInvocationQueries;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.JournalObserver;
import io.fleetrun.testing.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real runs (in-process SSH server, SQLite file) seen through the engine's run events: the
 * Prometheus metrics they feed, a subscriber that is stuck, and an end the database refuses.
 */
class RunMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  private InvokeRig rig;
  private EventFeed feed;
  private Invoker invoker;
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    if (invoker != null) {
      invoker.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
    if (feed != null) {
      feed.close(Duration.ofSeconds(1));
    }
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void finishedFailedTimedOutAndUnreachableRunsMoveTheirCountersAndHistograms() throws IOException {
    rig = InvokeRig.start(dir, Duration.ofSeconds(5));
    Instance gone = new Instance(new InstanceId("gone"), "127.0.0.1", closedPort(), "fleet",
        Optional.of(rig.server.clientKey()), Optional.empty(), Set.of());
    Fleet fleet = new Fleet(List.of(rig.instance("ok"), rig.instance("bad"), rig.instance("slow"), gone),
        List.of(command("ok", "echo ok", Duration.ofSeconds(20)), command("bad", "exit 1", Duration.ofSeconds(20)),
            command("slow", "sleep 30", Duration.ofSeconds(1)), command("never", "echo never", Duration.ofSeconds(20))),
        List.of());
    feed = new EventFeed(Clock.systemUTC());
    Metrics metrics = metricsOf(feed);
    JooqInvocationStore store = new JooqInvocationStore(rig.db, new StatusCalculator());
    store.observeJournalsWith(new JournalObserver() {
      @Override
      public void batchCommitted(int events, Duration took) {
        metrics.databaseWrite(took);
      }
    });
    rig.executor.reportTimingsTo(metrics::sshConnected);
    feed.subscribe("metrics", metrics);
    invoker = new Invoker(store, new JdbcInvocationQueries(rig.db), rig.executor, fleet, Clock.systemUTC(), feed);

    invoker.runAdHoc(run("ok", "ok"));
    invoker.runAdHoc(run("bad", "bad"));
    invoker.runAdHoc(run("slow", "slow"));
    invoker.runAdHoc(run("never", "gone"));

    await().atMost(WAIT).until(() -> scrape(metrics).sum("fleetrun_records_ended_total") == 4
        && scrape(metrics).sum("fleetrun_invocations_ended_total") == 4);
    PrometheusText text = scrape(metrics);
    assertThat(text.sum("fleetrun_records_ended_total", Map.of("status", "Finished", "detail_status", "Success",
        "error_code", "", "job", ""))).as(text.toString()).isEqualTo(1);
    assertThat(text.sum("fleetrun_records_ended_total", Map.of("status", "Finished", "detail_status", "Failed",
        "error_code", "ExitCodeNonzero", "job", ""))).isEqualTo(1);
    assertThat(text.sum("fleetrun_records_ended_total", Map.of("status", "Failed", "detail_status", "Timeout",
        "error_code", "ExecutionTimeout"))).isEqualTo(1);
    assertThat(text.sum("fleetrun_records_ended_total", Map.of("status", "Failed", "detail_status", "Error",
        "error_code", "ConnectionRefused"))).isEqualTo(1);
    assertThat(text.sum("fleetrun_invocations_ended_total", Map.of("status", "Finished"))).isEqualTo(2);
    assertThat(text.sum("fleetrun_invocations_ended_total", Map.of("status", "Failed"))).isEqualTo(2);
    assertThat(text.sum("fleetrun_record_duration_seconds_count", Map.of("status", "Finished"))).isEqualTo(2);
    assertThat(text.sum("fleetrun_record_duration_seconds_count", Map.of("status", "Failed"))).isEqualTo(2);
    // The timed-out run lasted its 1 s timeout at least: its observation is past the 1 s bucket.
    assertThat(text.sum("fleetrun_record_duration_seconds_bucket", Map.of("status", "Failed", "le", "1.0")))
        .isLessThan(2);
    // Three runs reached their target; the unreachable one never started.
    assertThat(text.sum("fleetrun_records_started_total")).isEqualTo(3);
    assertThat(text.sum("fleetrun_schedule_to_start_delay_seconds_count")).isEqualTo(3);
    assertThat(text.sum("fleetrun_ssh_connect_seconds_count")).isBetween(1.0, 3.0);
    assertThat(text.sum("fleetrun_database_write_seconds_count")).isGreaterThan(0);
    assertThat(text.sum("fleetrun_events_dropped_total")).isZero();
    assertThat(text.has("jvm_memory_used_bytes")).isTrue();
  }

  @Test
  void aStuckSubscriberDelaysNoRunAndWhatItMissesIsCountedAsDropped() throws IOException {
    rig = InvokeRig.start(dir);
    List<Instance> five = List.of(rig.instance("a"), rig.instance("b"), rig.instance("c"), rig.instance("d"),
        rig.instance("e"));
    Fleet fleet = new Fleet(five, List.of(command("hi", "echo hi", Duration.ofSeconds(20))), List.of());
    feed = new EventFeed(2, Clock.systemUTC());
    Metrics metrics = metricsOf(feed);
    feed.subscribe("stuck", event -> {
      try {
        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    invoker = new Invoker(new JooqInvocationStore(rig.db, new StatusCalculator()), new JdbcInvocationQueries(rig.db),
        rig.executor, fleet, Clock.systemUTC(), feed);

    InvokeId id = invoker.runAdHoc(new ControlRequest.Run(new CommandId("hi"),
        five.stream().map(Instance::id).toList(), Set.of(), Map.of()));

    await().atMost(WAIT).until(() -> "Finished".equals(status(id)));
    assertThat(release.getCount()).as("the subscriber is still stuck").isEqualTo(1);
    // 5 starts, 5 ends and the invocation's Finished: the stuck subscriber holds the first, its
    // queue of 2 the next two; the other 8 were dropped.
    await().atMost(WAIT).until(() -> feed.dropped() == 8);
    assertThat(scrape(metrics).sum("fleetrun_events_dropped_total")).isEqualTo(8);
  }

  @Test
  void anEndTheDatabaseRefusesIsNoEndedEvent() throws Exception {
    rig = InvokeRig.start(dir);
    Path go = dir.resolve("go");
    Fleet fleet = new Fleet(List.of(rig.instance("web")), List.of(
        command("wait", "for i in $(seq 1 200); do [ -f '" + go + "' ] && exit 0; sleep 0.1; done; exit 3",
            Duration.ofSeconds(30)),
        command("hi", "echo hi", Duration.ofSeconds(20))), List.of());
    feed = new EventFeed(Clock.systemUTC());
    List<RunEvent> seen = new CopyOnWriteArrayList<>();
    feed.subscribe("recorder", seen::add);
    Metrics metrics = metricsOf(feed);
    feed.subscribe("metrics", metrics);
    invoker = new Invoker(new JooqInvocationStore(rig.db, new StatusCalculator()), new JdbcInvocationQueries(rig.db),
        rig.executor, fleet, Clock.systemUTC(), feed);

    InvokeId first = invoker.runAdHoc(run("wait", "web"));
    await().atMost(WAIT).until(() -> seen.stream().anyMatch(e -> e instanceof RunEvent.RecordStarted));
    // Another writer ends the record meanwhile (as a stop on another node or a take-over does):
    // the script's own end that follows is refused by the database.
    rig.db.dsl().execute("UPDATE invocation_record SET status = 'Stopped', detail_status = 'Cancelled'"
        + " WHERE invoke_id = ?", first.value());
    RecordId record = ((RunEvent.RecordStarted) seen.get(0)).record();
    Files.writeString(go, "");
    await().atMost(WAIT).until(() -> invoker.runningRecords() == 0);
    // Its end was queued before this run's: once this one's end is seen, that one was decided.
    InvokeId second = invoker.runAdHoc(run("hi", "web"));
    await().atMost(WAIT).until(() -> seen.stream().anyMatch(
        e -> e instanceof RunEvent.RecordEnded ended && ended.invokeId().equals(second)));

    assertThat(seen).noneMatch(e -> e instanceof RunEvent.RecordEnded ended && ended.record().equals(record));
    await().atMost(WAIT).until(() -> scrape(metrics).sum("fleetrun_records_ended_total") > 0);
    assertThat(scrape(metrics).sum("fleetrun_records_ended_total")).isEqualTo(1);
    assertThat(scrape(metrics).sum("fleetrun_records_ended_total", Map.of("detail_status", "Success"))).isEqualTo(1);
  }

  private Metrics metricsOf(EventFeed events) {
    return new Metrics(new Gauges(() -> invoker.recordsOnSsh(), () -> invoker.recordsWaiting(),
        () -> 0, () -> 0, () -> 0, events::dropped, Optional::empty, Optional::empty));
  }

  private String status(InvokeId id) {
    return rig.db.dsl().fetchValue("SELECT status FROM invocation WHERE invoke_id = ?", id.value()).toString();
  }

  private static PrometheusText scrape(Metrics metrics) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      metrics.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PrometheusText(out.toString(StandardCharsets.UTF_8));
  }

  private static Command command(String id, String content, Duration timeout) {
    return new Command(new CommandId(id), content, Optional.empty(), timeout, Map.of());
  }

  private static ControlRequest.Run run(String command, String instance) {
    return new ControlRequest.Run(new CommandId(command), List.of(new InstanceId(instance)), Set.of(), Map.of());
  }

  /** A loopback port nothing listens on (taken, then given back). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
