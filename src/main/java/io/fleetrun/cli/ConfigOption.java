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
    if (file != null) {
      return file.toAbsolutePath();
    }
    Optional<String> env = Optional.ofNullable(System.getenv("FLEETRUN_CONFIG")).filter(s -> !s.isBlank());
    if (env.isPresent()) {
      return Path.of(env.get()).toAbsolutePath();
    }
    return Path.of(System.getProperty("fleetrun.home", ".")).resolve("config/fleetrun.yaml").toAbsolutePath();
  }

  /**
   * Loads the config.
   *
   * @throws ConfigException with every problem found
   */
  public FleetConfig load() {
    return ConfigLoader.load(locate());
  }
}
