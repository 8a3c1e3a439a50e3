package io.fleetrun.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Threshold;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A {@link ControlRequest} as the {@code kind} and JSON {@code payload} of a control_request row:
 * {@code run} {@code {"command":"uptime","instances":["web1"],"tags":["db"],"parameters":{}}} (with
 * {@code "maxConcurrency":"10"} and {@code "maxErrors":"5%"} when given),
 * {@code stop} {@code {"invokeId":"t-4kq9z2m7xw1c","instances":[]}}. Written by hand rather than
 * by annotations so the model stays free of Jackson and the stored form is stable.
 */
final class ControlPayload {
  static final String RUN = "run";
  static final String STOP = "stop";

  private ControlPayload() {}

  static String kind(ControlRequest request) {
    return request instanceof ControlRequest.Run ? RUN : STOP;
  }

  static String write(ControlRequest request) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    if (request instanceof ControlRequest.Run run) {
      json.put("command", run.command().value());
      strings(json.putArray("instances"), run.instances(), InstanceId::value);
      strings(json.putArray("tags"), new TreeSet<>(run.tags()), Function.identity());
      ObjectNode params = json.putObject("parameters");
      new TreeMap<>(run.parameters()).forEach(params::put);
      run.controls().maxConcurrency().ifPresent(t -> json.put("maxConcurrency", t.text()));
      run.controls().maxErrors().ifPresent(t -> json.put("maxErrors", t.text()));
    } else if (request instanceof ControlRequest.Stop stop) {
      json.put("invokeId", stop.invokeId().value());
      strings(json.putArray("instances"),
          new TreeSet<>(stop.instances().stream().map(InstanceId::value).toList()),
          Function.identity());
    }
    return json.toString();
  }

  static ControlRequest read(String kind, String payload) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("control request payload is not JSON: " + e.getOriginalMessage(), e);
    }
    return switch (kind) {
      case RUN -> new ControlRequest.Run(
          new CommandId(json.path("command").asText()),
          strings(json.path("instances")).stream().map(InstanceId::new).toList(),
          Set.copyOf(strings(json.path("tags"))),
          Json.readStringMap(json.path("parameters").toString()),
          new ConcurrencyControls(threshold(json, "maxConcurrency"), threshold(json, "maxErrors")));
      case STOP -> new ControlRequest.Stop(
          new InvokeId(json.path("invokeId").asText()),
          Set.copyOf(strings(json.path("instances")).stream().map(InstanceId::new).toList()));
      default -> throw new IllegalStateException("unknown control request kind '" + kind + "'");
    };
  }

  private static Optional<Threshold> threshold(JsonNode json, String field) {
    JsonNode value = json.path(field);
    return value.isMissingNode() || value.isNull() ? Optional.empty() : Optional.of(Threshold.parse(value.asText()));
  }

  private static <T> void strings(ArrayNode array, Collection<T> values, Function<T, String> text) {
    values.forEach(v -> array.add(text.apply(v)));
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(n -> values.add(n.asText()));
    return values;
  }
}
