package io.fleetrun.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.store.InvocationSummary;
import io.fleetrun.store.RecordCounts;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The {@code --json} forms of CLI output: plain objects with the column names of the tables. */
final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> invocation(Invocation i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("invoke_id", i.id().value());
    m.put("job_id", i.job().map(Object::toString).orElse(null));
    m.put("command_id", i.command().value());
    m.put("repeat_mode", i.repeat().name());
    m.put("frequency", i.frequency().map(f -> f.text()).orElse(null));
    m.put("status", i.status().name());
    m.put("created_at", i.createdAt().toString());
    m.put("finished_at", text(i.finishedAt()));
    m.put("stopped_at", text(i.stoppedAt()));
    return m;
  }

  /** An invocation with its instance counts and its record counts (as numbers). */
  static Map<String, Object> summary(InvocationSummary s, RecordCounts records) {
    Map<String, Object> m = invocation(s.invocation());
    Map<String, Long> r = new LinkedHashMap<>();
    r.put("total", records.total());
    r.put("finished", records.finished());
    r.put("failed", records.failed());
    r.put("stopped", records.stopped());
    r.put("running", records.running());
    r.put("pending", records.pending());
    m.put("record_counts", r);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (RecordStatus status : RecordStatus.values()) {
      counts.put(status.name(), s.instanceCounts().getOrDefault(status, 0));
    }
    m.put("instance_counts", counts);
    return m;
  }

  static Map<String, Object> record(InvocationRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("record_id", r.id().value());
    m.put("invoke_id", r.invokeId().value());
    m.put("instance_id", r.instance().value());
    m.put("repeat_no", r.repeatNo());
    m.put("status", r.status().name());
    m.put("detail_status", r.detail().name());
    m.put("exit_code", r.exitCode().orElse(null));
    m.put("error_code", r.errorCode().map(Enum::name).orElse(null));
    m.put("error_info", r.errorInfo().orElse(null));
    m.put("scheduled_at", r.scheduledAt().toString());
    m.put("start_time", text(r.startTime()));
    m.put("finish_time", text(r.finishTime()));
    m.put("stop_time", text(r.stopTime()));
    m.put("output", r.output().text());
    m.put("dropped", r.output().dropped());
    return m;
  }

  private static String text(Optional<Instant> t) {
    return t.map(Instant::toString).orElse(null);
  }
}
