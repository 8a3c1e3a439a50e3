package io.fleetrun.daemon;

import io.fleetrun.cli.ConfigOption;
import io.fleetrun.cli.ExitCodes;
import io.fleetrun.config.ConfigLoader;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code fleetrun daemon}: runs in the foreground until SIGTERM or SIGINT (for systemd), then
 * stops in order and exits 0. SIGHUP reloads the config file (so does saving it). Refuses to
 * start (exit 6) while another daemon runs on the same database. A node of a PostgreSQL cluster
 * that the other nodes declared dead (it was silent past the failover window) stops in order and
 * exits 1.
 */
@Command(name = "daemon", description = "Run the daemon in the foreground; stop it with SIGTERM or Ctrl-C.")
public final class DaemonCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    ConfigLoader.Loaded loaded = config.loadWithDigest();
    StopSignal stop = StopSignal.install();
    // Handled from the start: a SIGHUP while the daemon starts (lease wait, repair) must not
    // end the JVM; it reloads once the daemon runs (it reads the file then anyway).
    AtomicReference<Daemon> running = new AtomicReference<>();
    ReloadSignal.install(() -> Optional.ofNullable(running.get()).ifPresent(Daemon::reload));
    Daemon daemon;
    try {
      daemon = Daemon.start(loaded, Clock.systemUTC(), Daemon.Settings.defaults());
    } catch (AnotherDaemonException e) {
      System.err.println(e.getMessage());
      return ExitCodes.DAEMON_RUNNING;
    }
    try (daemon) {
      running.set(daemon);
      daemon.declaredDead().thenRun(stop::stopNow);
      stop.await();
    }
    // Declared dead by a surviving node (PostgreSQL cluster): stopped as on SIGTERM, but not a
    // clean stop, so systemd and operators see it.
    return daemon.declaredDead().isDone() ? ExitCodes.NOT_SUCCESSFUL : ExitCodes.OK;
  }
}
