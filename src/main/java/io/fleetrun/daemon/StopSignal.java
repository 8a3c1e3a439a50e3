package io.fleetrun.daemon;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT. Handling them (instead of letting the JVM run its shutdown hooks
 * and exit with 143) lets the daemon stop in order and exit 0, which is what systemd and
 * operators expect of a clean stop.
 */
public final class StopSignal {
  private final CountDownLatch received = new CountDownLatch(1);

  private StopSignal() {}

  /** Takes over SIGTERM and SIGINT from now on. */
  public static StopSignal install() {
    StopSignal stop = new StopSignal();
    Signal.handle(new Signal("TERM"), s -> stop.received.countDown());
    Signal.handle(new Signal("INT"), s -> stop.received.countDown());
    return stop;
  }

  /** Stops as a signal would: the daemon itself found it must stop (declared dead by its cluster). */
  void stopNow() {
    received.countDown();
  }

  /** Blocks until a stop signal arrives. */
  public void await() throws InterruptedException {
    received.await();
  }

  /** Blocks until a stop signal arrives or {@code max} has passed; true if a signal arrived. */
  public boolean await(Duration max) throws InterruptedException {
    return received.await(max.toMillis(), TimeUnit.MILLISECONDS);
  }
}
