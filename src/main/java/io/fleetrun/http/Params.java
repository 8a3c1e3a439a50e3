package io.fleetrun.http;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The query parameters of one request, checked: a parameter the route does not take ({@link
 * Route#params}), one given twice, or a value of the wrong form is refused (400) naming the parameter. Values are never
 * put into SQL text; they become typed values bound as parameters.
 */
final class Params {
  static final int DEFAULT_MAX_RESULTS = 20;
  static final int MAX_RESULTS = 100;

  /**
   * What the API takes as an id (instance, command, job, invoke id) wherever a request names one:
   * letters, digits, {@code . _ -}, at most 128 characters.
   */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final Map<String, List<String>> values;

  /** The request's parameters, as checked against its route's list before its handler ran. */
  static Params of(Context ctx) {
    return java.util.Objects.requireNonNull(ctx.attribute(Params.class.getName()), "no checked parameters");
  }

  Params(Map<String, List<String>> values, List<String> accepted) {
    this.values = values;
    for (Map.Entry<String, List<String>> e : values.entrySet()) {
      if (!accepted.contains(e.getKey())) {
        throw ApiException.badParameter(Guard.printable(e.getKey()),
            accepted.isEmpty() ? "is not known here; this takes no query parameters"
                : "is not known here; known: " + String.join(", ", accepted));
      }
      if (e.getValue().size() > 1) {
        throw ApiException.badParameter(e.getKey(), "is given more than once");
      }
    }
  }

  Optional<String> text(String name) {
    List<String> v = values.get(name);
    if (v == null || v.isEmpty()) {
      return Optional.empty();
    }
    if (v.get(0).isBlank()) {
      throw ApiException.badParameter(name, "is empty");
    }
    if (v.get(0).length() > 256) {
      throw ApiException.badParameter(name, "is longer than 256 characters");
    }
    return Optional.of(v.get(0));
  }

  /** One of the enum's constant names, exactly (statuses are written as in the database). */
  <E extends Enum<E>> Optional<E> oneOf(String name, Class<E> type) {
    return text(name).map(t -> Arrays.stream(type.getEnumConstants())
        .filter(c -> c.name().equals(t))
        .findFirst()
        .orElseThrow(() -> ApiException.badParameter(name, "must be one of "
            + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()))));
  }

  /** An id-like value ({@link #ID}), turned into its id type. */
  <T> Optional<T> id(String name, Function<String, T> make) {
    return text(name).map(t -> {
      if (!ID.matcher(t).matches()) {
        throw ApiException.badParameter(name, "must be an id: letters, digits, '.', '_' or '-'");
      }
      return make.apply(t);
    });
  }

  /** An ISO-8601 instant in UTC, like {@code 2026-12-01T02:00:00Z}. */
  Optional<Instant> instant(String name) {
    return text(name).map(t -> {
      try {
        return Instant.parse(t);
      } catch (DateTimeParseException e) {
        throw ApiException.badParameter(name, "must be an ISO-8601 time like 2026-12-01T02:00:00Z");
      }
    });
  }

  /** {@code maxResults}: 1 to {@value #MAX_RESULTS}, default {@value #DEFAULT_MAX_RESULTS}. */
  int maxResults() {
    return text("maxResults").map(t -> {
      if (!t.matches("[0-9]{1,3}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > MAX_RESULTS) {
        throw ApiException.badParameter("maxResults", "must be a whole number from 1 to " + MAX_RESULTS);
      }
      return Integer.parseInt(t);
    }).orElse(DEFAULT_MAX_RESULTS);
  }

  boolean bool(String name, boolean otherwise) {
    return text(name).map(t -> switch (t) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiException.badParameter(name, "must be true or false");
    }).orElse(otherwise);
  }

  /** One of {@code words}, exactly. */
  Optional<String> word(String name, List<String> words) {
    return text(name).map(t -> {
      if (!words.contains(t)) {
        throw ApiException.badParameter(name, "must be one of " + String.join(", ", words));
      }
      return t;
    });
  }
}
