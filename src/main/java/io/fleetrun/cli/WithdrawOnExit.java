package io.fleetrun.cli;

import io.fleetrun.store.ControlChannel;
import java.time.Duration;

/**
 * Withdraws a request when the JVM ends while the CLI waits for its answer (Ctrl-C, SIGTERM): a
 * shutdown hook, bounded in time so a busy database never keeps the CLI from exiting.
 */
final class WithdrawOnExit {
  /** How long the hook may take; the database's own busy wait is longer, so it is cut here. */
  static final Duration BOUND = Duration.ofSeconds(3);

  private final Thread hook;

  private WithdrawOnExit(Thread hook) {
    this.hook = hook;
  }

  /** Withdraws request {@code id} if the JVM ends before {@link #remove()}. */
  static WithdrawOnExit install(ControlChannel control, long id) {
    Thread hook = new Thread(() -> withdraw(control, id), "fleetrun-withdraw-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    return new WithdrawOnExit(hook);
  }

  private static void withdraw(ControlChannel control, long id) {
    Thread worker = new Thread(() -> DaemonClient.giveUpQuietly(control, id, System.err), "fleetrun-withdraw");
    worker.setDaemon(true);
    worker.start();
    try {
      worker.join(BOUND.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      System.err.println("interrupted: could not withdraw request " + id + " within " + BOUND.toSeconds()
          + "s; the daemon may still carry it out; see bin/fleetrun invocations");
    }
  }

  /** The wait ended normally: nothing to withdraw at exit. */
  void remove() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already ending: the hook runs (or ran) and withdraws.
    }
  }
}
