package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostsFileTest {
  private static final List<SshdSocketAddress> HOST =
      List.of(new SshdSocketAddress("10.0.0.5", 2222));

  @TempDir Path dir;

  private static PublicKey newKey() throws Exception {
    return KeyUtils.generateKeyPair("ssh-ed25519", 256).getPublic();
  }

  @Test
  void aSecondFirstKeyThatDiffersFromTheOneJustAddedIsAChange() throws Exception {
    KnownHostsFile file = KnownHostsFile.of(dir.resolve("known_hosts"));
    PublicKey first = newKey();

    assertThat(file.addIfUnknown(HOST, first)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.addIfUnknown(HOST, newKey())).isEqualTo(KnownHostsFile.Verdict.CHANGED);
    assertThat(file.addIfUnknown(HOST, first)).isEqualTo(KnownHostsFile.Verdict.KNOWN);

    assertThat(Files.readAllLines(file.path()))
        .containsExactly("[10.0.0.5]:2222 " + PublicKeyEntry.toString(first));
  }

  @Test
  void theStampStaysThroughOwnAppendsAndMovesWithAnyOtherEdit() throws Exception {
    KnownHostsFile file = KnownHostsFile.of(dir.resolve("stamped"));
    Object missing = file.stamp();
    file.addIfUnknown(HOST, newKey());
    file.addIfUnknown(List.of(new SshdSocketAddress("10.0.0.6", 2222)), newKey());

    assertThat(file.stamp()).isEqualTo(missing); // accept-new changes no verdict on other keys

    Files.writeString(file.path(), "# edited\n" + Files.readString(file.path()));
    Object edited = file.stamp();
    assertThat(edited).isNotEqualTo(missing);
    file.addIfUnknown(List.of(new SshdSocketAddress("10.0.0.7", 2222)), newKey());
    assertThat(file.stamp()).isEqualTo(edited);
  }

  @Test
  void anEditThatComesWhileTheDaemonAppendsStillMovesTheStamp() throws Exception {
    KnownHostsFile file = KnownHostsFile.of(dir.resolve("raced"));
    PublicKey first = newKey();
    file.addIfUnknown(HOST, first);
    Object trusted = file.stamp(); // a kept connection to HOST was checked under this
    // ssh-keygen -R HOST (a new file moved into place) while the daemon appends another host.
    file.beforeAppend = () -> {
      file.beforeAppend = () -> {};
      try {
        Path edited = Files.writeString(dir.resolve("raced.new"), "# HOST removed\n");
        Files.move(edited, file.path(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };

    file.addIfUnknown(List.of(new SshdSocketAddress("10.0.0.6", 2222)), newKey());

    assertThat(file.check(HOST, first)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.stamp()).as("the removal must not pass for the daemon's own append").isNotEqualTo(trusted);
  }

  @Test
  void oneInstancePerFileWhateverThePathLooksLike() {
    assertThat(KnownHostsFile.of(dir.resolve("a/../known_hosts")))
        .isSameAs(KnownHostsFile.of(dir.resolve("known_hosts")));
  }

  @Test
  void revokedAndOtherHostsAndWellFormedUnsupportedKeys() throws Exception {
    PublicKey key = newKey();
    String entry = PublicKeyEntry.toString(key);
    // A well-formed key of a type MINA does not know is a valid line (OpenSSH may know it).
    String unsupported = "ssh-future@example.com " + java.util.Base64.getEncoder()
        .encodeToString(blob("ssh-future@example.com"));
    Path path = Files.writeString(dir.resolve("revoked"), "other.example " + entry + "\n"
        + "[10.0.0.5]:2222 " + unsupported + "\n@revoked [10.0.0.5]:2222 " + entry + "\n");
    KnownHostsFile file = KnownHostsFile.of(path);

    assertThat(file.check(HOST, key)).isEqualTo(KnownHostsFile.Verdict.REVOKED);
    assertThat(file.check(List.of(new SshdSocketAddress("other.example", 22)), key))
        .isEqualTo(KnownHostsFile.Verdict.KNOWN);
  }

  @Test
  void anUnknownMarkerIsABadLine() throws Exception {
    Path path = Files.writeString(dir.resolve("marker"),
        "@trusted host " + PublicKeyEntry.toString(newKey()) + "\n");

    assertThatThrownBy(() -> KnownHostsFile.of(path).check(HOST, newKey()))
        .isInstanceOf(KnownHostsFile.Unusable.class)
        .hasMessageContaining(path + " line 1")
        .hasMessageContaining("@trusted");
  }

  private static byte[] blob(String type) {
    byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return java.nio.ByteBuffer.allocate(4 + name.length + 8).putInt(name.length).put(name)
        .putInt(4).putInt(42).array();
  }
}
