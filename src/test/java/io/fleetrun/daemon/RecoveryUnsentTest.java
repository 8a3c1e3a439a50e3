package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.exec.ExecutorTuning;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.exec.OrphanKill;
import io.fleetrun.exec.RemoteExecutor;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.SshSettings;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.store.PendingRecord;
import io.fleetrun.store.RecordJournal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery after a daemon died with records written but not yet sent: they end like the others,
 * and only the sent one's target is contacted.
 */
class RecoveryUnsentTest {
  @TempDir Path dir;

  @Test
  void recordsNeverSentEndInterruptedWithoutAnyConnection() throws Exception {
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      List<InstanceId> ids = List.of(new InstanceId("a"), new InstanceId("b"), new InstanceId("c"));
      List<PendingRecord> records = store.createWithRecords(new NewInvocation(new InvokeId("t-died"), Optional.empty(),
          new CommandId("c"), "sleep 60", Map.of(), RepeatMode.Once, Optional.empty(), ids, Instant.now()), Instant.now());
      try (RecordJournal journal = store.openJournal()) {
        assertThat(journal.sent(records.get(0).id(), Instant.now()).get(10, TimeUnit.SECONDS)).isTrue();
      }
      AtomicInteger kills = new AtomicInteger();
      SshSettings ssh = new SshSettings("fleet", Optional.empty(), dir.resolve("known_hosts"), HostKeyPolicy.STRICT,
          Duration.ofSeconds(2), SshSettings.DEFAULT_KEY_EXCHANGES);
      try (MinaSshExecutor real = new MinaSshExecutor(ssh, Limits.defaults(), Clock.systemUTC(),
          new ExecutorTuning(Duration.ofMillis(500), 50))) {
        // The real executor, counting the kills asked for (the targets do not exist: a kill is
        // answered at once instead of trying to connect).
        RemoteExecutor counting = (RemoteExecutor) Proxy.newProxyInstance(RemoteExecutor.class.getClassLoader(),
            new Class<?>[] {RemoteExecutor.class}, (proxy, m, args) -> {
              if (m.getName().equals("killOrphan")) {
                kills.incrementAndGet();
                return CompletableFuture.completedFuture(new OrphanKill.NotRunning("not looked for in this test"));
              }
              try {
                return m.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
        List<Instance> instances = ids.stream().map(i -> new Instance(i, "127.0.0.1", 1, "fleet", Optional.empty(),
            Optional.empty(), Set.of())).toList();
        new Recovery(store, counting, Duration.ofSeconds(1), Clock.systemUTC())
            .repair(new Fleet(instances, List.of(), List.of()));
      }

      assertThat(kills.get()).as("only the record that was sent is looked for on its target").isEqualTo(1);
      assertThat(db.dsl().fetch("SELECT status || ':' || detail_status || ':' || error_code FROM invocation_record")
          .getValues(0, String.class)).containsOnly("Failed:Terminated:ExecutionInterrupted").hasSize(3);
      assertThat(db.dsl().fetchValue("SELECT status FROM invocation")).isEqualTo("Failed");
    }
  }
}
