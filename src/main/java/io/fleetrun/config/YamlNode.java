package io.fleetrun.config;

import java.util.List;

/**
 * A node of a parsed YAML document that remembers where it was written, so every problem can be
 * reported with its line and column. Built by {@link YamlTreeReader}; never leaves this package.
 */
sealed interface YamlNode {

  /** Where the node starts: 1-based line and column. */
  Mark mark();

  /** What kind of value this is, in words for messages: "a map", "a list", "text". */
  String describe();

  /** A position in the config file. */
  record Mark(int line, int column) {
    static final Mark NONE = new Mark(0, 0);
  }

  /** A mapping; entries keep their order and the position of each key. */
  record MapNode(Mark mark, List<Entry> entries) implements YamlNode {
    public MapNode {
      entries = List.copyOf(entries);
    }

    @Override
    public String describe() {
      return "a map";
    }
  }

  /** One {@code key: value} pair of a {@link MapNode}. */
  record Entry(String key, Mark keyMark, YamlNode value) {}

  /** A sequence. */
  record ListNode(Mark mark, List<YamlNode> items) implements YamlNode {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A scalar with its text as written (so {@code 0755} and {@code yes} stay what the operator
   * typed) and the type YAML gave it.
   */
  record Scalar(Mark mark, String text, Kind kind) implements YamlNode {
    @Override
    public String describe() {
      return switch (kind) {
        case TEXT -> "text";
        case NUMBER -> "a number";
        case BOOLEAN -> "true/false";
        case NULL -> "nothing";
      };
    }

    boolean isNull() {
      return kind == Kind.NULL;
    }
  }

  /** The YAML type of a scalar. */
  enum Kind {
    TEXT,
    NUMBER,
    BOOLEAN,
    NULL
  }
}
