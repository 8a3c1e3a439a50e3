package io.fleetrun.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetrun.model.ClientToken;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.InstanceId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The body of {@code POST /api/v1/invocations} (StartCommand's shape, ad hoc): a command, its
 * targets by instance id and/or tag, parameter values, concurrency controls as {@code "10"},
 * {@code "25%"} or a number, and an optional {@code clientToken}. Read by {@link JsonBody}; what
 * its types cannot say is checked by {@link #request()}. Whether the command, instances and
 * parameters fit the config is the daemon's to say, as for the CLI.
 */
record RunBody(String commandId, List<String> instanceIds, List<String> tags, Map<String, String> parameters,
    JsonNode maxConcurrency, JsonNode maxErrors, String clientToken) {

  /**
   * The run this body asks for.
   *
   * @throws ApiException 400 naming the field that is missing or wrong
   */
  ControlRequest.Run request() {
    if (commandId == null) {
      throw bad("commandId", "is required");
    }
    List<String> instances = ids("instanceIds", instanceIds);
    List<String> tagList = texts("tags", tags);
    if (instances.isEmpty() && tagList.isEmpty()) {
      throw new ApiException(400, "InvalidParameter.instanceIds",
          "give the targets: instanceIds, tags or both, each a non-empty array");
    }
    Map<String, String> values = Objects.requireNonNullElse(parameters, Map.of());
    values.forEach((name, value) -> {
      if (value == null) {
        throw bad("parameters", "." + Guard.printable(name) + " must be a string, not null");
      }
      // A command line cannot carry a NUL (the CLI's --param cannot send one), and an SSH server
      // reads the command as a C string: refused or cut short there, so refused here.
      if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
        throw bad("parameters", "." + Guard.printable(name) + " holds a NUL character (\\u0000)");
      }
    });
    ConcurrencyControls controls;
    try {
      controls = ConcurrencyControls.parse("maxConcurrency", threshold("maxConcurrency", maxConcurrency),
          "maxErrors", threshold("maxErrors", maxErrors));
    } catch (IllegalArgumentException e) {
      String field = e.getMessage().startsWith("maxErrors") ? "maxErrors" : "maxConcurrency";
      throw new ApiException(400, "InvalidParameter." + field, "field " + e.getMessage());
    }
    return new ControlRequest.Run(new CommandId(ids("commandId", List.of(commandId)).get(0)),
        instances.stream().map(InstanceId::new).toList(), new LinkedHashSet<>(tagList), values, controls);
  }

  /** The clientToken, if given. */
  Optional<ClientToken> token() {
    try {
      return Optional.ofNullable(clientToken).map(ClientToken::new);
    } catch (IllegalArgumentException e) {
      throw bad("clientToken", e.getMessage());
    }
  }

  private static List<String> ids(String field, List<String> values) {
    List<String> ids = texts(field, values);
    for (String id : ids) {
      if (!Params.ID.matcher(id).matches()) {
        throw bad(field, "holds '" + Guard.printable(id) + "', not an id: letters, digits, '.', '_' or '-'");
      }
    }
    return ids;
  }

  private static List<String> texts(String field, List<String> values) {
    List<String> texts = Objects.requireNonNullElse(values, List.of());
    for (String text : texts) {
      if (text == null || text.isBlank()) {
        throw bad(field, "holds a null or blank value");
      }
    }
    return texts;
  }

  /** A threshold's text: a JSON string as it is, a whole number as its digits. */
  private static String threshold(String field, JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      return String.valueOf(value.intValue());
    }
    throw bad(field, "must be a whole number like 10 or a string like \"10\" or \"25%\"");
  }

  private static ApiException bad(String field, String what) {
    return new ApiException(400, "InvalidParameter." + field, "field " + field + " " + what);
  }
}
