package io.fleetrun.exec;

import static io.fleetrun.exec.SshFixture.await;
import static io.fleetrun.exec.SshFixture.instance;
import static io.fleetrun.exec.SshFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.demo.EmbeddedSshServer;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.ExecutionOutcome;
import io.fleetrun.model.HostKeyPolicy;
import io.fleetrun.model.Limits;
import io.fleetrun.model.Output;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A known_hosts file that cannot be used refuses every connection under every checking policy,
 * and accept-new appends a first key exactly once however many connections race for it.
 */
class MinaSshExecutorKnownHostsTest {
  @TempDir static Path dir;
  static EmbeddedSshServer server;

  private static final ExecutionOutcome OK = new ExecutionOutcome.Exited(0, new Output("ok\n", 0));

  @BeforeAll
  static void startServer() throws IOException {
    server = SshFixture.startServer(dir.resolve("ssh"));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static ExecutionOutcome runOnce(Path knownHosts, HostKeyPolicy policy) {
    return SshFixture.runOnce(server, knownHosts, policy);
  }

  private static void assertRefused(ExecutionOutcome outcome, String... infoParts) {
    assertThat(outcome).isInstanceOf(ExecutionOutcome.CouldNotRun.class);
    ExecutionOutcome.CouldNotRun failure = (ExecutionOutcome.CouldNotRun) outcome;
    assertThat(failure.code()).isEqualTo(ErrorCode.HostKeyUnknown);
    assertThat(failure.info()).contains(infoParts);
  }

  private static String serverLine() {
    return "[127.0.0.1]:" + server.port() + " " + PublicKeyEntry.toString(server.hostKey());
  }

  @ParameterizedTest
  @EnumSource(value = HostKeyPolicy.class, names = {"STRICT", "ACCEPT_NEW"})
  void aDirectoryInPlaceOfKnownHostsRefusesEveryConnection(HostKeyPolicy policy)
      throws IOException {
    Path notAFile = Files.createDirectories(dir.resolve("dir-" + policy));

    assertRefused(runOnce(notAFile, policy), notAFile.toString(), "directory");
    try (var listing = Files.list(notAFile)) {
      assertThat(listing).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(value = HostKeyPolicy.class, names = {"STRICT", "ACCEPT_NEW"})
  void aFileThatIsNotKnownHostsRefusesEveryConnection(HostKeyPolicy policy) throws IOException {
    Path garbage = Files.writeString(dir.resolve("garbage-" + policy), "this is not known_hosts\n");

    assertRefused(runOnce(garbage, policy), garbage.toString(), "line 1");
    assertThat(Files.readString(garbage)).isEqualTo("this is not known_hosts\n");
  }

  @ParameterizedTest
  @EnumSource(value = HostKeyPolicy.class, names = {"STRICT", "ACCEPT_NEW"})
  void aBinaryFileRefusesEveryConnection(HostKeyPolicy policy) throws IOException {
    byte[] bytes = new byte[2048];
    new Random(6).nextBytes(bytes);
    Path binary = Files.write(dir.resolve("binary-" + policy), bytes);

    assertRefused(runOnce(binary, policy), binary.toString());
    assertThat(Files.readAllBytes(binary)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @EnumSource(value = HostKeyPolicy.class, names = {"STRICT", "ACCEPT_NEW"})
  void aBadLineAmongValidOnesRefusesEveryConnection(HostKeyPolicy policy) throws IOException {
    // OpenSSH skips such a line; fleetrun cannot tell a harmless typo from a damaged entry of the
    // very host it connects to (which accept-new would then replace), so it refuses.
    String text = "# fleet\n" + serverLine() + "\n[10.0.0.9]:22 ssh-ed25519 AAAA%%%broken\n";
    Path mixed = Files.writeString(dir.resolve("mixed-" + policy), text);

    assertRefused(runOnce(mixed, policy), mixed.toString(), "line 3");
    assertThat(Files.readString(mixed)).isEqualTo(text);
  }

  @Test
  void aMissingFileIsUnknownUnderStrictAndIsNotCreated() {
    Path missing = dir.resolve("missing/known_hosts");

    assertRefused(runOnce(missing, HostKeyPolicy.STRICT), "127.0.0.1:" + server.port(),
        missing.toString());
    assertThat(missing.getParent()).doesNotExist();
  }

  @Test
  void acceptNewCreatesAMissingFileAndFolderOwnerOnly() throws IOException {
    Path fresh = dir.resolve("new-folder/deeper/known_hosts");

    assertThat(runOnce(fresh, HostKeyPolicy.ACCEPT_NEW)).isEqualTo(OK);

    assertThat(Files.readAllLines(fresh)).containsExactly(serverLine());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.getParent())))
        .isEqualTo("rwx------");
    assertThat(runOnce(fresh, HostKeyPolicy.STRICT)).isEqualTo(OK);
  }

  @Test
  void acceptNewAppendsToAFileWithoutTrailingNewline() throws IOException {
    Path file = Files.writeString(dir.resolve("no-newline"),
        "[10.0.0.9]:22 " + PublicKeyEntry.toString(server.hostKey()));

    assertThat(runOnce(file, HostKeyPolicy.ACCEPT_NEW)).isEqualTo(OK);

    assertThat(Files.readAllLines(file)).hasSize(2).endsWith(serverLine());
  }

  @Test
  void concurrentFirstConnectionsAppendTheKeyOnce() throws IOException {
    Path shared = Files.writeString(dir.resolve("shared_known_hosts"), "");
    try (MinaSshExecutor executor =
        SshFixture.executor(shared, HostKeyPolicy.ACCEPT_NEW, Limits.defaults())) {
      List<Execution> runs = IntStream.range(0, 8)
          .mapToObj(i -> executor.start(request(instance(server), "echo ok")))
          .toList();

      runs.forEach(run -> assertThat(await(run)).isEqualTo(OK));
    }
    assertThat(Files.readString(shared, StandardCharsets.UTF_8).lines()
        .filter(l -> !l.isBlank())).containsExactly(serverLine());
  }
}
