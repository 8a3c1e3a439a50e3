package io.fleetrun.model;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How this daemon is known as a node of a cluster ({@code cluster:} in config). Only PostgreSQL
 * databases run clusters; a SQLite daemon ignores both settings.
 *
 * @param nodeId the node id the config gives ({@code cluster.nodeId}); empty: the id kept in
 *     {@code nodeIdFile}, made up on first start
 * @param nodeIdFile where a made-up node id is kept across restarts ({@code cluster.nodeIdFile},
 *     absolute)
 */
public record ClusterSettings(Optional<String> nodeId, Path nodeIdFile) {
  /** Where the made-up node id is kept, relative to the config file's folder, by default. */
  public static final String DEFAULT_NODE_ID_FILE = "data/node-id";

  public ClusterSettings {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(nodeIdFile, "nodeIdFile");
  }

  /** No node id in config; the id file at its default place next to {@code configFile}. */
  public static ClusterSettings defaults(Path configFile) {
    Path folder = configFile.toAbsolutePath().normalize().getParent();
    return new ClusterSettings(Optional.empty(), folder.resolve(DEFAULT_NODE_ID_FILE).normalize());
  }
}
