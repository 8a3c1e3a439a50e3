package io.fleetrun.invoke;

import io.fleetrun.model.Instance;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.ScriptTemplate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Renders a fire's script for one instance, with the built-in placeholders. */
final class Scripts {
  private Scripts() {}

  /**
   * The script for {@code instance}. Values are checked when the run is asked for; again here,
   * so no path renders an unchecked value.
   *
   * @throws IllegalArgumentException naming what is wrong (a refused value, a missing one)
   */
  static String render(Flight flight, Instance instance) {
    List<String> refused = ParameterRule.refusals(flight.command.rules(), flight.parameters);
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", refused));
    }
    Map<String, String> values = new HashMap<>(flight.parameters);
    values.put(ScriptTemplate.INSTANCE_ID, instance.id().value());
    values.put(ScriptTemplate.INVOKE_ID, flight.invokeId.value());
    return ScriptTemplate.render(flight.command.content(), values);
  }
}
