package io.fleetrun.exec;

import io.fleetrun.model.Instance;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** Starts scripts on instances. Thread-safe; one per daemon. */
public interface RemoteExecutor extends AutoCloseable {

  /**
   * Starts {@code request} and returns at once; connecting, running and waiting happen
   * asynchronously. Never throws for a problem of the target: that becomes the outcome.
   */
  Execution start(ExecutionRequest request);

  /** Ends every execution still running (as by {@link Execution#stop()}) and releases the client. */
  @Override
  void close();

  /**
   * Ends, on {@code instance}, the run marked {@code marker} that a previous daemon left behind:
   * signals process group {@code processGroup} (TERM, grace, KILL) only if its leader still
   * carries the marker (or, below, started at the recorded time), or, when no group id was recorded, every group whose leader carries it.
   * Completes, never exceptionally, within the connect timeout plus the kill grace plus a few
   * seconds; an unreachable target is an {@link OrphanKill.Unreachable} value.
   *
   * @throws IllegalArgumentException for {@link ProcessMarker#ANONYMOUS} or a group id below 2
   */
  default CompletableFuture<OrphanKill> killOrphan(
      Instance instance, OptionalLong processGroup, ProcessMarker marker) {
    return killOrphan(instance, processGroup, OptionalLong.empty(), marker);
  }

  /**
   * As {@link #killOrphan(Instance, OptionalLong, ProcessMarker)}, and the group's leader is
   * also recognised as the run's when it started at {@code leaderStart} (see {@link
   * RemoteGroup}): a pid with its start time is never reused, and it survives the leader's
   * {@code exec} into a program that dropped the marker.
   */
  CompletableFuture<OrphanKill> killOrphan(Instance instance, OptionalLong processGroup,
      OptionalLong leaderStart, ProcessMarker marker);
}
