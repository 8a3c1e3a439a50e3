package io.fleetrun.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a local program with a bounded wait and returns its exit code and merged output. Used by
 * the test fixtures for {@code ssh-keygen} and {@code sshd -t}, and by tests that run the OpenSSH
 * client. Output goes through a temporary file, so a chatty program never blocks on a full pipe.
 */
public final class LocalCommand {
  private LocalCommand() {}

  /**
   * What a finished (or timed-out) program left behind.
   *
   * @param exitCode the exit code, or -1 when the program was killed after the timeout
   * @param output stdout and stderr, interleaved
   * @param timedOut true when the program did not end within the timeout
   */
  public record Result(int exitCode, String output, boolean timedOut) {
    /** True when the program ended by itself with exit code 0. */
    public boolean ok() {
      return !timedOut && exitCode == 0;
    }
  }

  /** Runs {@code argv} with stdin from /dev/null and waits at most {@code timeout}. */
  public static Result run(Duration timeout, List<String> argv) {
    Path out = null;
    try {
      out = Files.createTempFile("fleetrun-cmd-", ".out");
      Process process =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!ended) {
        process.destroyForcibly();
        // Bounded: a SIGKILLed child is reaped promptly; never hang a test on it.
        process.waitFor(2, TimeUnit.SECONDS);
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      return new Result(ended ? process.exitValue() : -1, text, !ended);
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + argv, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + argv, e);
    } finally {
      deleteQuietly(out);
    }
  }

  /** Same as {@link #run(Duration, List)}. */
  public static Result run(Duration timeout, String... argv) {
    return run(timeout, List.of(argv));
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temp file is harmless; the test result matters more
    }
  }
}
