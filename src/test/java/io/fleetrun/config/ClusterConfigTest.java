package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
  private static final Path FILE = Path.of("/srv/fleetrun/fleetrun.yaml");
  private static final LoadContext CONTEXT = new LoadContext(FILE, Path.of("/home/ops"), "ops");

  @Test
  void withoutAClusterSectionTheIdIsKeptInDataNodeIdNextToTheConfig() {
    FleetConfig config = ConfigLoader.parse(CONTEXT, "limits: { maxSessions: 5 }\n");

    assertThat(config.cluster().nodeId()).isEmpty();
    assertThat(config.cluster().nodeIdFile()).isEqualTo(Path.of("/srv/fleetrun/data/node-id"));
  }

  @Test
  void aNodeIdAndAnIdFileAreRead() {
    FleetConfig config = ConfigLoader.parse(CONTEXT, "cluster: { nodeId: db-1.eu, nodeIdFile: ~/state/id }\n");

    assertThat(config.cluster().nodeId()).isEqualTo(Optional.of("db-1.eu"));
    assertThat(config.cluster().nodeIdFile()).isEqualTo(Path.of("/home/ops/state/id"));
  }

  @Test
  void aBadNodeIdOrAnUnknownKeyIsReportedWithLineAndKey() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.parse(CONTEXT, "ssh: { user: root }\ncluster:\n  nodeId: \"-node 1\"\n  nodes: 3\n"));

    assertThat(e.problems()).extracting(ConfigProblem::key)
        .containsExactlyInAnyOrder("cluster.nodeId", "cluster.nodes");
    ConfigProblem bad = e.problems().stream().filter(p -> p.key().equals("cluster.nodeId")).findFirst().orElseThrow();
    assertThat(bad.line()).isEqualTo(3);
    assertThat(bad.message()).contains("node id '-node 1'").contains("1-64 letters, digits");
  }
}
