package io.fleetrun.store;

import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * One change of a record for the {@link RecordJournal}. {@link #done()} completes after the
 * change is committed: true when it was applied, false when the record had already ended (or is
 * gone); exceptionally only when the journal gave the change up (logged).
 */
sealed interface JournalEvent {
  RecordId record();

  CompletableFuture<Boolean> done();

  /**
   * The daemon commits to handing the record to SSH: dispatched_at. Applied only to a record
   * still Running; the exec request may go out only after it committed.
   */
  record Dispatched(RecordId record, Instant at, CompletableFuture<Boolean> done) implements JournalEvent {
    public Dispatched {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(at, "at");
    }
  }

  /** The exec request went to the target: start_time. */
  record Sent(RecordId record, Instant startTime, CompletableFuture<Boolean> done) implements JournalEvent {
    public Sent {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(startTime, "startTime");
    }
  }

  /** The script runs: detail Running, its process group and leader start. */
  record Running(RecordId record, long processGroup, OptionalLong leaderStart, CompletableFuture<Boolean> done)
      implements JournalEvent {
    public Running {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(leaderStart, "leaderStart");
    }
  }

  /** The record ended. */
  record Ended(RecordId record, RecordEnd end, CompletableFuture<Boolean> done) implements JournalEvent {
    public Ended {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(end, "end");
    }
  }
}
