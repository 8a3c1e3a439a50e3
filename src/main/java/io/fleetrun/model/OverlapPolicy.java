package io.fleetrun.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a fire of a periodic job does on an instance whose record from an earlier fire is still
 * running.
 */
public enum OverlapPolicy {
  /** Leave that instance out of this fire and count it as skipped (the default). */
  SKIP("skip"),
  /** Start a new record anyway, beside the one still running. */
  ALLOW("allow");

  private final String configName;

  OverlapPolicy(String configName) {
    this.configName = configName;
  }

  /** The word used in config: {@code skip} or {@code allow}. */
  public String configName() {
    return configName;
  }

  public static Optional<OverlapPolicy> fromConfigName(String name) {
    return Arrays.stream(values()).filter(p -> p.configName.equals(name)).findFirst();
  }

  /** Every config name, in declaration order. */
  public static List<String> configNames() {
    return Arrays.stream(values()).map(OverlapPolicy::configName).toList();
  }
}
