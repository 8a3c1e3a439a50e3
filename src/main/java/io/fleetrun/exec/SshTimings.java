package io.fleetrun.exec;

import java.time.Duration;

/**
 * Hears how long SSH connections took to open (a metric, say): called on an SSH thread once a
 * new connection is connected and logged in, so it must return at once.
 */
@FunctionalInterface
public interface SshTimings {
  SshTimings NONE = took -> {};

  /** A new connection took {@code connectAndLogin} from TCP connect to a successful login. */
  void connected(Duration connectAndLogin);
}
