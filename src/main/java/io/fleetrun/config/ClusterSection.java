package io.fleetrun.config;

import io.fleetrun.model.ClusterSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code cluster:}: the node id of this daemon in a PostgreSQL cluster. A node id is
 * written like every other id (it appears in logs, {@code fleetrun status} and the database).
 */
final class ClusterSection {
  static final List<String> KEYS = List.of("nodeId", "nodeIdFile");

  private ClusterSection() {}

  static ClusterSettings read(Optional<MapReader> section, LoadContext context) {
    ClusterSettings defaults = ClusterSettings.defaults(context.file());
    if (section.isEmpty()) {
      return defaults;
    }
    MapReader r = section.get();
    Optional<String> nodeId = r.nonBlankText("nodeId").filter(id -> wellFormed(r, id));
    Path file = r.path("nodeIdFile", context).orElse(defaults.nodeIdFile());
    return new ClusterSettings(nodeId, file);
  }

  private static boolean wellFormed(MapReader r, String id) {
    if (ConfigDefaults.ID.matcher(id).matches()) {
      return true;
    }
    r.problem("nodeId", "node id '%s' %s".formatted(id, IdRegistry.ID_RULE));
    return false;
  }
}
