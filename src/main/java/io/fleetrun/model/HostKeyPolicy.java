package io.fleetrun.model;

import java.util.Arrays;
import java.util.Optional;

/** What to do with a target's host key, checked against an OpenSSH known_hosts file. */
public enum HostKeyPolicy {
  /** Refuse unknown and changed keys (the default). */
  STRICT("strict"),
  /** Record unknown keys in known_hosts; refuse changed ones. */
  ACCEPT_NEW("accept-new"),
  /** Accept every key, with a warning on every connect. For throw-away test hosts only. */
  INSECURE("insecure");

  private final String configName;

  HostKeyPolicy(String configName) {
    this.configName = configName;
  }

  /** The word used in config: {@code strict}, {@code accept-new} or {@code insecure}. */
  public String configName() {
    return configName;
  }

  public static Optional<HostKeyPolicy> fromConfigName(String name) {
    return Arrays.stream(values()).filter(p -> p.configName.equals(name)).findFirst();
  }
}
