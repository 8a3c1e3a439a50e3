package io.fleetrun.invoke;

/**
 * A subscriber to what the engine commits about records and invocations ({@link RunEvent}),
 * given to {@link EventFeed#subscribe}. Called on the feed's own thread for this subscriber, one
 * event at a time, in the order the engine published them; never on a run's or the record
 * writer's thread. A subscriber may be slow or throw: that costs it events (counted as dropped),
 * never a run or a write.
 */
@FunctionalInterface
public interface RunEvents {
  void on(RunEvent event);

  /**
   * Called on the same thread when no event came for a moment (about 100 ms), and once more
   * before the feed stops delivering: a subscriber that batches flushes here.
   */
  default void idle() {}
}
