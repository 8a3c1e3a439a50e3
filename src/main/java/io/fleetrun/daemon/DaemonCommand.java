package io.fleetrun.daemon;

import io.fleetrun.cli.ConfigOption;
import io.fleetrun.cli.ExitCodes;
import io.fleetrun.config.ConfigException;
import io.fleetrun.config.FleetConfig;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code fleetrun daemon}: runs in the foreground until SIGTERM or SIGINT (for systemd). */
@Command(name = "daemon", description = "Run the daemon in the foreground; stop it with SIGTERM or Ctrl-C.")
public final class DaemonCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    FleetConfig loaded;
    try {
      loaded = config.load();
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return ExitCodes.CONFIG;
    }
    runUntilSignalled(Daemon.start(loaded, Clock.systemUTC(), Daemon.Settings.defaults()), () -> {});
    return ExitCodes.OK;
  }

  /**
   * Blocks until the JVM is asked to stop (SIGTERM, SIGINT), then closes {@code daemon} and runs
   * {@code afterStop} inside the shutdown hook, so the process exits only when both are done.
   */
  public static void runUntilSignalled(Daemon daemon, Runnable afterStop) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        daemon.close();
        afterStop.run();
      } catch (RuntimeException e) {
        log.error("error while stopping", e);
      } finally {
        stopped.countDown();
      }
    }, "fleetrun-shutdown"));
    stopped.await();
  }
}
