package io.fleetrun.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.store.EventLog;
import java.util.Map;

/** The event stream's frames in the server-sent events format (text/event-stream). */
final class SseFrames {
  /** A comment line: keeps proxies and the client's idle timers from closing a quiet stream. */
  static final String KEEP_ALIVE = ": keep-alive\n\n";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SseFrames() {}

  /** An event: its id (for Last-Event-ID), its kind as the event name, its one-line JSON as data. */
  static String event(EventLog.Event e) {
    return "id: " + e.id() + "\nevent: " + e.kind() + "\ndata: " + oneLine(e.payload()) + "\n\n";
  }

  /** {@code event: reset}, without an id: what the client asked to resume from was deleted. */
  static String reset(String reason) {
    try {
      return "event: reset\ndata: " + JSON.writeValueAsString(Map.of("reason", reason)) + "\n\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The writer stores one line; a line break here would end the frame early, so none gets through. */
  private static String oneLine(String json) {
    return json.indexOf('\n') < 0 && json.indexOf('\r') < 0 ? json : json.replaceAll("[\r\n]", " ");
  }
}
