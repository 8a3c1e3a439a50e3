package io.fleetrun.config;

import io.fleetrun.config.YamlNode.Entry;
import io.fleetrun.config.YamlNode.MapNode;
import io.fleetrun.config.YamlNode.Mark;
import io.fleetrun.config.YamlNode.Scalar;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.ParameterType;
import io.fleetrun.model.ScriptTemplate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code parameters:} of a command (definitions: defaults and, in the long form, type and
 * pattern) or a job (values), with the position of each name and value so a problem can be pointed
 * at.
 *
 * @param values the values (a command's defaults)
 * @param marks where each name stands
 * @param valueMarks where each value stands
 * @param rules the declared rules, only from a command's long form
 */
record ParameterValues(
    Map<String, String> values,
    Map<String, Mark> marks,
    Map<String, Mark> valueMarks,
    Map<String, ParameterRule> rules) {
  static final ParameterValues NONE = new ParameterValues(Map.of(), Map.of(), Map.of(), Map.of());
  static final List<String> DEFINITION_KEYS = List.of("type", "default", "pattern");

  /** Reads a job's {@code parameters}: name to value. */
  static ParameterValues read(MapReader owner, Problems problems) {
    return read(owner, problems, false);
  }

  /**
   * Reads a command's {@code parameters}: {@code name: default} or {@code name: { type: integer,
   * default: 5, pattern: "^[a-z]+$" }}. Each default is checked against its rule.
   */
  static ParameterValues readDefinitions(MapReader owner, Problems problems) {
    return read(owner, problems, true);
  }

  private static ParameterValues read(MapReader owner, Problems problems, boolean definitions) {
    Optional<MapNode> map = owner.freeMap("parameters");
    if (map.isEmpty()) {
      return NONE;
    }
    ParameterValues out =
        new ParameterValues(
            new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(),
            new LinkedHashMap<>());
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
      } else if (definitions && e.value() instanceof MapNode) {
        MapReader.of(e.value(), at, problems, DEFINITION_KEYS)
            .ifPresent(r -> out.define(name, e.keyMark(), r, problems));
      } else if (!(e.value() instanceof Scalar s)) {
        problems.add(
            e.value(),
            at,
            "expected a single value"
                + (definitions ? " or { type: ..., default: ..., pattern: ... }" : "")
                + ", got " + e.value().describe());
      } else if (s.isNull()) {
        problems.add(e.value(), at, "needs a value; write '' for an empty one");
      } else {
        out.put(name, e.keyMark(), s);
      }
    }
    return out;
  }

  private void put(String name, Mark nameMark, Scalar value) {
    values.put(name, value.text());
    marks.put(name, nameMark);
    valueMarks.put(name, value.mark());
  }

  /** The long form of one command parameter. */
  private void define(String name, Mark nameMark, MapReader r, Problems problems) {
    int before = problems.count();
    ParameterType type = ParameterType.STRING;
    Optional<String> typeText = r.text("type");
    if (typeText.isPresent()) {
      Optional<ParameterType> t = ParameterType.fromConfig(typeText.get().trim());
      if (t.isEmpty()) {
        r.problem("type", "must be string or integer, got '" + typeText.get() + "'");
      } else {
        type = t.get();
      }
    }
    Optional<String> pattern = r.text("pattern");
    if (pattern.isPresent()) {
      try {
        java.util.regex.Pattern.compile(pattern.get());
      } catch (PatternSyntaxException ex) {
        r.problem(
            "pattern",
            "is not a valid regular expression: "
                + ex.getDescription() + " near index " + ex.getIndex());
      }
    }
    Optional<YamlNode> value = r.value("default");
    if (value.isPresent() && !(value.get() instanceof Scalar)) {
      r.problem("default", "expected a single value, got " + value.get().describe());
    }
    if (problems.count() != before) {
      return;
    }
    rules.put(name, new ParameterRule(type, pattern));
    marks.put(name, nameMark);
    value.map(Scalar.class::cast).ifPresent(s -> put(name, nameMark, s));
  }

  /**
   * Reports every value that its rule refuses, at the value, naming the parameter and the rule.
   *
   * @param owner where the values were read ({@code parameters} of a command or a job)
   * @param who prefix for the message, like {@code "job 'nightly': "}, or empty
   */
  void checkValues(
      MapReader owner, Map<String, ParameterRule> rules, String who, Problems problems) {
    values.forEach(
        (name, value) ->
            rules
                .getOrDefault(name, ParameterRule.ANY_STRING)
                .refusal(value)
                .ifPresent(
                    why ->
                        problems.add(
                            valueMarks.get(name),
                            owner.pathOf("parameters") + "." + name,
                            who + "parameter '" + name + "' " + why)));
  }
}
