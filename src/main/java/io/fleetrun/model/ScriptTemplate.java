package io.fleetrun.model;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {{name}}} placeholders in command content. Every value is inserted shell-quoted, so
 * a value like {@code x; rm -rf /} stays one literal word, provided the placeholder stands where
 * the shell does nothing more with it: config refuses the others ({@link #unsafePlaceholders}).
 */
public final class ScriptTemplate {
  /** Built-in placeholder: the id of the instance the script runs on. */
  public static final String INSTANCE_ID = "fleetrun.instanceId";

  /** Built-in placeholder: the invoke id of the invocation. */
  public static final String INVOKE_ID = "fleetrun.invokeId";

  /** Names of the built-ins, which need no value in config. */
  public static final Set<String> BUILT_INS = Set.of(INSTANCE_ID, INVOKE_ID);

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

  private ScriptTemplate() {}

  /** The placeholder names used in {@code content}, in order of first use. */
  public static Set<String> placeholders(String content) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(content);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * How the given parameter names fit a command's placeholders, the same for config jobs and
   * ad-hoc runs.
   *
   * @param missing placeholders with no value (built-ins always have one), in order of use
   * @param unused given names no placeholder uses, most likely misspelt, in the given order
   */
  public record ParameterFit(Set<String> missing, Set<String> unused) {
    public ParameterFit {
      missing = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(missing));
      unused = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(unused));
    }
  }

  /**
   * @param placeholders the command's placeholders ({@link #placeholders})
   * @param given the names given for this use (a job's or a run's parameters)
   * @param defaults the names the command has defaults for, which fill but need no use
   */
  public static ParameterFit fit(Set<String> placeholders, Set<String> given, Set<String> defaults) {
    Set<String> missing = new LinkedHashSet<>(placeholders);
    missing.removeAll(BUILT_INS);
    missing.removeAll(given);
    missing.removeAll(defaults);
    Set<String> unused = new LinkedHashSet<>(given);
    unused.removeAll(placeholders);
    return new ParameterFit(missing, unused);
  }

  /**
   * Built-in values are safe anywhere, like integers: instance ids are config ids ({@code
   * [A-Za-z0-9][A-Za-z0-9._-]*}, checked at load) and invoke ids are generated ({@code t-} and
   * base-32), and none of {@code [A-Za-z0-9._-]} means anything to the shell inside any quotes, in
   * arithmetic or in a subscript. {@link #render} refuses a built-in value outside that set, so the
   * claim does not rest on the callers.
   */
  private static final Pattern SAFE_BUILT_IN = Pattern.compile("[A-Za-z0-9._-]+");

  /**
   * The placeholders whose values could be evaluated as code, each with a sentence saying where it
   * stands and what to do instead. The rule, for any target shell (dash, bash, ...):
   *
   * <ul>
   *   <li>a placeholder named in {@code integers} (a {@code type: integer} parameter, whose value
   *       is digits only) and a built-in are safe anywhere;
   *   <li>any other (string) placeholder must stand as a bare word in ordinary argument position:
   *       not inside quotes, {@code $'…'}, a here-document, a comment, {@code ${…}}, arithmetic or
   *       an array subscript; not as the command name; not as an argument of a builtin that runs
   *       it as code or evaluates a subscript in it as a variable name (eval, trap, ., source, let,
   *       unset, read, getopts, mapfile, readarray, wait, printf -v, test -v, the names of
   *       declare/typeset/local/export/readonly);
   *   <li>and only in a script without arithmetic or subscripts anywhere ({@code $((}, {@code $[},
   *       {@code ((}, {@code [[}, {@code let}, {@code declare -i}, {@code ${a[i]}}, {@code
   *       ${s:n}}, {@code ${!v}}, ...): bash evaluates a variable's value as arithmetic there, so
   *       {@code v={{n}}; echo $((v+1))} would run {@code a[$(cmd)]}.
   * </ul>
   *
   * <p>A value there is inserted shell-quoted by {@link #render}, and quote removal makes it one
   * literal word. What a program then does with that word (an option for {@code -x} values, code
   * for {@code sh -c}, {@code ssh host}, {@code awk}) is the config author's to guard.
   *
   * @param integers the names of the command's integer parameters
   */
  public static Map<String, String> unsafePlaceholders(String content, Set<String> integers) {
    PlaceholderContexts.Scan scan = PlaceholderContexts.scan(content, PLACEHOLDER);
    Map<String, String> unsafe = new LinkedHashMap<>();
    for (String name : placeholders(content)) {
      if (integers.contains(name) || BUILT_INS.contains(name)) {
        continue;
      }
      ShellSpot spot = scan.unsafe().get(name);
      if (spot != null) {
        unsafe.put(name, standsIn(name, spot));
      } else if (scan.evaluating().isPresent()) {
        ShellSpot e = scan.evaluating().get();
        unsafe.put(
            name,
            ("{{%s}} is a string parameter and the script uses %s (content line %d), where bash"
                    + " evaluates a variable's value as arithmetic or a name, so the value could"
                    + " reach it and run as code; declare the parameter `type: integer` if it is a"
                    + " number, else remove the arithmetic")
                .formatted(name, e.where(), e.line()));
      }
    }
    return unsafe;
  }

  private static String standsIn(String name, ShellSpot spot) {
    String fix =
        switch (spot.fix()) {
          case VARIABLE ->
              ("a placeholder must be a bare word: assign it to a variable first and use the"
                      + " variable: `v={{%s}}; echo \"msg: $v\"`; if it is a number, declare it"
                      + " `type: integer`")
                  .formatted(name);
          case INTEGER -> "only a number is safe there: declare the parameter `type: integer`";
          case NOT_THERE ->
              "a value there is run as code, a program or a variable name; pass it as an ordinary"
                  + " argument, or declare it `type: integer` if it is a number";
        };
    return "{{%s}} stands inside %s (content line %d), where its value could run as code; %s"
        .formatted(name, spot.where(), spot.line(), fix);
  }

  /**
   * Replaces every placeholder in {@code content} with its shell-quoted value.
   *
   * @throws IllegalArgumentException naming the first placeholder that has no value
   */
  public static String render(String content, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(content);
    StringBuilder out = new StringBuilder(content.length() + 64);
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("placeholder {{" + m.group(1) + "}} has no value");
      }
      if (BUILT_INS.contains(m.group(1)) && !SAFE_BUILT_IN.matcher(value).matches()) {
        throw new IllegalArgumentException(
            "built-in {{" + m.group(1) + "}} has a value outside [A-Za-z0-9._-]");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(shellQuote(value)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * {@code value} as one POSIX shell word: left bare when it holds only safe characters, else in
   * single quotes with each {@code '} written as {@code '\''}.
   */
  public static String shellQuote(String value) {
    if (!value.isEmpty() && value.matches("[A-Za-z0-9_./:=@%+,-]+")) {
      return value;
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
