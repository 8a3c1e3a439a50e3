package io.fleetrun.exec;

import static io.fleetrun.exec.SshFixture.await;
import static io.fleetrun.exec.SshFixture.instance;
import static io.fleetrun.exec.SshFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.Instance;
import io.fleetrun.model.Output;
import io.fleetrun.model.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A private key or password file that group or others may open is refused when it is read, as
 * OpenSSH refuses such a key ("UNPROTECTED PRIVATE KEY FILE"): the file may have been loosened
 * after the config was checked. The refusal names the file and the fix.
 */
class SecretFileModeTest {
  @TempDir static Path dir;
  static EmbeddedSshServer server;

  private final Credentials credentials = new Credentials(Map.<String, String>of()::get);

  @BeforeAll
  static void startServer() throws IOException {
    server = SshFixture.startServer(dir.resolve("ssh"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw-rw----", "r--r-----"})
  void keyFileOthersMayOpenEndsTheRunAsCredentialUnavailableNamingFileAndFix(String mode)
      throws IOException {
    Path key = copyOfClientKey("id-" + mode, mode);

    ExecutionOutcome outcome = runWith(instance(server.port(), Optional.of(key), Optional.empty()));

    assertThat(outcome).isInstanceOf(ExecutionOutcome.CouldNotRun.class);
    ExecutionOutcome.CouldNotRun failure = (ExecutionOutcome.CouldNotRun) outcome;
    assertThat(failure.code()).isEqualTo(ErrorCode.CredentialUnavailable);
    assertThat(failure.info())
        .contains("private key " + key)
        .contains(mode)
        .contains("chmod 600 " + key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-------", "r--------"})
  void keyFileOnlyItsOwnerMayOpenLogsIn(String mode) throws IOException {
    Path key = copyOfClientKey("ok-" + mode, mode);

    assertThat(runWith(instance(server.port(), Optional.of(key), Optional.empty())))
        .isEqualTo(new ExecutionOutcome.Exited(0, new Output("ok\n", 0)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----"})
  void passwordFileOthersMayOpenIsRefusedNamingFileAndFix(String mode) throws IOException {
    Path file = Files.writeString(dir.resolve("pw-" + mode), "s3cret\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    Instance target =
        instance(server.port(), Optional.empty(), Optional.of(new SecretRef.File(file)));

    assertThatThrownBy(() -> credentials.load(target))
        .isInstanceOf(Credentials.UnavailableException.class)
        .hasMessageContaining("password file " + file)
        .hasMessageContaining("chmod 600 " + file)
        .hasMessageNotContaining("s3cret");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-------", "r--------"})
  void passwordFileOnlyItsOwnerMayOpenIsRead(String mode) throws Exception {
    Path file = Files.writeString(dir.resolve("pw-ok-" + mode), "s3cret\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));

    assertThat(
            credentials
                .load(instance(server.port(), Optional.empty(), Optional.of(new SecretRef.File(file))))
                .password())
        .contains("s3cret");
  }

  private static Path copyOfClientKey(String name, String mode) throws IOException {
    Path key = dir.resolve(name);
    Files.copy(server.clientKey(), key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(mode));
    return key;
  }

  private static ExecutionOutcome runWith(Instance target) {
    try (MinaSshExecutor executor = SshFixture.executor(server)) {
      return await(executor.start(request(target, "echo ok")));
    }
  }
}
