package io.fleetrun.model;

import java.util.List;
import java.util.Set;

/** Which instances a job runs on: the named ones plus every instance carrying one of the tags. */
public record Targets(List<InstanceId> instances, Set<String> tags) {
  public Targets {
    instances = List.copyOf(instances);
    tags = Set.copyOf(tags);
  }
}
