package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Threshold;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.JooqControlChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Fan-outs against an in-process MINA server on a real SQLite file: the answer comes after one
 * transaction, other requests and the heartbeat are not held up, and the concurrency controls
 * hold as observed on the rig.server.
 */
class FanOutScaleTest extends WithInvokeRig {
  private static final Duration WAIT = Duration.ofSeconds(90);

  static {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.sshd"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.fleetrun"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
  }

  private Invoker invoker;

  /** 30 s for a connection, as this test always gave its rig (500 targets connect at once). */
  @Override
  Duration connectTimeout() {
    return Duration.ofSeconds(30);
  }

  @Test
  void a500TargetRunIsAnsweredWithin1sAndAnotherRunAStopAndTheHeartbeatAreNotHeldUp() throws Exception {
    invoker = invoker(500, "echo hi-{{fleetrun.instanceId}}", "sleep 30");
    JooqControlChannel control = JooqControlChannel.onControlConnection(rig.db);
    DaemonInfo info = new DaemonInfo("node-1", 1, "host", "dev", "cfg", Instant.now());
    ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
    java.util.concurrent.atomic.AtomicLong slowestBeat = new java.util.concurrent.atomic.AtomicLong();
    beat.scheduleWithFixedDelay(() -> {
      long start = System.nanoTime();
      control.heartbeat(info, Instant.now());
      slowestBeat.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
    }, 0, 1, TimeUnit.SECONDS);
    long maxAge = 0;
    try {
      // As in a daemon that has run before: the first use of jOOQ and SSH classes costs seconds.
      awaitEnded(invoker.runAdHoc(run("c", 50, ConcurrencyControls.NONE)));
      long t0 = System.nanoTime();
      InvokeId big = invoker.runAdHoc(run("c", 500, ConcurrencyControls.NONE));
      Duration answer = Duration.ofNanos(System.nanoTime() - t0);
      // The product's target is 1 s (bench/ measures it against its peers); 3 s leaves room for
      // the second test JVM on 2 cores and still fails the per-record design (18 s at 200).
      assertThat(answer).as("answer of a 500-target run").isLessThan(Duration.ofSeconds(3));
      assertThat(count("SELECT count(*) FROM invocation_record WHERE invoke_id = '" + big + "'"))
          .as("every record written with the answer").isEqualTo(500);

      long t1 = System.nanoTime();
      InvokeId sleeper = invoker.runAdHoc(new ControlRequest.Run(new CommandId("s"),
          List.of(new InstanceId("i-0")), Set.of(), Map.of()));
      invoker.stop(sleeper, Set.of());
      // Each waits for one journal batch at most, not for the fan-out (18 s before); the bound
      // leaves room for a 2-core machine loaded by 500 handshakes and other builds.
      assertThat(Duration.ofNanos(System.nanoTime() - t1)).as("another run and a stop meanwhile")
          .isLessThan(Duration.ofSeconds(3));

      while (count("SELECT count(*) FROM invocation_record WHERE status = 'Running'") > 0) {
        // Age as status and the lease see it: must stay within Heartbeat.ALIVE_WITHIN, or the
        // daemon would be called dead. (~1.1 s idle; up to ~3 s seen at a load average of 25 on
        // 2 cores, where the in-process server's handshakes starve every thread of CPU.)
        maxAge = Math.max(maxAge, count("SELECT CAST((julianday('now') - julianday(beat_at)) * 86400000"
            + " AS INTEGER) FROM daemon_heartbeat"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WAIT);
        Thread.sleep(200);
      }
      assertThat(maxAge).as("heartbeat age in ms during the fan-out")
          .isLessThan(io.fleetrun.store.Heartbeat.ALIVE_WITHIN.toMillis());
      // The beat's write waits for one journal batch at most, never for the fan-out's queue
      // (before: up to the pool's 30 s connection timeout); the bound allows a loaded machine.
      assertThat(slowestBeat.get()).as("slowest heartbeat write in ms").isLessThan(4000);
      assertThat(count("SELECT count(*) FROM invocation_record WHERE invoke_id = '" + big
          + "' AND status = 'Finished' AND start_time IS NOT NULL AND start_time >= scheduled_at")).isEqualTo(500);
      assertThat(one("SELECT status FROM invocation WHERE invoke_id = '" + sleeper + "'")).isEqualTo("Stopped");
    } finally {
      beat.shutdownNow();
    }
  }

  @Test
  void maxConcurrencyOneNeverRunsTwoAtOnce() {
    invoker = invoker(5, LOCKED, "true");
    InvokeId id = invoker.runAdHoc(run("c", 5, new ConcurrencyControls(Optional.of(Threshold.count(1)), Optional.empty())));

    awaitEnded(id);
    assertThat(details(id)).as("a lock on the server was never held twice").containsOnly("Finished:Success");
  }

  @Test
  void withoutALimitRunsOverlapSoTheLockTestCanFail() {
    invoker = invoker(5, LOCKED, "true");
    InvokeId id = invoker.runAdHoc(run("c", 5, new ConcurrencyControls(Optional.of(Threshold.parse("100%")),
        Optional.empty())));

    awaitEnded(id);
    assertThat(details(id)).contains("Finished:Failed");
  }

  @Test
  void maxErrorsZeroCancelsTheRestAfterTheFirstErrorAndRunningOnesGoOn() {
    invoker = invoker(4, "exit 3", "true");
    InvokeId id = invoker.runAdHoc(run("c", 4,
        new ConcurrencyControls(Optional.of(Threshold.count(1)), Optional.of(Threshold.count(0)))));

    awaitEnded(id);
    assertThat(details(id)).containsExactly("Finished:Failed", "Failed:Cancelled", "Failed:Cancelled",
        "Failed:Cancelled");
    assertThat(one("SELECT error_code || ': ' || error_info FROM invocation_record WHERE instance_id = 'i-3'"))
        .isEqualTo("MaxErrorsExceeded: 1 record(s) of 4 failed, more than maxErrors allows (0); this one was not started");
    assertThat(one("SELECT status FROM invocation")).isEqualTo("PartialFailed");
  }

  @Test
  void maxErrorsOfAllTargetsOrMoreCancelsNothing() {
    invoker = invoker(3, "exit 3", "true");
    InvokeId hundred = invoker.runAdHoc(run("c", 3, new ConcurrencyControls(Optional.of(Threshold.count(1)),
        Optional.of(Threshold.parse("100%")))));
    InvokeId more = invoker.runAdHoc(run("c", 3, new ConcurrencyControls(Optional.of(Threshold.count(7)),
        Optional.of(Threshold.count(7)))));

    awaitEnded(hundred);
    awaitEnded(more);
    assertThat(details(hundred)).containsOnly("Finished:Failed");
    assertThat(details(more)).containsOnly("Finished:Failed");
  }

  /** Fails (exit 9) when another run holds the server-side lock. */
  private static final String LOCKED = "if mkdir LOCKDIR 2>/dev/null; then sleep 0.3; rmdir LOCKDIR; else exit 9; fi";

  private Invoker invoker(int targets, String script, String sleeperScript) {
    String lock = dir.resolve("lock").toString();
    Command c = new Command(new CommandId("c"), script.replace("LOCKDIR", lock), Optional.empty(),
        Duration.ofSeconds(60), Map.of());
    Command s = new Command(new CommandId("s"), sleeperScript, Optional.empty(), Duration.ofSeconds(60), Map.of());
    List<Instance> instances = IntStream.range(0, targets)
        .mapToObj(i -> rig.instance("i-" + i))
        .toList();
    return rig.invoker(new Fleet(instances, List.of(c, s), List.of()));
  }

  private static ControlRequest.Run run(String command, int targets, ConcurrencyControls controls) {
    return new ControlRequest.Run(new CommandId(command),
        IntStream.range(0, targets).mapToObj(i -> new InstanceId("i-" + i)).toList(), Set.of(), Map.of(), controls);
  }

  private void awaitEnded(InvokeId id) {
    await().atMost(WAIT).until(() -> !one("SELECT status FROM invocation WHERE invoke_id = '" + id + "'")
        .equals("Running"));
  }

  private List<String> details(InvokeId id) {
    return rig.db.dsl().fetch("SELECT status || ':' || detail_status FROM invocation_record WHERE invoke_id = ?"
        + " ORDER BY record_id", id.value()).getValues(0, String.class);
  }

  private String one(String sql) {
    return String.valueOf(rig.db.dsl().fetchValue(sql));
  }

  private long count(String sql) {
    return ((Number) rig.db.dsl().fetchValue(sql)).longValue();
  }
}
