package io.fleetrun.store;

import io.fleetrun.model.DatabaseSettings;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the PostgreSQL driver's log goes. pgjdbc logs through {@code java.util.logging}, which
 * nothing here bridges: left alone, its warnings went to JUL's own console handler (two lines in
 * JUL's format on stderr, past the daemon's logback format and log files), and some name the
 * whole connection URL, query included (such as "JDBC URL contains too many / characters",
 * which a URL config accepts can trigger). This handler takes the records of logger {@code
 * org.postgresql} instead of JUL's handlers and hands each on as one line, every {@code
 * jdbc:postgresql:} URL in it {@linkplain DatabaseSettings#redacted(String) cut before its
 * query}, with an exception as its class and message only. JUL and its loggers only: the CLI
 * loads no logging framework.
 */
final class PostgresqlDriverLog extends Handler {
  /** Held here: JUL keeps its loggers weakly, and a collected one forgets its handler. */
  private static final Logger DRIVER = Logger.getLogger("org.postgresql");

  private static final Pattern URL = Pattern.compile("jdbc:postgresql:[^\\s\"'<>]*");

  /** Takes one record of the driver's as one line. */
  @FunctionalInterface
  interface Sink {
    void log(Level level, String logger, String line);
  }

  private final Sink sink;

  private PostgresqlDriverLog(Sink sink) {
    this.sink = sink;
  }

  /**
   * Sends the driver's records of {@code level} and above to {@code sink} (level, the driver's
   * logger, one redacted line) and to no other handler, replacing an earlier route.
   */
  static synchronized void route(Sink sink, Level level) {
    for (Handler handler : DRIVER.getHandlers()) {
      if (handler instanceof PostgresqlDriverLog) {
        DRIVER.removeHandler(handler);
      }
    }
    DRIVER.addHandler(new PostgresqlDriverLog(sink));
    DRIVER.setUseParentHandlers(false);
    DRIVER.setLevel(level);
  }

  /** As {@link #route}, unless a route is set already (the daemon's wins over the CLI's). */
  static synchronized void routeUnlessRouted(Sink sink, Level level) {
    for (Handler handler : DRIVER.getHandlers()) {
      if (handler instanceof PostgresqlDriverLog) {
        return;
      }
    }
    route(sink, level);
  }

  /** {@code text} with every PostgreSQL JDBC URL in it cut before its query. */
  static String redact(String text) {
    if (text == null) {
      return "";
    }
    Matcher m = URL.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(DatabaseSettings.redacted(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  @Override
  public void publish(LogRecord record) {
    if (record == null || !isLoggable(record)) {
      return;
    }
    String text = redact(new SimpleFormatter().formatMessage(record));
    Throwable thrown = record.getThrown();
    if (thrown != null) {
      text += (text.isEmpty() ? "" : " ") + thrown.getClass().getName() + ": " + redact(thrown.getMessage());
    }
    sink.log(record.getLevel(), record.getLoggerName(), text);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
