package io.fleetrun.observe;

/** Where webhook deliveries are counted ({@link Metrics} in the daemon). Labels: the hook's id. */
public interface WebhookCounters {
  /** How a delivery ended. */
  enum Outcome {
    /** A 2xx answer. */
    delivered,
    /** Not delivered within the give-up time: logged at WARN. */
    given_up,
    /** Left in the queue or cut short when the daemon stopped or the hook was removed or changed. */
    abandoned
  }

  void ended(String hook, Outcome outcome);

  /** One attempt failed (not 2xx, timeout, refused); it is retried unless given up. */
  void attemptFailed(String hook);

  /** A delivery did not fit in the hook's queue. */
  void dropped(String hook);

  /** Counts nothing. */
  WebhookCounters NONE = new WebhookCounters() {
    @Override
    public void ended(String hook, Outcome outcome) {}

    @Override
    public void attemptFailed(String hook) {}

    @Override
    public void dropped(String hook) {}
  };
}
