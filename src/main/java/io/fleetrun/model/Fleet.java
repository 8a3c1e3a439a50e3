package io.fleetrun.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The validated instances, commands and jobs of one config, looked up by id. */
public record Fleet(List<Instance> instances, List<Command> commands, List<Job> jobs) {
  public Fleet {
    instances = List.copyOf(instances);
    commands = List.copyOf(commands);
    jobs = List.copyOf(jobs);
  }

  public Optional<Instance> findInstance(InstanceId id) {
    return instances.stream().filter(i -> i.id().equals(id)).findFirst();
  }

  public Optional<Command> findCommand(CommandId id) {
    return commands.stream().filter(c -> c.id().equals(id)).findFirst();
  }

  public Optional<Job> findJob(JobId id) {
    return jobs.stream().filter(j -> j.id().equals(id)).findFirst();
  }

  /**
   * The instances {@code targets} names, in config order, each once: the listed ids (unknown ids
   * are skipped; config validation refuses them) plus every instance with one of the tags.
   */
  public List<Instance> resolve(Targets targets) {
    Map<InstanceId, Instance> byId =
        instances.stream()
            .collect(Collectors.toMap(Instance::id, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    return byId.values().stream()
        .filter(
            i ->
                targets.instances().contains(i.id())
                    || i.tags().stream().anyMatch(targets.tags()::contains))
        .toList();
  }
}
