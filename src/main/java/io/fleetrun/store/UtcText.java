package io.fleetrun.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jooq.impl.AbstractConverter;

/**
 * Instants as the schema stores them: ISO-8601 UTC text with exactly three fraction digits, like
 * {@code 2026-11-28T07:10:03.123Z}. The fixed width is what makes string order time order (an
 * {@link Instant#toString()} drops zero fractions, so {@code 07:10:03Z} would sort after {@code
 * 07:10:03.5Z}). Sub-millisecond precision is cut off. The jOOQ code generator applies this
 * converter to every {@code *_at} and {@code *_time} column.
 */
public final class UtcText extends AbstractConverter<String, Instant> {
  private static final long serialVersionUID = 1L;

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  public UtcText() {
    super(String.class, Instant.class);
  }

  /** {@code instant} in the stored form. */
  public static String format(Instant instant) {
    return FORMAT.format(instant);
  }

  @Override
  public Instant from(String text) {
    return text == null ? null : Instant.parse(text);
  }

  @Override
  public String to(Instant instant) {
    return instant == null ? null : format(instant);
  }
}
