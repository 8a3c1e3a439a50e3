package io.fleetrun.store;

/**
 * What {@link ControlChannel#submitOnce} made of a request with a clientToken: the token is new
 * (its request was queued now), the token's request was already there (a retry, or a race lost
 * to the first), or the token was used for another request.
 */
public sealed interface SubmitOnce {
  /** The request's row: the one queued now or the one found. */
  long id();

  /** Queued now: this sender waits for its answer and withdraws it when it gives up. */
  record First(long id) implements SubmitOnce {}

  /**
   * The token's request was already queued, by this same caller with this same request: its
   * answer is this request's answer. Its first sender may still be waiting for it: a retry waits
   * too but never withdraws it.
   */
  record Retry(long id) implements SubmitOnce {}

  /**
   * The token's request, {@code id}, is another one (another kind, payload or caller): nothing
   * was queued.
   */
  record Mismatch(long id) implements SubmitOnce {}
}
