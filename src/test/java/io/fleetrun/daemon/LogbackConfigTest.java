package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/logback.xml is what the daemon logs with in production; a mistake there makes logback
 * fall back to its defaults (DEBUG on stdout) without failing anything else.
 */
class LogbackConfigTest {
  private static final Path SHIPPED = Path.of("config", "logback.xml");

  @TempDir Path dir;

  @Test
  void shippedConfigLoadsWithoutErrors() throws Exception {
    LoggerContext context = configure(SHIPPED, dir.resolve("unused"));
    try {
      assertThat(errors(context)).isEmpty();
      assertThat(context.getLogger("ROOT").getAppender("CONSOLE")).isNotNull();
    } finally {
      context.stop();
    }
  }

  /** The HTTP server's libraries say INFO at every start and stop; the daemon logs the address. */
  @Test
  void jettyAndJavalinLogOnlyWarnings() throws Exception {
    LoggerContext context = configure(SHIPPED, dir.resolve("unused"));
    try {
      assertThat(context.getLogger("org.eclipse.jetty.server.Server").isInfoEnabled()).isFalse();
      assertThat(context.getLogger("org.eclipse.jetty.server.Server").isWarnEnabled()).isTrue();
      assertThat(context.getLogger("io.javalin.Javalin").isInfoEnabled()).isFalse();
      assertThat(context.getLogger("io.fleetrun.http.ApiServer").isInfoEnabled()).isTrue();
    } finally {
      context.stop();
    }
  }

  @Test
  void fileAppenderOnceSwitchedOnWritesToTheLogDir() throws Exception {
    Path switchedOn = dir.resolve("logback.xml");
    Files.writeString(switchedOn, withFileAppender(Files.readString(SHIPPED)));
    Path logDir = dir.resolve("var-log-fleetrun");

    LoggerContext context = configure(switchedOn, logDir);
    try {
      assertThat(errors(context)).isEmpty();
      context.getLogger("io.fleetrun.invoke.RecordEndWriter")
          .info("record end t-1/web-1 (disk) status=Finished exit=0 duration=12ms");
    } finally {
      context.stop();
    }
    assertThat(Files.readString(logDir.resolve("fleetrun.log")))
        .contains("INFO  [main] i.f.i.RecordEndWriter - record end t-1/web-1 (disk) status=Finished");
    // Whatever this JVM's umask (PrivateFilesIT checks it under umask 022 in a daemon process).
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(logDir)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(logDir.resolve("fleetrun.log"))))
        .isEqualTo("rw-------");
  }

  /** What the README tells an operator to do: uncomment the appender and its reference. */
  static String withFileAppender(String xml) {
    int start = xml.indexOf("  <appender name=\"FILE\"");
    int end = xml.indexOf("</appender>", start) + "</appender>".length();
    String block = xml.substring(start, end);
    String closing = xml.substring(end, xml.indexOf("-->", end) + "-->".length());
    assertThat(closing.strip()).isEqualTo("-->");
    return xml.replace(block + closing, "-->\n" + block)
        .replace("<!-- <appender-ref ref=\"FILE\"/> -->", "<appender-ref ref=\"FILE\"/>");
  }

  private static LoggerContext configure(Path file, Path logDir) throws JoranException, IOException {
    LoggerContext context = new LoggerContext();
    // A context of one's own lacks what the slf4j binding gives the default one.
    context.setMDCAdapter(new LogbackMDCAdapter());
    context.putProperty("fleetrun.logDir", logDir.toString());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(file.toFile());
    return context;
  }

  private static List<String> errors(LoggerContext context) {
    return context.getStatusManager().getCopyOfStatusList().stream()
        .filter(s -> s.getLevel() >= Status.WARN)
        .map(Status::toString)
        .toList();
  }
}
