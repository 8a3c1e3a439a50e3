package io.fleetrun.exec;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A run's process group on its target, as its wrapper reported it: the group id (its leader's
 * pid) and, where the target has {@code /proc}, the leader's start time (field 22,
 * {@code starttime}, of {@code /proc/PID/stat}: clock ticks since boot). A pid is reused once
 * its process is gone, a pid with its start time never is; and unlike the run's marker, which
 * the leader loses when it execs into {@code env -i}, {@code sudo} or a program that rewrites
 * its title, the start time survives every {@code exec}.
 *
 * @param id the process group id, 2 or more
 * @param leaderStart the leader's start time, empty where the target has no {@code /proc}
 */
public record RemoteGroup(long id, OptionalLong leaderStart) {
  public RemoteGroup {
    if (id < 2) {
      throw new IllegalArgumentException("not a process group fleetrun may signal: " + id);
    }
    Objects.requireNonNull(leaderStart, "leaderStart");
    if (leaderStart.isPresent() && leaderStart.getAsLong() < 0) {
      throw new IllegalArgumentException("negative start time " + leaderStart.getAsLong());
    }
  }
}
