package io.fleetrun.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.invoke.RunEvent;
import io.fleetrun.model.JobId;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.store.UtcText;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link RunEvent} as the event stream's SSE event name and its one-line JSON data, with the
 * read API's field names (camelCase) and time format. Never a record's output: events carry none.
 */
final class EventPayload {
  static final String RECORD_STARTED = "record-started";
  static final String RECORD_ENDED = "record-ended";
  static final String STATUS_CHANGED = "invocation-status-changed";
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventPayload() {}

  static String kind(RunEvent event) {
    if (event instanceof RunEvent.RecordStarted) {
      return RECORD_STARTED;
    }
    return event instanceof RunEvent.RecordEnded ? RECORD_ENDED : STATUS_CHANGED;
  }

  /** The fields of {@code event}: a record's as the results route names them, those the event knows. */
  static String json(RunEvent event) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (event instanceof RunEvent.RecordStarted s) {
      out.put("recordId", s.record().value());
      out.put("invokeId", s.invokeId().value());
      out.put("jobId", s.job().map(JobId::value).orElse(null));
      out.put("instanceId", s.instance().value());
      out.put("status", RecordStatus.Running.name());
      out.put("detailStatus", DetailStatus.Running.name());
      out.put("startTime", UtcText.format(s.startTime()));
    } else if (event instanceof RunEvent.RecordEnded e) {
      out.put("recordId", e.record().value());
      out.put("invokeId", e.invokeId().value());
      out.put("jobId", e.job().map(JobId::value).orElse(null));
      out.put("instanceId", e.instance().value());
      out.put("status", e.status().name());
      out.put("detailStatus", e.detail().name());
      out.put("exitCode", e.exitCode().orElse(null));
      out.put("errorCode", e.errorCode().map(Enum::name).orElse(null));
      out.put("finishTime", UtcText.format(e.endTime()));
    } else if (event instanceof RunEvent.InvocationStatusChanged c) {
      out.put("invokeId", c.invokeId().value());
      out.put("status", c.status().name());
    }
    try {
      return JSON.writeValueAsString(out); // Jackson escapes line breaks: one line
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an event as JSON: " + e.getMessage(), e);
    }
  }
}
