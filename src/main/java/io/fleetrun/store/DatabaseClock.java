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
 * old is its beat" is judged against it in SQL, so nodes and CLIs whose clocks differ still agree
 * on who is alive. PostgreSQL only: SQLite has one daemon, which keeps its injected Clock.
 */
final class DatabaseClock {
  /** The database's now, in the schema's UTC text. */
  static final String NOW_TEXT = text("clock_timestamp()");

  private static final DataType<Instant> UTC = SQLDataType.VARCHAR.asConvertedDataType(new UtcText());

  private DatabaseClock() {}

  /** A PostgreSQL timestamp as the schema's UTC text (fixed millis: text order is time order). */
  static String text(String timestamp) {
    return "to_char((" + timestamp + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
  }

  /** The database's now, to write into or compare with a {@code *_at} column. */
  static Field<Instant> now() {
    return DSL.field(NOW_TEXT, UTC);
  }

  /** The database's now minus {@code age}: a beat older than this is older than {@code age}. */
  static Field<Instant> ago(Duration age) {
    return DSL.field(text("clock_timestamp() - make_interval(secs => " + age.toMillis() / 1000.0 + ")"), UTC);
  }
}
