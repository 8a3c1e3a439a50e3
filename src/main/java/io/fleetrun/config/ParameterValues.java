package io.fleetrun.config;

import io.fleetrun.config.YamlNode.Entry;
import io.fleetrun.config.YamlNode.MapNode;
import io.fleetrun.config.YamlNode.Mark;
import io.fleetrun.config.YamlNode.Scalar;
import io.fleetrun.model.ScriptTemplate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The {@code parameters:} of a command (defaults) or a job (values), with the position of each so
 * an unused one can be pointed at.
 */
record ParameterValues(Map<String, String> values, Map<String, Mark> marks) {
  static final ParameterValues NONE = new ParameterValues(Map.of(), Map.of());

  /** Reads {@code parameters} of {@code owner}; bad names and non-scalar values are reported. */
  static ParameterValues read(MapReader owner, Problems problems) {
    Optional<MapNode> map = owner.freeMap("parameters");
    if (map.isEmpty()) {
      return NONE;
    }
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, Mark> marks = new LinkedHashMap<>();
    for (Entry e : map.get().entries()) {
      String name = e.key();
      String at = owner.pathOf("parameters") + "." + name;
      if (!ConfigDefaults.PARAMETER_NAME.matcher(name).matches()) {
        problems.add(
            e.keyMark(),
            at,
            "parameter name '" + name + "' may hold only letters, digits, '_', '.' and '-'");
      } else if (name.startsWith("fleetrun.")) {
        problems.add(
            e.keyMark(),
            at,
            "names starting with 'fleetrun.' are reserved for built-ins (%s), which need no value"
                .formatted(String.join(", ", new TreeSet<>(ScriptTemplate.BUILT_INS))));
      } else if (!(e.value() instanceof Scalar s)) {
        problems.add(e.value(), at, "expected a single value, got " + e.value().describe());
      } else if (s.isNull()) {
        problems.add(e.value(), at, "needs a value; write '' for an empty one");
      } else {
        values.put(name, s.text());
        marks.put(name, e.keyMark());
      }
    }
    return new ParameterValues(values, marks);
  }
}
