package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.ClusterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdsTest {
  @TempDir Path dir;

  @Test
  void aMadeUpIdIsKeptInAPrivateFileAndReadAgainAtTheNextStart() throws Exception {
    Path file = dir.resolve("state/data/node-id");
    ClusterSettings cluster = new ClusterSettings(Optional.empty(), file);

    String first = NodeIds.resolve(cluster, "Web 01.example.com");

    assertThat(first).matches("web-01\\.example\\.com-[0-9a-f]{6}");
    assertThat(Files.readString(file)).isEqualTo(first + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state")))).isEqualTo("rwx------");
    assertThat(NodeIds.resolve(cluster, "another-name")).isEqualTo(first);
  }

  @Test
  void theConfiguredIdWinsAndNoFileIsWritten() {
    Path file = dir.resolve("node-id");
    assertThat(NodeIds.resolve(new ClusterSettings(Optional.of("db-1"), file), "host")).isEqualTo("db-1");
    assertThat(file).doesNotExist();
  }

  @Test
  void aFileWithoutAValidIdIsRefusedNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("node-id"), "not an id\n");
    assertThatThrownBy(() -> NodeIds.resolve(new ClusterSettings(Optional.empty(), file), "host"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("cluster.nodeIdFile")
        .hasMessageContaining("holds no valid node id");
  }

  @Test
  void anyHostNameGivesAValidId() {
    SecureRandom random = new SecureRandom();
    assertThat(NodeIds.madeUp("", random)).matches("node-[0-9a-f]{6}");
    assertThat(NodeIds.madeUp("--x", random)).matches("x-[0-9a-f]{6}");
    assertThat(NodeIds.madeUp("h".repeat(300), random)).hasSize(64).matches(NodeIds.ID.pattern());
  }
}
