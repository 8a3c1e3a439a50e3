package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.Targets;
import io.fleetrun.model.Threshold;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code maxConcurrency} and {@code maxErrors} of a PERIODIC job apply to each fire: its one
 * invocation gathers the records of every fire, but neither the records running nor the errors
 * of an earlier fire count against a later one. Real SSH (an in-process server with a real
 * shell) and a SQLite file; fires are made by calling the invoker, as Quartz does.
 */
class PeriodicControlsTest extends WithInvokeRig {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int TARGETS = 4;

  static {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.sshd"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
  }

  private Invoker invoker;

  /** Fails (exit 9) when another run holds the server-side lock. */
  private static final String LOCKED = "if mkdir LOCKDIR 2>/dev/null; then sleep 0.2; rmdir LOCKDIR; else exit 9; fi";

  @Test
  void maxConcurrencyHoldsInEveryFire() {
    invoker = invoker(LOCKED, new ConcurrencyControls(Optional.of(Threshold.parse("25%")), Optional.empty()));

    InvokeId id = fireAndAwait(1);
    assertThat(fireAndAwait(2)).isEqualTo(id);
    assertThat(fireAndAwait(3)).isEqualTo(id);

    assertThat(details(id)).as("the lock on the server was never held twice, in any fire")
        .hasSize(3 * TARGETS).containsOnly("Finished:Success");
  }

  /**
   * One error allowed per fire, and each fire has exactly one: were errors counted over the
   * invocation, the second fire's error would be one too many and cancel the rest of it.
   */
  @Test
  void maxErrorsCountsTheErrorsOfOneFire() {
    invoker = invoker("if [ {{fleetrun.instanceId}} = i-0 ]; then exit 3; fi",
        new ConcurrencyControls(Optional.of(Threshold.count(1)), Optional.of(Threshold.count(1))));

    InvokeId id = fireAndAwait(1);
    fireAndAwait(2);
    fireAndAwait(3);

    for (int repeat = 1; repeat <= 3; repeat++) {
      assertThat(details(id, repeat)).as("fire %d", repeat)
          .containsExactly("Finished:Failed", "Finished:Success", "Finished:Success", "Finished:Success");
    }
    assertThat(one("SELECT status FROM invocation")).isEqualTo("Running");
  }

  /** maxErrors 0: each fire cancels its own rest after its own first error, and the next fire starts anew. */
  @Test
  void maxErrorsZeroCancelsTheRestOfEachFireAndTheNextFireStartsAgain() {
    invoker = invoker("exit 3",
        new ConcurrencyControls(Optional.of(Threshold.count(1)), Optional.of(Threshold.count(0))));

    InvokeId id = fireAndAwait(1);
    fireAndAwait(2);

    for (int repeat = 1; repeat <= 2; repeat++) {
      assertThat(details(id, repeat)).as("fire %d", repeat)
          .containsExactly("Finished:Failed", "Failed:Cancelled", "Failed:Cancelled", "Failed:Cancelled");
    }
  }

  /** Fires the job and waits until every record of fire {@code repeat} has ended. */
  private InvokeId fireAndAwait(int repeat) {
    InvokeId id = invoker.fireJob(new JobId("tick")).orElseThrow();
    await().atMost(WAIT).until(() -> Long.parseLong(one("SELECT count(*) FROM invocation_record WHERE repeat_no = "
        + repeat + " AND status <> 'Running'")) == TARGETS);
    return id;
  }

  private Invoker invoker(String script, ConcurrencyControls controls) {
    Command c = new Command(new CommandId("c"), script.replace("LOCKDIR", dir.resolve("lock").toString()),
        Optional.empty(), Duration.ofSeconds(60), Map.of());
    List<Instance> instances = IntStream.range(0, TARGETS).mapToObj(i -> rig.instance("i-" + i)).toList();
    Job job = new Job(new JobId("tick"), c.id(),
        new Targets(instances.stream().map(Instance::id).toList(), Set.of()), RepeatMode.Period,
        Optional.of(Frequency.parse("rate(1h)")), Map.of(), MisfirePolicy.RUN_ONCE, OverlapPolicy.SKIP, controls);
    return rig.invoker(new Fleet(instances, List.of(c), List.of(job)));
  }

  private List<String> details(InvokeId id) {
    return rig.db.dsl().fetch("SELECT status || ':' || detail_status FROM invocation_record WHERE invoke_id = ?"
        + " ORDER BY record_id", id.value()).getValues(0, String.class);
  }

  /** The records of fire {@code repeat}, by instance (i-0 first). */
  private List<String> details(InvokeId id, int repeat) {
    return rig.db.dsl().fetch("SELECT status || ':' || detail_status FROM invocation_record WHERE invoke_id = ?"
        + " AND repeat_no = ? ORDER BY instance_id", id.value(), repeat).getValues(0, String.class);
  }

  private String one(String sql) {
    return String.valueOf(rig.db.dsl().fetchValue(sql));
  }
}
