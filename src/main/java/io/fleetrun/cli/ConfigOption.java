package io.fleetrun.cli;

import io.fleetrun.config.ConfigException;
import io.fleetrun.config.ConfigLoader;
import io.fleetrun.config.FleetConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command that reads the config. */
public final class ConfigOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Config file (default: $FLEETRUN_CONFIG, else config/fleetrun.yaml of the install).")
  Path file;

  /** {@code --config} wins, then {@code FLEETRUN_CONFIG}, then config/fleetrun.yaml under fleetrun.home. */
  public Path locate() {
    return ConfigLoader.locate(
        Optional.ofNullable(file), System.getenv(), Path.of(System.getProperty("fleetrun.home", ".")));
  }

  /**
   * Loads the config.
   *
   * @throws ConfigException with every problem found
   */
  public FleetConfig load() {
    return ConfigLoader.load(locate());
  }

  /**
   * Loads the config and the digest of the bytes it was read from.
   *
   * @throws ConfigException with every problem found
   */
  public ConfigLoader.Loaded loadWithDigest() {
    return ConfigLoader.loadWithDigest(locate());
  }
}
