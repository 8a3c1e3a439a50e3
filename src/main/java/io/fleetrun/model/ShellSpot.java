package io.fleetrun.model;

/**
 * Where in a script a placeholder or an evaluating construct stands, found by {@link
 * PlaceholderContexts}.
 *
 * @param where what it stands in, for a message: {@code "double quotes"}, {@code "`$((`"}
 * @param line 1-based line inside the command's content
 * @param fix what the config author can do about a string placeholder there
 */
record ShellSpot(String where, int line, Fix fix) {
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
