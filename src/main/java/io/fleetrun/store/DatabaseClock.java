package io.fleetrun.store;

import java.time.Duration;
import java.time.Instant;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The database's clock on PostgreSQL ({@code clock_timestamp()}): the one clock of cluster
 * liveness. Nodes write their beats (and clean stops) with it, and every "is node X alive, how
 * old is its beat" is judged against it, in SQL or read in the same query, so nodes and CLIs whose
 * clocks differ still agree on who is alive. PostgreSQL only: SQLite has one daemon, which keeps its injected Clock.
 */
public final class DatabaseClock {
  /** The schema's UTC text as a PostgreSQL {@code to_char} format (fixed millis). */
  private static final String FORMAT = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

  /**
   * The database's now, in the schema's UTC text. A constant (inlined where used): the CLI's
   * plain-JDBC readers use it without loading this class, and with it jOOQ.
   */
  static final String NOW_TEXT = "to_char(clock_timestamp() AT TIME ZONE 'UTC', " + FORMAT + ")";

  private DatabaseClock() {}

  /** A PostgreSQL timestamp as the schema's UTC text (fixed millis: text order is time order). */
  static String text(String timestamp) {
    return "to_char((" + timestamp + ") AT TIME ZONE 'UTC', " + FORMAT + ")";
  }

  /** The database's now, to write into or compare with a {@code *_at} column. */
  static Field<Instant> now() {
    return DSL.field(NOW_TEXT, utcText());
  }

  /** The database's now minus {@code age}: a beat older than this is older than {@code age}. */
  static Field<Instant> ago(Duration age) {
    return DSL.field(agoText(age), utcText());
  }

  /**
   * The SQL text of {@link #ago}: what a beat written {@code age} ago holds (tests age a node's
   * row with it: liveness is judged by this clock, not by an Instant a test could hand a node).
   */
  public static String agoText(Duration age) {
    return text("clock_timestamp() - make_interval(secs => " + age.toMillis() / 1000.0 + ")");
  }

  private static DataType<Instant> utcText() {
    return SQLDataType.VARCHAR.asConvertedDataType(new UtcText());
  }
}
