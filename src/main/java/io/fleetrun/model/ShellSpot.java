package io.fleetrun.model;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where in a script a placeholder or an evaluating construct stands, found by {@link
 * PlaceholderContexts}.
 *
 * @param where what it stands in, for a message: {@code "double quotes"}, {@code "`$((`"}
 * @param line 1-based line inside the command's content
 * @param fix what the config author can do about a string placeholder there
 */
record ShellSpot(String where, int line, Fix fix) {
  // After "${": indirection, or a name followed by a subscript, a substring offset or @P.
  private static final Pattern PARAM_START =
      Pattern.compile("(!)|#?[A-Za-z_][A-Za-z0-9_]*(?:\\[([^\\]]*)]|:(?![-=?+])|(@P))");
  private static final Pattern SAFE_SUBSCRIPT = Pattern.compile("[0-9]+|[@*]");

  /** The 1-based line of index {@code i} in {@code s}. */
  static int lineAt(String s, int i) {
    int line = 1;
    for (int k = 0; k < Math.min(i, s.length()); k++) {
      if (s.charAt(k) == '\n') {
        line++;
      }
    }
    return line;
  }

  /**
   * What bash evaluates in the parameter expansion whose text starts at {@code from} (just after
   * {@code ${}): an indirection, a prompt expansion, a substring offset or a subscript (which are
   * arithmetic), or empty.
   */
  static Optional<String> parameterHazard(String s, int from) {
    Matcher m = PARAM_START.matcher(s).region(from, s.length());
    if (!m.lookingAt()) {
      return Optional.empty();
    }
    if (m.group(1) != null) {
      return Optional.of("an indirect expansion `${!`");
    }
    if (m.group(3) != null) {
      return Optional.of("a prompt expansion `${…@P}`");
    }
    if (m.group(2) == null) {
      return Optional.of("a substring offset `${name:…}`");
    }
    return SAFE_SUBSCRIPT.matcher(m.group(2)).matches()
        ? Optional.empty()
        : Optional.of("an array subscript `" + m.group() + "`");
  }

  /** The advice that fits the context. */
  enum Fix {
    /** A quoting context: a variable keeps the value literal ({@code v={{m}}; echo "$v"}). */
    VARIABLE,
    /** Only a number is safe there: {@code type: integer}. */
    INTEGER,
    /** The value would be a program, code or a variable name: do not put a value there. */
    NOT_THERE
  }
}
