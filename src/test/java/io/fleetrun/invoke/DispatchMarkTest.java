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
import io.fleetrun.model.RepeatMode;
import io.fleetrun.store.InvocationStore;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.testing.LogLines;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The dispatch mark: a record reaches SSH only once its dispatched_at has committed, so a daemon
 * killed at any moment leaves every record that may run marked for Recovery. And every record
 * end, also one written by a stop, is logged once.
 */
class DispatchMarkTest extends WithInvokeRig {
  private static final List<String> INSTANCES = List.of("a", "b");
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Longer than a start on the in-process server takes even on a loaded 2-core machine. */
  private static final Duration LOCKED_FOR = Duration.ofSeconds(3);

  private Invoker invoker;

  @Test
  void aRecordDoesNotReachSshWhileItsDispatchMarkCannotBeCommitted() throws Exception {
    rig.reopenDatabase(Duration.ofMillis(200));
    Path ran = Files.createDirectories(dir.resolve("ran"));
    try (Connection other = DriverManager.getConnection(InvokeRig.url(dir))) {
      // As another process would, right after the fire's rows committed: it takes the write lock.
      InvocationStore store = lockingAfterFire(rig.store(), other);
      invoker = invoker(store, "touch " + ran + "/{{fleetrun.instanceId}}");

      Instant t0 = Instant.now();
      invoker.runAdHoc(new ControlRequest.Run(new CommandId("mark"),
          INSTANCES.stream().map(InstanceId::new).toList(), Set.of(), Map.of()));
      while (Duration.between(t0, Instant.now()).compareTo(LOCKED_FOR) < 0) {
        try (var files = Files.list(ran)) {
          assertThat(files.toList()).as("scripts run while their dispatch mark is not committed").isEmpty();
        }
        Thread.sleep(100);
      }
      assertThat(one("SELECT count(*) FROM invocation_record WHERE dispatched_at IS NULL AND start_time IS NULL"))
          .isEqualTo("2");
      try (Statement sql = other.createStatement()) {
        sql.execute("ROLLBACK");
      }
    }

    await().atMost(WAIT).until(() -> one("SELECT status FROM invocation").equals("Finished"));
    try (var files = Files.list(ran)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList()).containsExactly("a", "b");
    }
    assertThat(one("SELECT count(*) FROM invocation_record WHERE dispatched_at <= start_time")).isEqualTo("2");
  }

  @Test
  void aRecordNotLiveInThisDaemonThatAStopEndsIsLoggedOnceLikeAnyOther() throws Exception {
    JooqInvocationStore store = rig.store();
    invoker = invoker(store, "echo hi");
    InvokeId left = new InvokeId("t-left");
    // Written by another daemon's fire, never handed to this one.
    store.createWithRecords(new NewInvocation(left, Optional.empty(), new CommandId("mark"), "echo hi", Map.of(),
        RepeatMode.Once, Optional.empty(), List.of(new InstanceId("a")), Instant.now()), Instant.now());

    try (LogLines log = LogLines.of("io.fleetrun")) {
      invoker.stop(left, Set.of());

      await().atMost(WAIT).until(() -> one("SELECT status FROM invocation_record").equals("Stopped"));
      await().atMost(WAIT).until(() -> !log.containing("record end t-left/a").isEmpty());
      Thread.sleep(200); // a second line would follow at once
      assertThat(log.containing("record end ")).singleElement().asString()
          .startsWith("INFO record end t-left/a status=Stopped detail=Cancelled");
    }
  }

  private Invoker invoker(InvocationStore store, String script) {
    Command command = new Command(new CommandId("mark"), script, Optional.empty(), Duration.ofSeconds(20), Map.of());
    List<Instance> instances = INSTANCES.stream().map(rig::instance).toList();
    return rig.invoker(store, rig.executor, new Fleet(instances, List.of(command), List.of()));
  }

  /** {@code real}, except that each fire's commit is followed by BEGIN IMMEDIATE on {@code other}. */
  private static InvocationStore lockingAfterFire(InvocationStore real, Connection other) {
    return (InvocationStore) Proxy.newProxyInstance(InvocationStore.class.getClassLoader(),
        new Class<?>[] {InvocationStore.class}, (proxy, m, args) -> {
          Object result;
          try {
            result = m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (m.getName().equals("createWithRecords")) {
            try (Statement sql = other.createStatement()) {
              sql.execute("BEGIN IMMEDIATE");
            }
          }
          return result;
        });
  }

  private String one(String sql) {
    return String.valueOf(rig.db.dsl().fetchValue(sql));
  }
}
