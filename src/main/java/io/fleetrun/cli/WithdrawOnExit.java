package io.fleetrun.cli;

import io.fleetrun.store.RequestChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Withdraws a request when the JVM ends while the CLI waits for its answer (Ctrl-C, SIGTERM): a
 * shutdown hook, bounded in time so a busy database never keeps the CLI from exiting.
 */
final class WithdrawOnExit {
  /** How long the hook may take; the database's own busy wait is longer, so it is cut here. */
  static final Duration BOUND = Duration.ofSeconds(3);

  private static final long NONE = -1;

  private final Thread hook;
  private final AtomicLong request;
  /** Open while the request is being sent: its id is not known yet. */
  private final CountDownLatch sending;

  private WithdrawOnExit(Thread hook, AtomicLong request, CountDownLatch sending) {
    this.hook = hook;
    this.request = request;
    this.sending = sending;
  }

  /**
   * Installs the hook before the request is sent, so a signal that comes as soon as it is in the
   * database still finds the hook; {@link #arm} tells it the request's id.
   */
  static WithdrawOnExit install(RequestChannel control) {
    AtomicLong request = new AtomicLong(NONE);
    CountDownLatch sending = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      // The insert may be committed while its id is still on its way back: the main thread
      // goes on while hooks run, so wait for it (bounded).
      try {
        sending.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      long id = request.get();
      if (id != NONE) {
        withdraw(control, id);
      }
    }, "fleetrun-withdraw-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    return new WithdrawOnExit(hook, request, sending);
  }

  /** Withdraws request {@code id} if the JVM ends before {@link #remove()}. */
  void arm(long id) {
    request.set(id);
    sending.countDown();
  }

  private static void withdraw(RequestChannel control, long id) {
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
    sending.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already ending: the hook runs (or ran) and withdraws.
    }
  }
}
