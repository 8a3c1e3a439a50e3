package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.Instance;
import io.fleetrun.model.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  @TempDir Path dir;

  private final Credentials credentials =
      new Credentials(Map.of("FLEET_PW", "from-env")::get);

  private static Instance instance(Optional<Path> key, Optional<SecretRef> password) {
    return SshFixture.instance(22, key, password);
  }

  @Test
  void passwordComesFromTheEnvironmentVariable() throws Exception {
    Credentials.Offer offer =
        credentials.load(instance(Optional.empty(), Optional.of(new SecretRef.Env("FLEET_PW"))));

    assertThat(offer.password()).contains("from-env");
    assertThat(offer.keys()).isEmpty();
    assertThat(offer.toString()).doesNotContain("from-env");
  }

  @Test
  void missingVariableIsNamedButNoSecretIsShown() {
    assertThatThrownBy(() ->
        credentials.load(instance(Optional.empty(), Optional.of(new SecretRef.Env("NOPE")))))
        .isInstanceOf(Credentials.UnavailableException.class)
        .hasMessageContaining("NOPE");
  }

  @Test
  void passwordFileLosesItsTrailingNewlineOnly() throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), " spaced secret \n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    Credentials.Offer offer =
        credentials.load(instance(Optional.empty(), Optional.of(new SecretRef.File(file))));

    assertThat(offer.password()).contains(" spaced secret ");
  }

  @Test
  void keyRotatedInPlaceIsUsedByTheNextLoad() throws Exception {
    Path key = EmbeddedSshServer.writeNewKey(dir.resolve("id_ed25519"));
    Instance withKey = instance(Optional.of(key), Optional.empty());
    Credentials.Offer before = credentials.load(withKey);
    assertThat(KeyUtils.compareKeys(credentials.load(withKey).keys().get(0).getPublic(),
        before.keys().get(0).getPublic())).isTrue();

    EmbeddedSshServer.writeNewKey(key); // same path, same size, maybe the same mtime tick

    Credentials.Offer after = credentials.load(withKey);
    assertThat(before.keys()).hasSize(1);
    assertThat(after.keys()).hasSize(1);
    assertThat(KeyUtils.compareKeys(after.keys().get(0).getPublic(),
        before.keys().get(0).getPublic())).isFalse();
  }

  @Test
  void removedKeyFileIsReportedByName() throws Exception {
    Path key = EmbeddedSshServer.writeNewKey(dir.resolve("id_ed25519"));
    Instance withKey = instance(Optional.of(key), Optional.empty());
    credentials.load(withKey);

    Files.delete(key);

    assertThatThrownBy(() -> credentials.load(withKey))
        .isInstanceOf(Credentials.UnavailableException.class)
        .hasMessageContaining(key.toString());
  }
}
