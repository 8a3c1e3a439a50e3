package io.fleetrun.store;

import io.fleetrun.model.InvokeId;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * A fire refused by the database: a record of the same invocation, instance and fire time exists
 * already ({@code invocation_record_fire}). In a cluster that is a second node firing a trigger
 * time the first one fired (Quartz's duplicate fire); the fire's transaction is rolled back whole,
 * so nothing of it runs. Not an error of this node: logged and counted by the caller.
 */
public final class DuplicateFireException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private DuplicateFireException(InvokeId invokeId, Instant scheduledAt, Throwable cause) {
    super("invocation %s already has records for the fire due %s: this fire is a duplicate"
        .formatted(invokeId, scheduledAt), cause);
  }

  /** A duplicate found before any insert (a fire that would only have counted skips). */
  DuplicateFireException(InvokeId invokeId, Instant scheduledAt) {
    this(invokeId, scheduledAt, null);
  }

  /**
   * The duplicate fire {@code e} reports, if that is what it is: PostgreSQL names the index,
   * SQLite the indexed columns (other unique keys fail as they did).
   */
  static Optional<DuplicateFireException> of(RuntimeException e, InvokeId invokeId, Instant scheduledAt) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("invocation_record_fire") || message.contains("invocation_record.scheduled_at")) {
        return Optional.of(new DuplicateFireException(invokeId, scheduledAt, e));
      }
    }
    return Optional.empty();
  }
}
