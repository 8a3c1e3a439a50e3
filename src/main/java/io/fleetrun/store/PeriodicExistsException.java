package io.fleetrun.store;

import io.fleetrun.model.JobId;
import java.util.Locale;
import java.util.Optional;

/**
 * A new periodic invocation refused by the database: its job has a Running periodic invocation
 * already ({@code invocation_running_periodic}, one per job). In a cluster that is another node
 * that created it a moment earlier, from its own fire of the job; this fire's transaction is
 * rolled back whole, and the caller fires into that invocation instead.
 */
public final class PeriodicExistsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private PeriodicExistsException(JobId job, Throwable cause) {
    super("job %s has a Running periodic invocation already".formatted(job), cause);
  }

  /**
   * The refusal {@code e} reports, if that is what it is: PostgreSQL names the index, SQLite the
   * indexed column (other unique keys fail as they did).
   */
  static Optional<PeriodicExistsException> of(RuntimeException e, JobId job) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("invocation_running_periodic") || message.contains("invocation.job_id")) {
        return Optional.of(new PeriodicExistsException(job, e));
      }
    }
    return Optional.empty();
  }
}
