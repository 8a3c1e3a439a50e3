package io.fleetrun.config;

import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.ParameterType;
import io.fleetrun.model.ScriptTemplate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Reads {@code commands:}. Whether every placeholder gets a value is checked per job. */
final class CommandSection {
  static final List<String> KEYS =
      List.of("id", "type", "content", "workingDir", "timeout", "parameters");

  /**
   * @param commands the valid commands by id, in config order
   * @param declared every declared command id, also of commands that had other problems
   * @param usages placeholders and defaults of every command whose content and parameters could be
   *     read, also when other keys had problems, so its jobs can still be checked
   */
  record Result(Map<String, Command> commands, Set<String> declared, Map<String, Usage> usages) {}

  /** What a command's content needs, what its defaults give and what values it accepts. */
  record Usage(
      Set<String> placeholders, Set<String> defaults, Map<String, ParameterRule> rules) {}

  private CommandSection() {}

  static Result read(List<YamlNode> items, Problems problems) {
    IdRegistry ids = new IdRegistry("command");
    Map<String, Command> commands = new LinkedHashMap<>();
    Map<String, Usage> usages = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Optional<MapReader> item = MapReader.of(items.get(i), "commands[" + i + "]", problems, KEYS);
      if (item.isEmpty()) {
        continue;
      }
      MapReader r = item.get();
      int before = problems.count();
      Optional<String> id = ids.claim(r);
      checkType(r);
      Optional<String> content = r.requiredText("content").filter(c -> fitsSize(r, c));
      Optional<String> workingDir = r.nonBlankText("workingDir");
      Duration timeout = r.duration("timeout").orElse(ConfigDefaults.COMMAND_TIMEOUT);
      int beforeParameters = problems.count();
      ParameterValues defaults = ParameterValues.readDefinitions(r, problems);
      if (id.isPresent() && content.isPresent() && problems.count() == beforeParameters) {
        usages.put(
            id.get(),
            new Usage(
                ScriptTemplate.placeholders(content.get()),
                defaults.values().keySet(),
                defaults.rules()));
      }
      defaults.checkValues(r, defaults.rules(), "", problems);
      content.ifPresent(c -> checkPlaceholders(r, c, defaults, problems));
      if (problems.count() == before) {
        commands.put(
            id.orElseThrow(),
            new Command(
                new CommandId(id.orElseThrow()),
                content.orElseThrow(),
                workingDir,
                timeout,
                defaults.values(),
                defaults.rules()));
      }
    }
    return new Result(commands, ids.ids(), usages);
  }

  private static void checkType(MapReader r) {
    r.text("type")
        .filter(t -> !t.trim().equals(ConfigDefaults.COMMAND_TYPE))
        .ifPresent(
            t ->
                r.problem(
                    "type",
                    "the only command type is '%s', got '%s'"
                        .formatted(ConfigDefaults.COMMAND_TYPE, t)));
  }

  private static boolean fitsSize(MapReader r, String content) {
    int bytes = content.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > ConfigDefaults.MAX_CONTENT_BYTES) {
      r.problem(
          "content",
          "is %d bytes; at most %d are allowed (copy a larger script to the hosts and call it)"
              .formatted(bytes, ConfigDefaults.MAX_CONTENT_BYTES));
      return false;
    }
    return true;
  }

  /**
   * Unknown built-ins and defaults that no placeholder uses are typos. A string placeholder where
   * the shell could evaluate its value as code is refused ({@link
   * ScriptTemplate#unsafePlaceholders}).
   */
  private static void checkPlaceholders(
      MapReader r, String content, ParameterValues defaults, Problems problems) {
    Set<String> used = ScriptTemplate.placeholders(content);
    Set<String> integers = new TreeSet<>();
    defaults.rules().forEach((name, rule) -> {
      if (rule.type() == ParameterType.INTEGER) {
        integers.add(name);
      }
    });
    ScriptTemplate.unsafePlaceholders(content, integers)
        .values()
        .forEach(message -> r.problem("content", message));
    for (String name : used) {
      if (name.startsWith("fleetrun.") && !ScriptTemplate.BUILT_INS.contains(name)) {
        r.problem(
            "content",
            "{{%s}} is not a built-in; the built-ins are %s"
                .formatted(name, String.join(", ", new TreeSet<>(ScriptTemplate.BUILT_INS))));
      }
    }
    defaults
        .marks()
        .forEach(
            (name, mark) -> {
              if (!used.contains(name)) {
                problems.add(
                    mark,
                    r.pathOf("parameters") + "." + name,
                    "%s '%s' is not used: content has no {{%s}}%s"
                        .formatted(
                            defaults.values().containsKey(name) ? "default for" : "parameter",
                            name, name, Suggest.didYouMean(name, used)));
              }
            });
  }
}
