package io.fleetrun.invoke;

import io.fleetrun.model.Command;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.ScriptTemplate;
import io.fleetrun.model.Targets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An ad-hoc run as {@code fleetrun run} asks for it, checked against the fleet: the command, its
 * targets and its effective parameters. Pure; the refusals name what is wrong.
 */
record AdHocRun(Command command, List<Instance> targets, Map<String, String> parameters) {

  /**
   * @throws InvocationRefusedException naming what is wrong (unknown command, instance or tag,
   *     a placeholder without value, a value its parameter's type or pattern refuses)
   */
  static AdHocRun of(ControlRequest.Run request, Fleet fleet) {
    Command command = fleet.findCommand(request.command()).orElseThrow(
        () -> new InvocationRefusedException("no command '" + request.command() + "' in config"));
    List<String> unknown = request.instances().stream()
        .filter(i -> fleet.findInstance(i).isEmpty())
        .map(InstanceId::value)
        .toList();
    if (!unknown.isEmpty()) {
      throw new InvocationRefusedException("no instance " + unknown + " in config");
    }
    List<Instance> targets = fleet.resolve(new Targets(request.instances(), request.tags()));
    if (targets.isEmpty()) {
      throw new InvocationRefusedException(
          "no instance matches instances " + request.instances() + " / tags " + request.tags());
    }
    Set<String> placeholders = ScriptTemplate.placeholders(command.content());
    ScriptTemplate.ParameterFit fit =
        ScriptTemplate.fit(placeholders, request.parameters().keySet(), command.parameters().keySet());
    if (!fit.unused().isEmpty()) {
      // As in config: a name no placeholder uses is most likely misspelt.
      throw new InvocationRefusedException(
          "command '" + command.id() + "' does not use parameter " + braced(fit.unused())
              + "; its placeholders are " + (placeholders.isEmpty() ? "none" : braced(placeholders)));
    }
    if (!fit.missing().isEmpty()) {
      throw new InvocationRefusedException(
          "command '" + command.id() + "' needs a value for " + braced(fit.missing()));
    }
    List<String> refused = ParameterRule.refusals(command.rules(), request.parameters());
    if (!refused.isEmpty()) {
      throw new InvocationRefusedException("command '" + command.id() + "': " + String.join("; ", refused));
    }
    return new AdHocRun(command, targets, merged(command.parameters(), request.parameters()));
  }

  static Map<String, String> merged(Map<String, String> defaults, Map<String, String> values) {
    Map<String, String> merged = new HashMap<>(defaults);
    merged.putAll(values);
    return merged;
  }

  private static String braced(Set<String> names) {
    return names.stream().map(p -> "{{" + p + "}}").collect(Collectors.joining(", "));
  }
}
