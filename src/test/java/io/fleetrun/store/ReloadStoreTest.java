package io.fleetrun.store;

import static io.fleetrun.store.Invocations.T0;
import static io.fleetrun.store.Invocations.instanceIds;
import static io.fleetrun.store.Invocations.periodic;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a config reload writes: instances joining a periodic invocation, forgotten stops, reload results. */
class ReloadStoreTest extends StoreOnBothBackends {
  private static final InvokeId ID = new InvokeId("t-periodic");

  private JooqControlChannel control;

  @BeforeEach
  void open() {
    control = new JooqControlChannel(db);
  }

  @Test
  void includedInstancesJoinAfterTheOthersAndAStoppedOneRunsAgain() {
    store.createInvocation(periodic(ID.value(), "tick", T0, "a", "b"));
    store.stopInstances(ID, Set.of(new InstanceId("b")), T0.plusSeconds(1));

    store.includeInstances(ID, instanceIds("c", "b"), T0.plusSeconds(2));

    assertThat(store.instances(ID)).isEqualTo(instanceIds("a", "b", "c"));
    assertThat(store.activeInstances(ID)).isEqualTo(instanceIds("a", "b", "c"));
    assertThat(queries.findInvocation(ID)).map(Invocation::status).contains(InvocationStatus.Running);
  }

  @Test
  void includingAnInstanceInAStoppedInvocationMakesItRunAgain() {
    store.createInvocation(periodic(ID.value(), "tick", T0, "a"));
    store.stopInstances(ID, Set.of(), T0.plusSeconds(1));
    assertThat(queries.findInvocation(ID)).map(Invocation::status).contains(InvocationStatus.Stopped);

    store.includeInstances(ID, instanceIds("a"), T0.plusSeconds(2));

    Invocation again = queries.findInvocation(ID).orElseThrow();
    assertThat(again.status()).isEqualTo(InvocationStatus.Running);
    assertThat(again.stoppedAt()).isEmpty();
    assertThat(store.activeInstances(ID)).isEqualTo(instanceIds("a"));
  }

  @Test
  void stopsOfJobsNoLongerInConfigAreForgotten() {
    store.createInvocation(periodic(ID.value(), "kept", T0, "a"));
    store.rememberStoppedJob(new JobId("kept"), "spec-1", ID, T0);
    store.rememberStoppedJob(new JobId("removed"), "spec-2", ID, T0);

    assertThat(store.forgetStoppedJobsExcept(Set.of(new JobId("kept")))).containsExactly(new JobId("removed"));

    assertThat(store.isStoppedJob(new JobId("kept"), "spec-1")).isTrue();
    assertThat(store.isStoppedJob(new JobId("removed"), "spec-2")).isFalse();
    assertThat(store.forgetStoppedJobsExcept(Set.of())).containsExactly(new JobId("kept"));
  }

  @Test
  void reloadResultsAreKeptOnTheHeartbeatRowAcrossBeats() {
    DaemonInfo daemon = new DaemonInfo("node-1", 42, "host", "dev", "/etc/fleetrun.yaml", T0);
    control.heartbeat(daemon, T0);
    control.recordConfigLoaded("node-1", T0);
    assertThat(control.lastReload("node-1")).isEmpty();
    assertThat(control.configLoadedAt("node-1")).contains(T0);

    ReloadResult refused = new ReloadResult(T0.plusSeconds(5), false,
        "/etc/fleetrun.yaml:7:30: jobs[0].frequency: not a rate");
    control.recordReload("node-1", refused);
    control.heartbeat(daemon, T0.plusSeconds(6));
    assertThat(control.lastReload("node-1")).contains(refused);
    assertThat(control.configLoadedAt("node-1")).as("a refused reload loads nothing").contains(T0);

    ReloadResult ok = new ReloadResult(T0.plusSeconds(9), true, "jobs added [x]");
    control.recordReload("node-1", ok);
    assertThat(control.lastReload("node-1")).contains(ok);
    assertThat(control.configLoadedAt("node-1")).contains(T0.plusSeconds(9));
    assertThat(control.lastReload("node-2")).isEmpty();
  }
}
