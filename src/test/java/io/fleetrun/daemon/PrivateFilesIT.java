package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.store.Database;
import io.fleetrun.testing.FleetrunProcess;
import io.fleetrun.testing.LocalCommand;
import io.fleetrun.testing.SqlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files that hold outputs and parameters are private whatever the umask: the daemon and the
 * demo run under {@code umask 022} (what a login shell gives, outside systemd), started as plain
 * {@code java} so that nothing but fleetrun itself sets the modes. Java cannot set a umask, hence
 * the {@code sh -c 'umask 022; exec ...'}.
 */
class PrivateFilesIT {
  private static final String PRIVATE_FILE = "rw-------";
  private static final String PRIVATE_FOLDER = "rwx------";

  @TempDir Path dir;
  private Process daemon;

  @AfterEach
  void stopDaemon() throws InterruptedException {
    if (daemon != null) {
      daemon.destroy();
      if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
  }

  @Test
  void daemonCreatesItsDatabaseWalShmLogAndFoldersPrivateUnderUmask022() throws Exception {
    Path data = dir.resolve("data");
    Path db = data.resolve("fleetrun.db");
    Path logs = dir.resolve("logs");
    daemon = startDaemon(db, logs);

    awaitDaemonUp(db, logs);
    assertThat(mode(data)).as(data.toString()).isEqualTo(PRIVATE_FOLDER);
    for (Path file : List.of(db, wal(db), shm(db), logs.resolve("fleetrun.log"))) {
      assertThat(mode(file)).as(file.toString()).isEqualTo(PRIVATE_FILE);
    }
    assertThat(mode(logs)).as(logs.toString()).isEqualTo(PRIVATE_FOLDER);
  }

  @Test
  void daemonTightensAnExistingDatabaseAndItsWalAndShmAndSaysSo() throws Exception {
    Path db = dir.resolve("fleetrun.db");
    Path logs = dir.resolve("logs");
    // An older fleetrun (or sqlite3 under umask 022) made them readable by everyone.
    try (Database older = Database.open("jdbc:sqlite:" + db)) {
      older.dsl().fetch("SELECT count(*) FROM invocation");
      for (Path file : List.of(db, wal(db), shm(db))) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      }
      daemon = startDaemon(db, logs);
      awaitDaemonUp(db, logs);
      for (Path file : List.of(db, wal(db), shm(db))) {
        assertThat(mode(file)).as(file.toString()).isEqualTo(PRIVATE_FILE);
      }
    }
    assertThat(Files.readString(logs.resolve("fleetrun.log")))
        .contains("WARN")
        .contains(db + " was open to group or others (rw-r--r--); made it rw-------");
  }

  @Test
  void demoCreatesItsFolderKeysAndDatabasePrivateUnderUmask022() throws Exception {
    Path demo = dir.resolve("demo");
    LocalCommand.Result result =
        LocalCommand.run(
            Duration.ofSeconds(90),
            umask022(FleetrunProcess.command("demo", "--duration", "3s", "--dir", demo.toString())
                .command()));
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(mode(demo)).isEqualTo(PRIVATE_FOLDER);
    assertThat(mode(demo.resolve("ssh"))).isEqualTo(PRIVATE_FOLDER);
    assertThat(mode(demo.resolve("fleetrun.db"))).isEqualTo(PRIVATE_FILE);
  }

  private Process startDaemon(Path db, Path logs) throws IOException {
    Path logback = dir.resolve("logback.xml");
    Files.writeString(
        logback,
        LogbackConfigTest.withFileAppender(Files.readString(Path.of("config", "logback.xml"))));
    Path config = dir.resolve("fleetrun.yaml");
    Files.writeString(
        config,
        """
        database: { url: "jdbc:sqlite:%s" }
        ssh: { knownHosts: %s }
        instances: [ { id: a, host: 127.0.0.1, port: 1 } ]
        commands: [ { id: c, content: "true" } ]
        """
            .formatted(db, dir.resolve("known_hosts")));
    List<String> java = new ArrayList<>();
    for (String arg : FleetrunProcess.command("daemon", "--config", config.toString()).command()) {
      if (arg.startsWith("-Dlogback.configurationFile=")) {
        java.add("-Dlogback.configurationFile=" + logback);
        java.add("-Dfleetrun.logDir=" + logs);
      } else {
        java.add(arg);
      }
    }
    return new ProcessBuilder(umask022(java))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("daemon.out").toFile())
        .start();
  }

  private void awaitDaemonUp(Path db, Path logs) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () ->
                !daemon.isAlive()
                    // The files first: reading a database that does not exist yet would create it.
                    || (Files.exists(wal(db))
                        && Files.exists(shm(db))
                        && Files.size(logs.resolve("fleetrun.log")) > 0
                        && SqlReader.firstColumn(db, "SELECT count(*) FROM daemon_heartbeat")
                            .equals(List.of("1"))));
    assertThat(daemon.isAlive()).as(output()).isTrue();
  }

  private String output() {
    try {
      return Files.readString(dir.resolve("daemon.out"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static List<String> umask022(List<String> argv) {
    List<String> sh = new ArrayList<>(List.of("sh", "-c", "umask 022; exec \"$@\"", "sh"));
    sh.addAll(argv);
    return sh;
  }

  private static Path wal(Path db) {
    return db.resolveSibling(db.getFileName() + "-wal");
  }

  private static Path shm(Path db) {
    return db.resolveSibling(db.getFileName() + "-shm");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
