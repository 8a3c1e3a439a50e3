package io.fleetrun.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures the formatted log lines of one logger and its children (as "LEVEL message") while
 * open, for tests that check what an operator reads in the log. The logger logs INFO while open
 * (another test class of the same JVM may have quietened it); its level is restored at close.
 */
public final class LogLines implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level level;

  private LogLines(Logger logger) {
    this.logger = logger;
    this.level = logger.getLevel();
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  /** Captures logger {@code name} (a class or package name) and those below it. */
  public static LogLines of(String name) {
    return new LogLines((Logger) LoggerFactory.getLogger(name));
  }

  /** The lines so far that contain {@code text}. */
  public List<String> containing(String text) {
    synchronized (appender) { // AppenderBase.doAppend holds this lock while it adds
      return appender.list.stream()
          .map(e -> e.getLevel() + " " + e.getFormattedMessage())
          .filter(line -> line.contains(text))
          .toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(level);
  }
}
