package io.fleetrun.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What a config is resolved against besides its own text.
 *
 * @param file the config file, absolute
 * @param home the folder {@code ~} stands for
 * @param userName the login user when the config names none (the user running the daemon)
 * @param clock now, for checks that depend on it (a cron whose last fire time has passed)
 */
record LoadContext(Path file, Path home, String userName, Clock clock) {
  LoadContext {
    file = file.toAbsolutePath().normalize();
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(userName, "userName");
    Objects.requireNonNull(clock, "clock");
  }

  /** A context on the system clock. */
  LoadContext(Path file, Path home, String userName) {
    this(file, home, userName, Clock.systemUTC());
  }

  /** The context of the user running this JVM. */
  static LoadContext ofSystem(Path file) {
    return new LoadContext(
        file, Path.of(System.getProperty("user.home")), System.getProperty("user.name"));
  }

  /** The folder relative paths in the config are relative to. */
  Path baseDir() {
    Path parent = file.getParent();
    return parent != null ? parent : file.getRoot();
  }

  /**
   * {@code text} as an absolute path: a leading {@code ~} is the home folder, a relative path is
   * relative to the config file's folder.
   *
   * @throws InvalidPathException when the text cannot be a path
   */
  Path resolve(String text) {
    String t = text.trim();
    Path p;
    if (t.equals("~")) {
      p = home;
    } else if (t.startsWith("~/")) {
      p = home.resolve(t.substring(2));
    } else {
      p = baseDir().resolve(t);
    }
    return p.toAbsolutePath().normalize();
  }
}
