package io.fleetrun.daemon;

import io.fleetrun.store.ClusterNode;
import java.util.List;
import java.util.Optional;

/**
 * Whether a starting cluster node makes the shared schedule follow its config file. Each node
 * watches its own file, and the schedule (Quartz's triggers, the Running periodic invocations) is
 * one for the cluster: a node that applied its file at every start would undo, with an old file,
 * what another node applied from a newer one (unschedule a job it lacks, stop its invocation,
 * put an old schedule back). So the rule is: scheduling changes are applied by a node when its
 * own file changes (a reload: the last edit applied wins), and at start only when no other live
 * node runs a config file with other content (config digest); otherwise the node defers, logs
 * which node differs, and applies its file at its next change. A job removed from every node's
 * file is stopped once, by the first node whose reload removes it; the others find nothing left
 * to stop.
 */
final class StartScheduling {
  private StartScheduling() {}

  /**
   * The live node (by the database's clock, see {@link ClusterNode}), other than {@code self},
   * that runs a config file with other content than {@code ownDigest}, if any: while one does,
   * {@code self} defers. Empty: apply the file.
   */
  static Optional<ClusterNode> deferTo(List<ClusterNode> nodes, String self, String ownDigest) {
    return nodes.stream()
        .filter(n -> !n.nodeId().equals(self))
        .filter(n -> n.state() == ClusterNode.State.LIVE)
        .filter(n -> !n.configDigest().equals(ownDigest))
        .findFirst();
  }
}
