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
   * What the change is, for a log line: never a record's output or error info, which come from
   * the target and may hold anything a script printed (the database is where they belong).
   */
  default String describe() {
    if (this instanceof Dispatched d) {
      return "dispatch mark at " + d.at();
    } else if (this instanceof Sent s) {
      return "start at " + s.startTime();
    } else if (this instanceof Running r) {
      return "running as process group " + r.processGroup();
    }
    RecordEnd end = ((Ended) this).end();
    return "end " + end.status() + "/" + end.detail() + " exit " + end.exitCode().map(String::valueOf).orElse("-")
        + " error " + end.errorCode().map(Enum::name).orElse("-") + " at " + end.endTime() + " ("
        + end.output().text().length() + " output characters not shown)";
  }

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
