package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.Targets;
import io.fleetrun.store.InvocationStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A fan-out that fails at instance k of n, with the real store on a SQLite file and real SSH
 * runs on an in-process rig.server. The fault is injected by wrapping the real store (or rig.executor)
 * so that its k-th call of one method throws, as SQLite busy past its timeout would.
 */
class FanOutRepairTest extends WithInvokeRig {
  private static final List<String> INSTANCES = List.of("a", "b", "c", "d");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final JobId TICK = new JobId("tick");

  private Invoker invoker;

  @Test
  void whenAFireCannotBeWrittenNothingIsAndTheRequestIsRefused() {
    InvocationStore store = failing(InvocationStore.class, rig.store(),
        "createWithRecords", 1, 1);
    invoker = invoker(store, rig.executor);

    Throwable thrown = catchThrowable(this::runOnAll);

    assertThat(thrown).hasMessageContaining("injected fault");
    assertThat(one("SELECT count(*) FROM invocation")).isEqualTo("0");
    assertThat(one("SELECT count(*) FROM invocation_record")).isEqualTo("0");
  }

  @Test
  void aRecordTheExecutorRefusesEndsFailedAndTheOthersRun() {
    RemoteExecutor refusing = failing(RemoteExecutor.class, rig.executor, "start", 2, 1);
    invoker = invoker(rig.store(), refusing);

    Throwable thrown = catchThrowable(this::runOnAll);

    assertThat(thrown).as("the run is answered with its invocation").isNull();
    await().atMost(WAIT).until(() -> !status().equals("Running"));
    assertThat(records()).containsExactly(
        "a:1:Finished:Success:-:hi-a", "b:1:Failed:Error:DispatchFailed:",
        "c:1:Finished:Success:-:hi-c", "d:1:Finished:Success:-:hi-d");
    assertThat(instances()).containsExactly("a:Finished", "b:Failed", "c:Finished", "d:Finished");
    assertThat(status()).isEqualTo("PartialFailed");
    assertThat(one("SELECT error_info FROM invocation_record WHERE instance_id = 'b'"))
        .startsWith("the daemon could not start this record: ").contains("injected fault");
    assertThat(one("SELECT count(*) FROM invocation_record WHERE instance_id = 'b' AND start_time IS NULL"))
        .as("never sent").isEqualTo("1");
  }

  @Test
  void aPeriodicFireWithARefusedRecordEndsItFailedAndTheNextFireRunsEverywhere() {
    RemoteExecutor refusing = failing(RemoteExecutor.class, rig.executor, "start", 2, 1);
    invoker = invoker(rig.store(), refusing);

    invoker.fireJob(TICK);

    await().atMost(WAIT).until(() -> records().size() == 4 && records().stream().noneMatch(r -> r.contains(":Running:")));
    assertThat(records()).filteredOn(r -> r.contains("DispatchFailed")).hasSize(1);
    assertThat(status()).as("a periodic invocation runs on").isEqualTo("Running");

    invoker.fireJob(TICK);

    await().atMost(WAIT).until(() -> records().size() == 8 && records().stream().noneMatch(r -> r.contains(":Running:")));
    assertThat(records()).filteredOn(r -> r.contains(":2:"))
        .containsExactly("a:2:Finished:Success:-:hi-a", "b:2:Finished:Success:-:hi-b",
            "c:2:Finished:Success:-:hi-c", "d:2:Finished:Success:-:hi-d");
  }

  @Test
  void whenASecondConnectionHoldsTheWriteLockPastTheBusyTimeoutTheEndsAreWrittenOnceItIsReleased() throws Exception {
    rig.reopenDatabase(Duration.ofMillis(200));
    invoker = invoker(rig.store(), rig.executor);
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      runOnAll();
      // As another process would: it holds the write lock while the records end, well past the
      // busy timeout, so the journal's first batches fail.
      try (Statement sql = other.createStatement()) {
        sql.execute("BEGIN IMMEDIATE");
      }
      pause();
      pause();
      release(other);

      await().atMost(WAIT).until(() -> !status().equals("Running"));
      assertThat(records()).containsExactly("a:1:Finished:Success:-:hi-a", "b:1:Finished:Success:-:hi-b",
          "c:1:Finished:Success:-:hi-c", "d:1:Finished:Success:-:hi-d");
      assertThat(status()).isEqualTo("Finished");
    }
  }

  private void pause() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void release(Connection connection) {
    try (Statement sql = connection.createStatement()) {
      sql.execute("ROLLBACK");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private Invoker invoker(InvocationStore store, RemoteExecutor remote) {
    return invoker(store, remote, OverlapPolicy.ALLOW);
  }

  private Invoker invoker(InvocationStore store, RemoteExecutor remote, OverlapPolicy overlap) {
    Command hi = new Command(new CommandId("hi"), "echo hi-{{fleetrun.instanceId}}", Optional.empty(),
        Duration.ofSeconds(20), Map.of());
    List<Instance> instances = INSTANCES.stream()
        .map(id -> rig.instance(id))
        .toList();
    Job tick = new Job(TICK, hi.id(), new Targets(instances.stream().map(Instance::id).toList(), Set.of()),
        RepeatMode.Period, Optional.of(Frequency.parse("rate(1h)")), Map.of(), MisfirePolicy.RUN_ONCE,
        overlap);
    return rig.invoker(store, remote, new Fleet(instances, List.of(hi), List.of(tick)));
  }

  private void runOnAll() {
    invoker.runAdHoc(new ControlRequest.Run(new CommandId("hi"),
        INSTANCES.stream().map(InstanceId::new).toList(), Set.of(), Map.of()));
  }

  private String status() {
    return one("SELECT status FROM invocation");
  }

  private String one(String sql) {
    return String.valueOf(rig.db.dsl().fetchValue(sql));
  }

  private List<String> instances() {
    return rig.db.dsl().fetch("SELECT instance_id || ':' || status FROM invocation_instance ORDER BY instance_no")
        .getValues(0, String.class);
  }

  private List<String> records() {
    return rig.db.dsl().fetch("SELECT instance_id || ':' || repeat_no || ':' || status || ':' || detail_status || ':' "
            + "|| coalesce(error_code, '-') || ':' || rtrim(output, char(10)) FROM invocation_record "
            + "ORDER BY instance_id, repeat_no")
        .getValues(0, String.class);
  }

  /** {@code real}, except that calls {@code first} .. {@code first + times - 1} of {@code method} throw. */
  private static <T> T failing(Class<T> type, T real, String method, int first, int times) {
    AtomicInteger calls = new AtomicInteger();
    InvocationHandler handler = (proxy, m, args) -> {
      if (m.getName().equals(method)) {
        int n = calls.incrementAndGet();
        if (n >= first && n < first + times) {
          throw new IllegalStateException("injected fault: " + method + " call " + n);
        }
      }
      try {
        return m.invoke(real, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
