package io.fleetrun.cli;

import io.fleetrun.config.FleetConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code fleetrun validate}: checks a config file without starting anything. */
@Command(name = "validate", description = "Check a config file; print every problem with file:line:column (exit 2).")
public final class ValidateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    FleetConfig c = config.load();
    System.out.printf("%s: OK (%d instances, %d commands, %d jobs)%n", c.source(),
        c.fleet().instances().size(), c.fleet().commands().size(), c.fleet().jobs().size());
    return ExitCodes.OK;
  }
}
