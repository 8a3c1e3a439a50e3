package io.fleetrun.exec;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A counting limit that never blocks: {@link #acquire} runs the given action at once when a permit
 * is free, or queues it (first come, first served) to run on the thread of the {@link #release}
 * that frees a permit. This bounds sessions and handshakes without a waiting thread per run.
 * Granted actions must be short and must not block.
 */
final class AsyncPermits {
  /** A queued request for a permit; {@link AsyncPermits#cancel} withdraws it. */
  static final class Ticket {
    private final Runnable onGranted;

    private Ticket(Runnable onGranted) {
      this.onGranted = onGranted;
    }
  }

  private final int max;
  private final Deque<Ticket> waiting = new ArrayDeque<>();
  private int inUse;

  AsyncPermits(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    this.max = max;
  }

  /** Runs {@code onGranted} when a permit is free (maybe now, on this thread); the run owns it. */
  Ticket acquire(Runnable onGranted) {
    Ticket ticket = new Ticket(onGranted);
    synchronized (this) {
      if (inUse >= max) {
        waiting.addLast(ticket);
        return ticket;
      }
      inUse++;
    }
    onGranted.run();
    return ticket;
  }

  /**
   * Withdraws a queued ticket. Returns false when it was already granted (or being granted): then
   * its action runs or ran, and the owner must release the permit.
   */
  synchronized boolean cancel(Ticket ticket) {
    return waiting.remove(ticket);
  }

  /** Gives a permit back, handing it straight to the oldest waiter if there is one. */
  void release() {
    Ticket next;
    synchronized (this) {
      next = waiting.pollFirst();
      if (next == null) {
        if (inUse == 0) {
          throw new IllegalStateException("release without acquire");
        }
        inUse--;
        return;
      }
    }
    next.onGranted.run();
  }

  synchronized int inUse() {
    return inUse;
  }

  synchronized int waiting() {
    return waiting.size();
  }
}
