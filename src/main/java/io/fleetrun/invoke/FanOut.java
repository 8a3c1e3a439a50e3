package io.fleetrun.invoke;

import io.fleetrun.model.Command;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts one record per instance of a fire or a run, in order. When starting instance k fails
 * (the database busy past its timeout, the executor refusing), the instances from k on are not
 * tried, and what was not started is handed to {@link UnstartedRepair}, so nothing stays Running
 * until the next start.
 */
final class FanOut {
  private final RecordRunner runner;
  private final UnstartedRepair repair;

  FanOut(RecordRunner runner, UnstartedRepair repair) {
    this.runner = runner;
    this.repair = repair;
  }

  /** Starts a record of {@code invokeId} on each of {@code instances}; returns at once. */
  void start(InvokeId invokeId, String jobLabel, Command command, Map<String, String> parameters,
      List<Instance> instances) {
    for (int k = 0; k < instances.size(); k++) {
      try {
        runner.run(invokeId, jobLabel, command, parameters, instances.get(k));
      } catch (RecordRunner.NotDispatched e) {
        repair.endFailed(invokeId, Optional.of(e.record()), ids(instances.subList(k + 1, instances.size())),
            e.getCause());
        return;
      } catch (RuntimeException e) {
        repair.endFailed(invokeId, Optional.empty(), ids(instances.subList(k, instances.size())), e);
        return;
      }
    }
  }

  private static List<InstanceId> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).toList();
  }
}
