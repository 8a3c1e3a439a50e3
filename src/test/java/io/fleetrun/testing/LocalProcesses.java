package io.fleetrun.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Looks at the live processes of this (Linux) machine through {@code /proc}. The loopback SSH
 * targets run here, so this is how a test proves that a stop or a timeout left no process of a
 * run behind "on the target".
 */
public final class LocalProcesses {
  /** Programs that carry a marker only because somebody is looking for it. */
  private static final Set<String> LOOKERS = Set.of("pgrep", "pkill", "ps", "grep", "pidof");

  private LocalProcesses() {}

  /**
   * Command lines (arguments joined by spaces) of live processes whose command line contains
   * {@code marker}, excluding this JVM and pgrep-like helpers. Zombies and kernel threads have an
   * empty command line and are never listed.
   */
  public static List<String> commandLinesContaining(String marker) {
    if (marker.isBlank()) {
      throw new IllegalArgumentException("marker must not be blank");
    }
    return commandLines(cmd -> cmd.contains(marker));
  }

  /**
   * Live processes whose whole command line (arguments joined by spaces) is {@code commandLine}:
   * a run's real child ({@code sleep 421}), not the shells whose arguments hold the whole script.
   */
  public static List<String> commandLinesEqualTo(String commandLine) {
    return commandLines(commandLine::equals);
  }

  private static List<String> commandLines(java.util.function.Predicate<String> wanted) {
    long self = ProcessHandle.current().pid();
    List<String> found = new ArrayList<>();
    try (DirectoryStream<Path> pids =
        Files.newDirectoryStream(Path.of("/proc"), p -> isNumeric(p.getFileName().toString()))) {
      for (Path pidDir : pids) {
        if (Long.parseLong(pidDir.getFileName().toString()) == self) {
          continue;
        }
        String cmd = commandLine(pidDir);
        if (!cmd.isEmpty() && wanted.test(cmd) && !LOOKERS.contains(programName(cmd))) {
          found.add(cmd);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list /proc", e);
    }
    return found;
  }

  /**
   * True while {@code process} exists and is not a zombie. Unlike {@link ProcessHandle#isAlive()}
   * a dead process that its (new) parent has not reaped yet counts as ended.
   */
  public static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false; // also guards against a reused pid (isAlive compares start times)
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // "pid (comm) S ...": comm may contain spaces and parentheses, the state follows the last ')'
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | IndexOutOfBoundsException e) {
      return false;
    }
  }

  private static String commandLine(Path pidDir) {
    try {
      byte[] raw = Files.readAllBytes(pidDir.resolve("cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
    } catch (IOException e) {
      return ""; // the process ended while we looked: it is not live
    }
  }

  private static String programName(String cmd) {
    int space = cmd.indexOf(' ');
    String argv0 = space < 0 ? cmd : cmd.substring(0, space);
    return argv0.substring(argv0.lastIndexOf('/') + 1);
  }

  private static boolean isNumeric(String name) {
    return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
  }
}
