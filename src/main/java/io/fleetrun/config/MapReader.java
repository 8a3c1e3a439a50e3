package io.fleetrun.config;

import io.fleetrun.config.YamlNode.Entry;
import io.fleetrun.config.YamlNode.ListNode;
import io.fleetrun.config.YamlNode.MapNode;
import io.fleetrun.config.YamlNode.Mark;
import io.fleetrun.config.YamlNode.Scalar;
import io.fleetrun.model.DurationText;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed access to the keys of one YAML map. Every misuse (unknown key, missing key, wrong type, bad
 * value) is reported to {@link Problems} with the key's dotted path, and the accessor returns empty
 * so the caller can go on and find the next problem.
 */
final class MapReader {
  private final MapNode node;
  private final String path;
  private final Problems problems;
  private final Map<String, Entry> byKey = new LinkedHashMap<>();

  /** Reads {@code node} as a map whose keys must all be in {@code knownKeys}. */
  MapReader(MapNode node, String path, Problems problems, List<String> knownKeys) {
    this.node = node;
    this.path = path;
    this.problems = problems;
    for (Entry e : node.entries()) {
      if (knownKeys.contains(e.key())) {
        byKey.put(e.key(), e);
      } else {
        problems.add(
            e.keyMark(),
            pathOf(e.key()),
            "unknown key '%s'%s; known keys here: %s"
                .formatted(
                    e.key(), Suggest.didYouMean(e.key(), knownKeys), String.join(", ", knownKeys)));
      }
    }
  }

  /** {@code node} as a map, or empty (with a problem) when it is something else. */
  static Optional<MapReader> of(
      YamlNode node, String path, Problems problems, List<String> knownKeys) {
    if (node instanceof MapNode map) {
      return Optional.of(new MapReader(map, path, problems, knownKeys));
    }
    problems.add(
        node,
        path.isEmpty() ? "(root)" : path,
        "expected a map like { " + knownKeys.get(0) + ": ... }, got " + node.describe());
    return Optional.empty();
  }

  String path() {
    return path;
  }

  Mark mark() {
    return node.mark();
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The value of {@code key}; empty when absent or written as an empty value. */
  Optional<YamlNode> value(String key) {
    Entry e = byKey.get(key);
    if (e == null || (e.value() instanceof Scalar s && s.isNull())) {
      return Optional.empty();
    }
    return Optional.of(e.value());
  }

  /** Reports a problem with {@code key}: at its value when present, else at this map. */
  void problem(String key, String message) {
    Entry e = byKey.get(key);
    problems.add(e != null ? e.value().mark() : node.mark(), pathOf(key), message);
  }

  /** Like {@link #value} but reports a missing key. */
  Optional<YamlNode> required(String key) {
    Optional<YamlNode> v = value(key);
    if (v.isEmpty()) {
      problem(key, byKey.containsKey(key) ? "needs a value" : "is required");
    }
    return v;
  }

  /** The scalar text of {@code key}; a list or map there is reported. */
  Optional<String> text(String key) {
    return value(key).flatMap(v -> scalarText(v, pathOf(key)));
  }

  /** Like {@link #text} but also reports a missing or blank value. */
  Optional<String> requiredText(String key) {
    return required(key).isPresent() ? nonBlankText(key) : Optional.empty();
  }

  /** Like {@link #text} but reports a blank value. */
  Optional<String> nonBlankText(String key) {
    Optional<String> t = text(key);
    if (t.isPresent() && t.get().isBlank()) {
      problem(key, "must not be empty");
      return Optional.empty();
    }
    return t.map(String::trim);
  }

  /** {@code true} or {@code false} (YAML's spellings of them, nothing else). */
  Optional<Boolean> bool(String key) {
    Optional<String> t = text(key);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    switch (t.get().trim()) {
      case "true", "True", "TRUE" -> {
        return Optional.of(true);
      }
      case "false", "False", "FALSE" -> {
        return Optional.of(false);
      }
      default -> {
        problem(key, "expected true or false, got '" + t.get() + "'");
        return Optional.empty();
      }
    }
  }

  /** A whole number in {@code min..max}. */
  Optional<Integer> integer(String key, int min, int max) {
    Optional<String> t = text(key);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    try {
      long n = Long.parseLong(t.get().trim());
      if (n >= min && n <= max) {
        return Optional.of((int) n);
      }
      problem(key, "must be between " + min + " and " + max + ", got " + n);
    } catch (NumberFormatException e) {
      problem(key, "expected a whole number, got '" + t.get() + "'");
    }
    return Optional.empty();
  }

  /** A positive duration written like {@code 30s}. */
  Optional<Duration> duration(String key) {
    Optional<String> t = text(key);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    try {
      Duration d = DurationText.parse(t.get());
      if (!d.isZero()) {
        return Optional.of(d);
      }
      problem(key, "must be longer than zero");
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage());
    }
    return Optional.empty();
  }

  /** A file path; {@code ~} and relative paths are resolved by {@code context}. */
  Optional<Path> path(String key, LoadContext context) {
    Optional<String> t = text(key);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    if (t.get().isBlank()) {
      problem(key, "must not be empty");
      return Optional.empty();
    }
    if (t.get().trim().matches("~[^/]+.*")) {
      problem(key, "~user is not supported; write the full path or ~/...");
      return Optional.empty();
    }
    try {
      return Optional.of(context.resolve(t.get()));
    } catch (InvalidPathException e) {
      problem(key, "is not a valid path: " + e.getReason());
      return Optional.empty();
    }
  }

  /** The items of a list; something else there is reported. */
  Optional<List<YamlNode>> list(String key) {
    Optional<YamlNode> v = value(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (v.get() instanceof ListNode l) {
      return Optional.of(l.items());
    }
    problem(key, "expected a list like [a, b], got " + v.get().describe());
    return Optional.empty();
  }

  /** One text item of a list, with its dotted path like {@code tags[1]}. */
  record TextItem(String path, Scalar node) {
    String text() {
      return node.text().trim();
    }
  }

  /** The text items of a list; items that are not text are reported and left out. */
  List<TextItem> textList(String key) {
    List<TextItem> out = new ArrayList<>();
    List<YamlNode> items = list(key).orElse(List.of());
    for (int i = 0; i < items.size(); i++) {
      YamlNode item = items.get(i);
      String itemPath = pathOf(key) + "[" + i + "]";
      if (item instanceof Scalar s && !s.isNull()) {
        out.add(new TextItem(itemPath, s));
      } else {
        problems.add(item, itemPath, "expected text, got " + item.describe());
      }
    }
    return out;
  }

  /** A nested map with its own known keys. */
  Optional<MapReader> map(String key, List<String> knownKeys) {
    return value(key).flatMap(v -> MapReader.of(v, pathOf(key), problems, knownKeys));
  }

  /** A nested map whose keys are free (like {@code parameters}). */
  Optional<MapNode> freeMap(String key) {
    Optional<YamlNode> v = value(key);
    if (v.isPresent() && !(v.get() instanceof MapNode)) {
      problem(key, "expected a map like { name: value }, got " + v.get().describe());
      return Optional.empty();
    }
    return v.map(MapNode.class::cast);
  }

  private Optional<String> scalarText(YamlNode v, String at) {
    if (v instanceof Scalar s) {
      return Optional.of(s.text());
    }
    problems.add(v, at, "expected a single value, got " + v.describe());
    return Optional.empty();
  }
}
