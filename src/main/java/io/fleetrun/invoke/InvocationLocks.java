package io.fleetrun.invoke;

import io.fleetrun.model.InvokeId;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Keeps a fire's "write the records, hand them to the dispatcher" and a stop's "read the running
 * records, stop each" of one invocation from interleaving. Without it a stop landing between the
 * commit and the hand-over found Pending records the dispatcher did not know yet, wrote them
 * Stopped itself, and the fire then ran their scripts anyway. Striped by invoke id: two
 * invocations rarely share a lock, and a holder waits for one short transaction at most, never
 * for SSH. There is no global lock.
 */
final class InvocationLocks {
  private static final int STRIPES = 64;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  InvocationLocks() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** Runs {@code work} holding {@code id}'s lock. */
  <T> T with(InvokeId id, Supplier<T> work) {
    ReentrantLock lock = stripes[Math.floorMod(id.hashCode(), STRIPES)];
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code work} holding {@code id}'s lock. */
  void with(InvokeId id, Runnable work) {
    with(id, () -> {
      work.run();
      return null;
    });
  }
}
