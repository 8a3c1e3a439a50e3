package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.MisfirePolicy;
import io.fleetrun.model.OverlapPolicy;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.Targets;
import io.fleetrun.store.InvocationStore;
import io.fleetrun.store.JooqInvocationStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A fan-out racing a stop or a reload. A stop that comes while a fire of the same invocation is between its commit (records Pending)
 * and handing them to the dispatcher. Before {@link InvocationLocks}, the stop read the Pending
 * record, the dispatcher did not know it yet, so the stop wrote it Stopped itself; then the fire
 * handed it over and its script ran to the end, untouched, under a record saying Stopped.
 */
class StopDuringFireTest extends WithInvokeRig {
  private Invoker invoker;

  @Test
  void aStopDuringAFireStopsItsRecordsScripts() throws Exception {
    Path marker = dir.resolve("ran");
    // The sleep gives the stop time to end the script before it touches the marker.
    Command touch = new Command(new CommandId("touch"), "sleep 3; touch " + marker, Optional.empty(),
        Duration.ofSeconds(20), Map.of());
    Job job = new Job(new JobId("tick"), touch.id(), new Targets(List.of(new InstanceId("web-1")), Set.of()),
        RepeatMode.Period, Optional.of(Frequency.parse("rate(1h)")), Map.of(), MisfirePolicy.RUN_ONCE,
        OverlapPolicy.ALLOW);
    Instance web1 = rig.instance("web-1");

    JooqInvocationStore real = rig.store();
    AtomicReference<Invoker> self = new AtomicReference<>();
    AtomicBoolean once = new AtomicBoolean();
    AtomicReference<Thread> stopper = new AtomicReference<>();
    InvocationStore racing = (InvocationStore) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {InvocationStore.class}, (p, m, args) -> {
          Object result;
          try {
            result = m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (m.getName().equals("firePeriodic") && once.compareAndSet(false, true)) {
            // The fire's rows are committed; a person's stop of the invocation comes now, from
            // another thread (the control poll), and the fire goes on a moment later.
            InvokeId id = (InvokeId) args[1];
            stopper.set(new Thread(() -> self.get().stop(id, Set.of())));
            stopper.get().start();
            stopper.get().join(500); // returns at once without the lock: the old interleaving
          }
          return result;
        });
    invoker = rig.invoker(racing, rig.executor, new Fleet(List.of(web1), List.of(touch), List.of(job)));
    self.set(invoker);

    invoker.fireJob(job.id(), Instant.now());
    stopper.get().join(10_000);

    await().atMost(Duration.ofSeconds(10)).until(() -> invoker.runningRecords() == 0);
    String status = String.valueOf(rig.db.dsl().fetchValue("SELECT status FROM invocation_record WHERE instance_id = 'web-1'"));
    assertThat(status).isEqualTo("Stopped");
    // The run has ended: had the stop not reached its script, it would have touched the marker.
    assertThat(Files.exists(marker)).as("the script of a record the database says Stopped ran on").isFalse();
  }


  /**
   * A record waiting under maxConcurrency starts with the config in force when it starts: a
   * reload that moves its instance (here: to a port where nothing listens) is seen by it. It used
   * to keep the instance of its fire and went to the old address with the old login.
   */
  @Test
  void aRecordWaitingUnderMaxConcurrencyStartsWithTheConfigInForce() throws Exception {
    Path gate = dir.resolve("gate");
    Command wait = new Command(new CommandId("wait"),
        "i=0; while [ ! -e " + gate + " ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done", Optional.empty(),
        Duration.ofSeconds(30), Map.of());
    List<InstanceId> ids = List.of(new InstanceId("web-1"), new InstanceId("web-2"));
    Job job = new Job(new JobId("tick"), wait.id(), new Targets(ids, Set.of()), RepeatMode.Once, Optional.empty(),
        Map.of(), MisfirePolicy.RUN_ONCE, OverlapPolicy.ALLOW,
        new io.fleetrun.model.ConcurrencyControls(Optional.of(io.fleetrun.model.Threshold.count(1)), Optional.empty()));
    List<Instance> before = ids.stream().map(i -> rig.instance(i.value())).toList();
    invoker = rig.invoker(new Fleet(before, List.of(wait), List.of(job)));
    invoker.fireJob(job.id(), Instant.now());
    // web-1 runs, web-2 waits for its turn; now the config moves both to a closed port.
    List<Instance> after = ids.stream().map(i -> new Instance(i, "127.0.0.1", 1, "fleet",
        Optional.of(rig.server.clientKey()), Optional.empty(), Set.of())).toList();
    invoker.updateFleet(new Fleet(after, List.of(wait), List.of(job)));
    Files.createFile(gate);
    await().atMost(Duration.ofSeconds(20)).until(() -> invoker.runningRecords() == 0);
    String web2 = String.valueOf(rig.db.dsl().fetchValue(
        "SELECT status || '/' || detail_status FROM invocation_record WHERE instance_id = 'web-2'"));
    assertThat(web2).as("web-2 started after the reload, so at its new (closed) address").startsWith("Failed");
  }
}
