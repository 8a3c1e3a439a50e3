package io.fleetrun.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetrun.invoke.RunEvent;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.JobId;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JSON body of a webhook delivery and its signature. The shape is documented in the README
 * ("Webhooks"); fields are only ever added to it. Records are sent without their output.
 */
final class WebhookBody {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private WebhookBody() {}

  /**
   * The body of {@code delivery}: the event, the invocation ({@code summary} when it could be
   * read; an invocation event's own status wins over the one read, which may be later) and, for a
   * record event, the record.
   */
  static byte[] of(Webhooks.Delivery delivery, Optional<InvocationReader.Summary> summary) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("eventId", delivery.eventId());
    root.put("event", delivery.event().word());
    root.put("time", delivery.time().toString());
    root.put("hook", delivery.hook());
    ObjectNode invocation = root.putObject("invocation");
    invocation.put("invokeId", delivery.source().invokeId().value());
    summary.ifPresent(s -> invocationFields(invocation, s));
    if (delivery.source() instanceof RunEvent.InvocationStatusChanged changed) {
      invocation.put("status", changed.status().name());
    }
    if (delivery.source() instanceof RunEvent.RecordEnded ended) {
      ObjectNode record = root.putObject("record");
      record.put("recordId", ended.record().value());
      record.put("instance", ended.instance().value());
      putOrNull(record, "job", ended.job().map(JobId::value));
      record.put("status", ended.status().name());
      record.put("detailStatus", ended.detail().name());
      putOrNull(record, "errorCode", ended.errorCode().map(Enum::name));
      if (ended.exitCode().isPresent()) {
        record.put("exitCode", ended.exitCode().get());
      } else {
        record.putNull("exitCode");
      }
      record.put("endTime", ended.endTime().toString());
      if (ended.duration().isPresent()) {
        record.put("durationMs", ended.duration().get().toMillis());
      } else {
        record.putNull("durationMs");
      }
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a webhook body", e);
    }
  }

  private static void invocationFields(ObjectNode node, InvocationReader.Summary s) {
    Invocation i = s.invocation();
    putOrNull(node, "job", i.job().map(JobId::value));
    node.put("command", i.command().value());
    node.put("repeat", i.repeat().name());
    node.put("status", i.status().name());
    node.put("createdAt", i.createdAt().toString());
    putOrNull(node, "finishedAt", i.finishedAt().map(Instant::toString));
    putOrNull(node, "stoppedAt", i.stoppedAt().map(Instant::toString));
    ObjectNode records = node.putObject("records");
    records.put("pending", s.pending());
    records.put("running", s.running());
    records.put("finished", s.finished());
    records.put("failed", s.failed());
    records.put("stopped", s.stopped());
  }

  private static void putOrNull(ObjectNode node, String field, Optional<String> value) {
    if (value.isPresent()) {
      node.put(field, value.get());
    } else {
      node.putNull(field);
    }
  }

  /** {@code sha256=} and the lower-case hex HMAC-SHA256 of {@code body} with {@code secret} (UTF-8). */
  static String signature(byte[] body, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
