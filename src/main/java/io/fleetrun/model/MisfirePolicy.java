package io.fleetrun.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a job does with fire times that passed while the daemon was down (or too busy to fire
 * them): it never runs once per missed fire.
 */
public enum MisfirePolicy {
  /** Run once as soon as the daemon can, then keep the regular schedule (the default). */
  RUN_ONCE("run-once"),
  /** Do not run for the missed fires; wait for the next regular fire time. */
  SKIP("skip");

  private final String configName;

  MisfirePolicy(String configName) {
    this.configName = configName;
  }

  /** The word used in config: {@code run-once} or {@code skip}. */
  public String configName() {
    return configName;
  }

  public static Optional<MisfirePolicy> fromConfigName(String name) {
    return Arrays.stream(values()).filter(p -> p.configName.equals(name)).findFirst();
  }

  /** Every config name, in declaration order. */
  public static List<String> configNames() {
    return Arrays.stream(values()).map(MisfirePolicy::configName).toList();
  }
}
