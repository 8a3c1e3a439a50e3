package io.fleetrun.store;

import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.RecordStatus;

/**
 * How many records of one invocation are in each state: the progress of a fan-out. Pending is a
 * Running record still waiting for a session slot or its connection (detail Pending); running is
 * any other Running record. For a one-time invocation the total is its number of targets once
 * every record is written.
 */
public record RecordCounts(long pending, long running, long finished, long failed, long stopped) {
  public static final RecordCounts NONE = new RecordCounts(0, 0, 0, 0, 0);

  public RecordCounts {
    if (pending < 0 || running < 0 || finished < 0 || failed < 0 || stopped < 0) {
      throw new IllegalArgumentException("record counts cannot be negative");
    }
  }

  /** All records. */
  public long total() {
    return pending + running + finished + failed + stopped;
  }

  /** Records that ended, whichever way. */
  public long ended() {
    return finished + failed + stopped;
  }

  /** These counts with {@code count} more records of {@code status} / {@code detail}. */
  RecordCounts plus(RecordStatus status, DetailStatus detail, long count) {
    return switch (status) {
      case Running -> detail == DetailStatus.Pending
          ? new RecordCounts(pending + count, running, finished, failed, stopped)
          : new RecordCounts(pending, running + count, finished, failed, stopped);
      case Finished -> new RecordCounts(pending, running, finished + count, failed, stopped);
      case Failed -> new RecordCounts(pending, running, finished, failed + count, stopped);
      case Stopped -> new RecordCounts(pending, running, finished, failed, stopped + count);
    };
  }
}
