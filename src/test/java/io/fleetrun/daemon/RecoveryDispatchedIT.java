package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.exec.Execution;
import io.fleetrun.exec.ExecutionRequest;
import io.fleetrun.exec.ExecutorTuning;
import io.fleetrun.exec.MinaSshExecutor;
import io.fleetrun.exec.ProcessMarker;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Limits;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.SshSettings;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.store.RecordJournal;
import io.fleetrun.testing.OpenSshTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window between the dispatch mark and the start time: a daemon killed after it committed
 * dispatched_at and sent the exec request, but before start_time was written, left a script
 * running. Recovery, on a real OpenSSH target, kills it by the record's marker.
 */
class RecoveryDispatchedIT {
  private static final String SCRIPT_SLEEP = "sleep 30.41";

  @TempDir Path dir;

  @Test
  void aRecordDispatchedButWithoutStartTimeHasItsScriptKilledByRecovery() throws Exception {
    try (OpenSshTargets targets = OpenSshTargets.start(Files.createDirectories(dir.resolve("farm")), 1);
        Database db = Database.open("jdbc:sqlite:" + dir.resolve("fleetrun.db"))) {
      JooqInvocationStore store = new JooqInvocationStore(db, new StatusCalculator());
      InvokeId invokeId = new InvokeId("t-window");
      InstanceId h0 = new InstanceId("h0");
      RecordId record = store.createWithRecords(new NewInvocation(invokeId, Optional.empty(), new CommandId("c"),
          SCRIPT_SLEEP, Map.of(), RepeatMode.Once, Optional.empty(), List.of(h0), Instant.now()), Instant.now())
          .get(0).id();
      try (RecordJournal journal = store.openJournal()) {
        assertThat(journal.dispatched(record, Instant.now()).get(10, TimeUnit.SECONDS)).isTrue();
      }
      Instance instance = new Instance(h0, targets.host(), targets.ports().get(0), targets.user(),
          Optional.of(targets.clientKey()), Optional.empty(), Set.of());
      SshSettings ssh = new SshSettings(targets.user(), Optional.of(targets.clientKey()), targets.knownHosts(),
          HostKeyPolicy.STRICT, Duration.ofSeconds(5), SshSettings.DEFAULT_KEY_EXCHANGES);

      // The dead daemon's run: the exec request went out with the record's marker; its start
      // time never reached the database (the database was busy, then the daemon was killed).
      try (MinaSshExecutor dead = executor(ssh); MinaSshExecutor next = executor(ssh)) {
        Execution left = dead.start(new ExecutionRequest("t-window/h0", instance, SCRIPT_SLEEP + "; echo crash",
            Optional.empty(), Duration.ofSeconds(60), ProcessMarker.of(invokeId, record)));
        left.started().get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !targets.processesMatching(SCRIPT_SLEEP).isEmpty());
        assertThat(db.dsl().fetchValue("SELECT start_time IS NULL AND dispatched_at IS NOT NULL"
            + " FROM invocation_record").toString()).isIn("1", "true");

        new Recovery(store, next, Duration.ofSeconds(10), Clock.systemUTC())
            .repair(new Fleet(List.of(instance), List.of(), List.of()));

        targets.awaitNoProcessMatching(SCRIPT_SLEEP, Duration.ofSeconds(15));
        assertThat(left.outcome().get(20, TimeUnit.SECONDS)).as("the run ended on the target").isNotNull();
      }
      assertThat(db.dsl().fetchValue("SELECT status || ':' || error_code FROM invocation_record"))
          .isEqualTo("Failed:ExecutionInterrupted");
    }
  }

  private static MinaSshExecutor executor(SshSettings ssh) {
    return new MinaSshExecutor(ssh, Limits.defaults(), Clock.systemUTC(), new ExecutorTuning(Duration.ofMillis(500), 50));
  }
}
