package io.fleetrun.http;

import io.fleetrun.model.Frequency;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.store.InvocationView;
import io.fleetrun.store.RecordView;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Invocations and records as the API's JSON objects, with the cloud API's field names in
 * camelCase. Absent values are {@code null}, so every object has every field.
 */
final class JsonViews {
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private JsonViews() {}

  static Map<String, Object> invocation(InvocationView v) {
    var i = v.invocation();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("invokeId", i.id().value());
    out.put("jobId", i.job().map(j -> j.value()).orElse(null));
    out.put("commandId", i.command().value());
    out.put("commandContent", v.commandContent());
    out.put("parameters", v.parameters());
    out.put("repeatMode", i.repeat().name());
    out.put("frequency", i.frequency().map(Frequency::text).orElse(null));
    out.put("status", i.status().name());
    out.put("createdAt", time(Optional.of(i.createdAt())));
    out.put("finishedAt", time(i.finishedAt()));
    out.put("stoppedAt", time(i.stoppedAt()));
    out.put("instances", v.instances().stream().map(n -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("instanceId", n.instance().value());
      m.put("status", n.status().name());
      m.put("repeats", n.repeats());
      m.put("skipped", n.skipped());
      m.put("stoppedAt", time(n.stoppedAt()));
      return m;
    }).toList());
    return out;
  }

  /** A record; {@code base64}: its output as the base64 of its UTF-8 bytes. */
  static Map<String, Object> record(RecordView v, boolean base64) {
    InvocationRecord r = v.record();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("recordId", r.id().value());
    out.put("instanceId", r.instance().value());
    out.put("repeatNo", r.repeatNo());
    out.put("status", r.status().name());
    out.put("detailStatus", r.detail().name());
    out.put("exitCode", r.exitCode().orElse(null));
    out.put("errorCode", r.errorCode().map(Enum::name).orElse(null));
    out.put("errorInfo", r.errorInfo().orElse(null));
    String output = r.output().text();
    out.put("output", base64
        ? Base64.getEncoder().encodeToString(output.getBytes(StandardCharsets.UTF_8)) : output);
    out.put("dropped", r.output().dropped());
    out.put("scheduledAt", time(Optional.of(r.scheduledAt())));
    out.put("startTime", time(r.startTime()));
    out.put("finishTime", time(r.finishTime()));
    out.put("stopTime", time(r.stopTime()));
    out.put("node", v.node().orElse(null));
    return out;
  }

  static String time(Optional<Instant> t) {
    return t.map(UTC::format).orElse(null); // as stored: fixed milliseconds
  }
}
