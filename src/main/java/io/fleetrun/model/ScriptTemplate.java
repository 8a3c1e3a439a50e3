package io.fleetrun.model;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {{name}}} placeholders in command content. Every value is inserted shell-quoted, so
 * a value like {@code x; rm -rf /} stays one literal word, provided the placeholder stands as a bare
 * word: config refuses the others ({@link #quotedPlaceholders}).
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
   * The placeholders that do not stand as a bare shell word, each with where it stands (for
   * example {@code "double quotes"}, {@code "a here-document"}). There the shell-quoted value of
   * {@link #render} is not one literal word: {@code echo "msg: {{m}}"} with {@code m=$(reboot)}
   * renders {@code "msg: '$(reboot)'"}, and the command runs. The safe form assigns the value to a
   * variable first ({@code v={{m}}; echo "msg: $v"}): an expansion's result is never re-scanned.
   */
  public static Map<String, String> quotedPlaceholders(String content) {
    return PlaceholderContexts.unsafe(content, PLACEHOLDER);
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
