package io.fleetrun.model;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The values a command parameter accepts: its type and, optionally, a regular expression the whole
 * value must match. Checked before anything runs, in one place for config and ad-hoc runs ({@link
 * #refusals}).
 *
 * <p>A pattern proves nothing about code: the shell would still evaluate {@code a[$(reboot)]} where
 * it evaluates arithmetic, whatever pattern the author meant. Only {@link ParameterType#INTEGER}
 * changes where a placeholder may stand.
 *
 * @param pattern a {@link Pattern} the whole value must match
 */
public record ParameterRule(ParameterType type, Optional<String> pattern) {
  /** A string parameter with no pattern, as every parameter was before types. */
  public static final ParameterRule ANY_STRING =
      new ParameterRule(ParameterType.STRING, Optional.empty());

  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");

  /**
   * @throws java.util.regex.PatternSyntaxException when {@code pattern} is not a valid regex
   */
  public ParameterRule {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(pattern, "pattern");
    pattern.ifPresent(Pattern::compile);
  }

  /** Why {@code value} is refused (completing "parameter 'n' ..."), or empty when it fits. */
  public Optional<String> refusal(String value) {
    if (type == ParameterType.INTEGER && !INTEGER.matcher(value).matches()) {
      return Optional.of(
          "is declared `type: integer` and must match -?[0-9]{1,18} (digits, an optional leading"
              + " '-', no spaces), got " + quoted(value));
    }
    if (pattern.isPresent() && !Pattern.compile(pattern.get()).matcher(value).matches()) {
      return Optional.of(
          "must match the pattern " + pattern.get() + " (the whole value), got " + quoted(value));
    }
    return Optional.empty();
  }

  /**
   * Every refused value among {@code values}, as "parameter 'name' ..." sentences, in the order of
   * {@code values}; a name without a rule is a plain string and always fits.
   */
  public static java.util.List<String> refusals(
      Map<String, ParameterRule> rules, Map<String, String> values) {
    return values.entrySet().stream()
        .flatMap(
            e ->
                rules.getOrDefault(e.getKey(), ANY_STRING).refusal(e.getValue()).stream()
                    .map(why -> "parameter '" + e.getKey() + "' " + why))
        .toList();
  }

  private static String quoted(String value) {
    String shown = value.length() > 60 ? value.substring(0, 60) + "…" : value;
    return "'" + TerminalText.visible(shown) + "'";
  }
}
