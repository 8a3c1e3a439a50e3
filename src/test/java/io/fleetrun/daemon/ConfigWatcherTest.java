package io.fleetrun.daemon;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {
  private static final Duration DEBOUNCE = Duration.ofMillis(300);

  @TempDir Path dir;
  private Path file;
  private final AtomicInteger calls = new AtomicInteger();
  private ConfigWatcher watcher;

  @BeforeEach
  void watch() throws Exception {
    file = Files.writeString(dir.resolve("fleetrun.yaml"), "jobs: []\n");
    watcher = ConfigWatcher.start(file, DEBOUNCE, calls::incrementAndGet);
  }

  @AfterEach
  void close() {
    watcher.close();
  }

  @Test
  void aWriteInPlaceGivesOneCallback() throws Exception {
    Files.writeString(file, "jobs: [] # edited\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
    assertQuietFor(Duration.ofMillis(700), 1);
  }

  @Test
  void aTempFileRenamedOverTheConfigGivesACallback() throws Exception {
    Path temp = Files.writeString(dir.resolve(".fleetrun.yaml.swp"), "jobs: [] # saved by an editor\n");
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
  }

  @Test
  void aBurstOfWritesIsOneCallbackAfterTheFolderIsQuiet() throws Exception {
    for (int i = 0; i < 5; i++) {
      Files.writeString(file, "jobs: [] # " + i + "\n");
      Thread.sleep(50);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() >= 1);
    assertQuietFor(Duration.ofMillis(700), 1);
  }

  @Test
  void otherFilesInTheFolderAreIgnored() throws Exception {
    Files.writeString(dir.resolve("fleetrun.db-wal"), "x");
    Files.writeString(dir.resolve("fleetrun.yaml.bak"), "x");
    assertQuietFor(DEBOUNCE.multipliedBy(3), 0);
    // The watcher was live all along: the config itself, written next, is seen.
    Files.writeString(file, "jobs: [] # edited\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
  }

  @Test
  void closeStopsCallbacks() throws Exception {
    watcher.close();
    AtomicInteger peerCalls = new AtomicInteger();
    try (ConfigWatcher peer = ConfigWatcher.start(file, DEBOUNCE, peerCalls::incrementAndGet)) {
      Files.writeString(file, "jobs: [] # after close\n");
      // A watcher still open sees the write; the closed one, which would have seen it at the
      // same moment, stays silent beyond that.
      await().atMost(Duration.ofSeconds(5)).until(() -> peerCalls.get() == 1);
      assertQuietFor(DEBOUNCE.multipliedBy(2), 0);
    }
  }

  private void assertQuietFor(Duration time, int expected) {
    await().during(time).atMost(time.plusSeconds(2)).until(() -> calls.get() == expected);
  }
}
