package io.fleetrun.exec;

import java.util.List;
import java.util.Objects;

/** What became of a run a previous daemon left behind, after {@link RemoteExecutor#killOrphan}. */
public sealed interface OrphanKill {

  /** The run's process groups were alive and carried its marker; they got TERM, grace, KILL. */
  record Killed(List<Long> processGroups) implements OrphanKill {
    public Killed {
      processGroups = List.copyOf(processGroups);
    }
  }

  /**
   * Nothing of the run is alive on the target: no such process, or the process group id now
   * belongs to another program (it lacks the marker) and was left alone.
   */
  record NotRunning(String detail) implements OrphanKill {
    public NotRunning {
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** The target could not be asked (connect, login, channel, no answer in time). */
  record Unreachable(String reason) implements OrphanKill {
    public Unreachable {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
