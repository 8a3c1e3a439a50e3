package io.fleetrun.invoke;

import io.fleetrun.model.Command;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts one record per instance of a fire or a run, in order. When starting instance k fails
 * (the database busy past its timeout, the executor refusing), the instances from k on are not
 * tried, and what was not started is handed to {@link UnstartedRepair}, so nothing stays Running
 * until the next start. Each instance goes with the repeat count the fire saw, so a repair that
 * is late (it retries for seconds) adds no record after one a later fire started.
 */
final class FanOut {
  private final RecordRunner runner;
  private final UnstartedRepair repair;

  FanOut(RecordRunner runner, UnstartedRepair repair) {
    this.runner = runner;
    this.repair = repair;
  }

  /**
   * Starts a record of {@code invokeId} on each of {@code instances}; returns at once. {@code
   * repeatsSeen} holds each instance's repeat count before this fire (0 in a new invocation).
   */
  void start(InvokeId invokeId, String jobLabel, Command command, Map<String, String> parameters,
      List<Instance> instances, Map<InstanceId, Integer> repeatsSeen) {
    for (int k = 0; k < instances.size(); k++) {
      try {
        runner.run(invokeId, jobLabel, command, parameters, instances.get(k));
      } catch (RecordRunner.NotDispatched e) {
        repair.endFailed(invokeId, Optional.of(e.record()),
            seen(instances.subList(k + 1, instances.size()), repeatsSeen), e.getCause());
        return;
      } catch (RuntimeException e) {
        repair.endFailed(invokeId, Optional.empty(), seen(instances.subList(k, instances.size()), repeatsSeen), e);
        return;
      }
    }
  }

  /** The repeat count of each instance in a new invocation: none has a record yet. */
  static Map<InstanceId, Integer> none(List<Instance> instances) {
    Map<InstanceId, Integer> zero = new LinkedHashMap<>();
    instances.forEach(i -> zero.put(i.id(), 0));
    return zero;
  }

  private static Map<InstanceId, Integer> seen(List<Instance> instances, Map<InstanceId, Integer> repeatsSeen) {
    Map<InstanceId, Integer> seen = new LinkedHashMap<>();
    for (Instance instance : instances) {
      seen.put(instance.id(), Objects.requireNonNull(repeatsSeen.get(instance.id()),
          () -> "no repeat count for instance " + instance.id()));
    }
    return seen;
  }
}
