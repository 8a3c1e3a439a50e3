package io.fleetrun.store;

import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The reduced form of a record end the database refuses: what is needed, without the output. */
final class Reduced {
  /** Longest reason kept in error_info. */
  static final int MAX_REASON = 200;

  private Reduced() {}

  /**
   * {@code ended} with its output dropped (counted in {@code dropped}) and error_info saying the
   * output could not be stored and why; status, detail, codes and end time kept. Same future.
   */
  static JournalEvent.Ended end(JournalEvent.Ended ended, String why) {
    RecordEnd end = ended.end();
    long lost = end.output().dropped() + end.output().text().getBytes(StandardCharsets.UTF_8).length;
    String reason = why.length() > MAX_REASON ? why.substring(0, MAX_REASON) + "..." : why;
    RecordEnd reduced = new RecordEnd(end.status(), end.detail(), end.exitCode(), end.errorCode(),
        Optional.of("the output could not be stored, the database refused it: " + reason), new Output("", lost),
        end.endTime());
    return new JournalEvent.Ended(ended.record(), reduced, ended.done());
  }
}
