package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A private key or password file that group or others may open is a config error at its key,
 * as OpenSSH refuses such a key; {@code fleetrun validate} and daemon start say so before any run.
 */
class SecretFileModeConfigTest {
  @TempDir Path dir;

  private LoadContext context() {
    return new LoadContext(dir.resolve("fleetrun.yaml"), dir, "ops");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----"})
  void sshIdentityFileOthersMayOpenIsRefusedAtItsKey(String mode) throws IOException {
    Path key = file("id_ed25519", mode);

    ConfigException e =
        refused(
            """
            ssh: { identityFile: %s }
            instances: [ { id: a, host: h } ]
            """
                .formatted(key));

    assertThat(e.problems()).hasSize(1);
    ConfigProblem p = e.problems().get(0);
    assertThat(p.line()).isEqualTo(1);
    assertThat(p.key()).isEqualTo("ssh.identityFile");
    assertThat(p.message())
        .contains("private key " + key)
        .contains(mode)
        .contains("chmod 600 " + key);
  }

  @Test
  void instanceIdentityFileAndPasswordFileOthersMayOpenAreRefusedAtTheirKeys() throws IOException {
    Path key = file("web_key", "rw-r-----");
    Path password = file("web.pw", "rw-r--r--");

    ConfigException e =
        refused(
            """
            instances:
              - { id: a, host: h, identityFile: %s }
              - { id: b, host: h, password: { file: %s } }
            """
                .formatted(key, password));

    assertThat(e.problems())
        .extracting(ConfigProblem::line, ConfigProblem::key)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2, "instances[0].identityFile"),
            org.assertj.core.groups.Tuple.tuple(3, "instances[1].password.file"));
    assertThat(e)
        .hasMessageContaining("chmod 600 " + key)
        .hasMessageContaining("password file " + password)
        .hasMessageContaining("chmod 600 " + password);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-------", "r--------"})
  void filesOnlyTheirOwnerMayOpenAreAccepted(String mode) throws IOException {
    Path key = file("id_" + mode, mode);
    Path password = file("pw_" + mode, mode);

    FleetConfig config =
        ConfigLoader.parse(
            context(),
            """
            ssh: { identityFile: %s }
            instances:
              - { id: a, host: h, identityFile: %s, password: { file: %s } }
            """
                .formatted(key, key, password));

    assertThat(config.fleet().instances()).hasSize(1);
  }

  @Test
  void aMissingFileIsLeftToRunTimeAsBefore() {
    ConfigLoader.parse(
        context(),
        """
        ssh: { identityFile: %s }
        instances: [ { id: a, host: h } ]
        """
            .formatted(dir.resolve("not-yet")));
  }

  private ConfigException refused(String yaml) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(context(), yaml));
    assertThat(e).as("config should be refused").isNotNull();
    return e;
  }

  private Path file(String name, String mode) throws IOException {
    Path f = Files.writeString(dir.resolve(name), "not read at load time\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }
}
