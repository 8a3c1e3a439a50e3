package io.fleetrun.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a webhook notification may be sent on, by the word the config and the body use. */
public enum NotificationEvent {
  /** An invocation's overall status became an end status (Finished, Failed, PartialFailed, Stopped). */
  InvocationEnded("invocation-ended"),
  /** An invocation's overall status changed, to any status (Running included). */
  InvocationStatusChanged("invocation-status-changed"),
  /** A record ended Failed (timed out, or could not run at all). */
  RecordFailed("record-failed"),
  /** A record ended, whichever way (Finished, Failed, Stopped). */
  RecordEnded("record-ended");

  private final String word;

  NotificationEvent(String word) {
    this.word = word;
  }

  /** The word in the config's {@code events:} list, the body's {@code event} and {@code X-Fleetrun-Event}. */
  public String word() {
    return word;
  }

  /** Every word, in declaration order. */
  public static List<String> words() {
    return Arrays.stream(values()).map(NotificationEvent::word).toList();
  }

  public static Optional<NotificationEvent> ofWord(String word) {
    return Arrays.stream(values()).filter(e -> e.word.equals(word)).findFirst();
  }
}
