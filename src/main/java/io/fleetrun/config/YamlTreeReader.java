package io.fleetrun.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fleetrun.config.YamlNode.Entry;
import io.fleetrun.config.YamlNode.Kind;
import io.fleetrun.config.YamlNode.ListNode;
import io.fleetrun.config.YamlNode.MapNode;
import io.fleetrun.config.YamlNode.Mark;
import io.fleetrun.config.YamlNode.Scalar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML text with Jackson's streaming parser into {@link YamlNode}s that carry their position.
 * Binding straight to objects would lose the line numbers every problem report needs.
 */
final class YamlTreeReader {
  private static final YAMLFactory FACTORY = new YAMLFactory();

  private final Problems problems;
  private YAMLParser parser;

  /** Dotted key of the value being read, so a syntax error can say where in the config it is. */
  private String currentKey = "";

  private YamlTreeReader(Problems problems) {
    this.problems = problems;
  }

  /**
   * The document in {@code text}, or empty when it is empty or malformed (then a problem is
   * recorded with the parser's position).
   */
  static Optional<YamlNode> read(String text, Problems problems) {
    return new YamlTreeReader(problems).readDocument(text);
  }

  private Optional<YamlNode> readDocument(String text) {
    try (YAMLParser p = FACTORY.createParser(text)) {
      parser = p;
      JsonToken first = p.nextToken();
      if (first == null) {
        return Optional.empty();
      }
      YamlNode root = readValue(first, "");
      JsonToken extra = p.nextToken();
      if (extra != null) {
        problems.add(
            mark(p.currentTokenLocation()),
            "(root)",
            "only one YAML document is allowed; remove the '---' and what follows it");
      }
      return Optional.of(root);
    } catch (JsonProcessingException e) {
      syntaxProblem(e);
      return Optional.empty();
    } catch (IOException e) {
      // Reading from a String: only the parser's own exceptions can happen here.
      throw new IllegalStateException(e);
    }
  }

  private YamlNode readValue(JsonToken token, String key) throws IOException {
    Mark mark = mark(parser.currentTokenLocation());
    if (parser.isCurrentAlias()) {
      problems.add(
          mark,
          displayKey(key),
          "YAML aliases (*" + parser.getText() + ") are not supported; write the value out");
      return new Scalar(mark, "*" + parser.getText(), Kind.TEXT);
    }
    return switch (token) {
      case START_OBJECT -> readMap(mark, key);
      case START_ARRAY -> readList(mark, key);
      case VALUE_STRING -> new Scalar(mark, parser.getText(), Kind.TEXT);
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Scalar(mark, parser.getText(), Kind.NUMBER);
      case VALUE_TRUE, VALUE_FALSE -> new Scalar(mark, parser.getText(), Kind.BOOLEAN);
      case VALUE_NULL -> new Scalar(mark, "", Kind.NULL);
      default -> {
        problems.add(mark, displayKey(key), "unsupported YAML value (" + token + ")");
        yield new Scalar(mark, "", Kind.NULL);
      }
    };
  }

  private MapNode readMap(Mark mark, String key) throws IOException {
    List<Entry> entries = new ArrayList<>();
    Map<String, Mark> seen = new HashMap<>();
    JsonToken t;
    while ((t = next(key)) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      Mark keyMark = mark(parser.currentTokenLocation());
      String childKey = key.isEmpty() ? name : key + "." + name;
      YamlNode value = readValue(next(childKey), childKey);
      Mark first = seen.putIfAbsent(name, keyMark);
      if (first == null) {
        entries.add(new Entry(name, keyMark, value));
      } else {
        problems.add(
            keyMark,
            childKey,
            "duplicate key '" + name + "' (first at line " + first.line() + "); keep one");
      }
    }
    expect(JsonToken.END_OBJECT, t);
    return new MapNode(mark, entries);
  }

  private ListNode readList(Mark mark, String key) throws IOException {
    List<YamlNode> items = new ArrayList<>();
    JsonToken t;
    while ((t = next(key)) != JsonToken.END_ARRAY && t != null) {
      items.add(readValue(t, key + "[" + items.size() + "]"));
    }
    expect(JsonToken.END_ARRAY, t);
    return new ListNode(mark, items);
  }

  /** The next token; {@code key} is where a syntax error in it would be reported. */
  private JsonToken next(String key) throws IOException {
    currentKey = key;
    return parser.nextToken();
  }

  private void expect(JsonToken wanted, JsonToken got) {
    if (got != wanted) {
      // The parser reports real syntax errors itself; this guards against a truncated stream.
      throw new IllegalStateException("YAML parser gave " + got + " where " + wanted + " belongs");
    }
  }

  /**
   * Records a syntax error. SnakeYAML's own mark points at the offending character; Jackson's
   * location is often the last good token, so the former wins when present.
   */
  private void syntaxProblem(JsonProcessingException e) {
    Mark mark = mark(e.getLocation());
    String message = e.getOriginalMessage();
    if (e.getCause() instanceof MarkedYAMLException y) {
      if (y.getProblemMark() != null) {
        mark = new Mark(y.getProblemMark().getLine() + 1, y.getProblemMark().getColumn() + 1);
      }
      message = y.getContext() == null ? y.getProblem() : y.getContext() + ": " + y.getProblem();
    }
    problems.add(mark, displayKey(currentKey), "malformed YAML: " + oneLine(message));
  }

  private static String oneLine(String message) {
    String m = message == null ? "" : message.strip();
    int cut = m.indexOf("\n in ");
    return (cut >= 0 ? m.substring(0, cut) : m).replace('\n', ' ');
  }

  private static String displayKey(String key) {
    return key.isEmpty() ? "(root)" : key;
  }

  private static Mark mark(JsonLocation l) {
    return l == null
        ? Mark.NONE
        : new Mark(Math.max(l.getLineNr(), 0), Math.max(l.getColumnNr(), 0));
  }
}
