package io.fleetrun.invoke;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test of the engine on an {@link InvokeRig} of its own in a new folder: started before each
 * test, closed after it (with the invokers made on it). A subclass's own {@code @AfterEach} runs
 * before the rig closes.
 */
abstract class WithInvokeRig {
  @TempDir Path dir;
  InvokeRig rig;

  @BeforeEach
  void startRig() throws IOException {
    rig = InvokeRig.start(dir, connectTimeout());
  }

  @AfterEach
  void closeRig() {
    rig.close();
  }

  /** How long the rig's executor gives a connection. */
  Duration connectTimeout() {
    return Duration.ofSeconds(5);
  }
}
