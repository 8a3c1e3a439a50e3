package io.fleetrun.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture itself, checked with the real OpenSSH client. */
class OpenSshTargetsIT {
  private static final Path SSH = Path.of("/usr/bin/ssh");
  private static final Duration SSH_TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path dir;
  private static OpenSshTargets targets;

  @BeforeAll
  static void startTargets() {
    RequiredTool.require("ssh", Files.isExecutable(SSH)
        ? Optional.empty() : Optional.of(SSH + " missing; .ci/run installs openssh-client"));
    targets = OpenSshTargets.start(dir, 3);
  }

  @AfterAll
  static void stopTargets() {
    if (targets != null) {
      targets.close();
    }
  }

  @Test
  void everyTargetRunsACommandWithThePinnedHostKey() throws IOException {
    assertThat(targets.ports()).hasSize(3).doesNotHaveDuplicates().doesNotContain(22);
    assertThat(Files.readAllLines(targets.knownHosts()))
        .hasSize(3)
        .allMatch(line -> line.matches("\\[127\\.0\\.0\\.1]:\\d+ ssh-ed25519 \\S+"));
    for (int port : targets.ports()) {
      LocalCommand.Result result = LocalCommand.run(SSH_TIMEOUT, ssh(targets, port, "echo ok"));
      assertThat(result.ok()).as("ssh to port %d: %s", port, result.output()).isTrue();
      assertThat(result.output().strip()).isEqualTo("ok");
    }
  }

  @Test
  void processesMatchingSeesABackgroundRunUntilItIsKilled() {
    String marker = "fleetrun-mk-" + UUID.randomUUID();
    // "[f]leetrun..." matches the marker as a pattern without containing it, so the ssh client
    // and pgrep never match themselves.
    String pattern = "[f]" + marker.substring(1);
    int port = targets.ports().get(1);
    String background =
        "setsid sh -c 'sleep 37; true # " + marker + "' </dev/null >/dev/null 2>&1 &";
    // The local ssh client's own command line carries the marker until it has returned.
    assertThat(LocalCommand.run(SSH_TIMEOUT, ssh(targets, port, background)).ok()).isTrue();

    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(targets.processesMatching(marker))
            .singleElement().asString().startsWith("sh -c sleep 37; true # " + marker));

    String kill = "kill -TERM -- -$(pgrep -f '" + pattern + "')";
    LocalCommand.Result killed = LocalCommand.run(SSH_TIMEOUT, ssh(targets, port, kill));
    assertThat(killed.ok()).as(killed.output()).isTrue();
    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(targets.processesMatching(marker)).isEmpty());
  }

  @Test
  void closeEndsSshdAndItsSessions(@TempDir Path ownDir) throws Exception {
    OpenSshTargets own = OpenSshTargets.start(ownDir, 1);
    String marker = "fleetrun-mk-" + UUID.randomUUID();
    Process client =
        new ProcessBuilder(ssh(own, own.ports().get(0), "sh -c 'sleep 37; true # " + marker + "'"))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(own.processesMatching(marker))
              .anyMatch(cmd -> cmd.startsWith("sh -c sleep 37")));

      own.close();

      // the dropped connection ends the client too, so nothing with the marker is left at all
      assertThat(client.waitFor(10, TimeUnit.SECONDS)).as("ssh client ended").isTrue();
      await().atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(own.processesMatching(marker)).isEmpty());
      assertThat(own.processesMatching(own.dir().resolve("sshd_config").toString())).isEmpty();
    } finally {
      client.destroyForcibly();
      own.close();
    }
  }

  @Test
  void moreThanSixteenTargetsRunInSeveralSshdProcesses(@TempDir Path ownDir) {
    try (OpenSshTargets many = OpenSshTargets.start(ownDir, 17)) {
      assertThat(many.ports()).hasSize(17).doesNotHaveDuplicates();
      // sshd retitles its listener "sshd: /usr/sbin/sshd -D ... [listener] ..."; a short-lived
      // per-connection child of the banner check may still be around, so count listeners only.
      assertThat(many.processesMatching(many.dir().resolve("sshd_config").toString()))
          .filteredOn(cmd -> cmd.contains("[listener]"))
          .hasSize(2)
          .allMatch(cmd -> cmd.contains(OpenSshTargets.SSHD + " -D"));
      int last = many.ports().get(16);
      LocalCommand.Result result = LocalCommand.run(SSH_TIMEOUT, ssh(many, last, "echo ok"));
      assertThat(result.output().strip()).as(result.output()).isEqualTo("ok");
    }
  }

  @Test
  void aPortTakenBySomeoneElseIsAClashToRetry(@TempDir Path ownDir) throws IOException {
    SshdFiles files = new SshdFiles(ownDir);
    files.generateKeys("ssh-keygen");
    files.writeConfig();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int free = FreeLoopbackPorts.pick(1, List.of(taken.getLocalPort())).get(0);
      assertThat(
              SshdInstance.tryStart(
                  OpenSshTargets.SSHD, files, List.of(free, taken.getLocalPort()), 1,
                  Duration.ofSeconds(10)))
          .isEmpty();
    }
    assertThat(LocalProcesses.commandLinesContaining(files.config.toString())).isEmpty();
  }

  private static List<String> ssh(OpenSshTargets t, int port, String command) {
    List<String> argv = new ArrayList<>(List.of(SSH.toString(), "-i", t.clientKey().toString()));
    for (String option :
        List.of("UserKnownHostsFile=" + t.knownHosts(), "GlobalKnownHostsFile=/dev/null",
            "StrictHostKeyChecking=yes", "BatchMode=yes", "IdentitiesOnly=yes", "LogLevel=ERROR",
            "ConnectTimeout=10")) {
      argv.addAll(List.of("-o", option));
    }
    argv.addAll(List.of("-p", String.valueOf(port), t.user() + "@" + t.host(), command));
    return argv;
  }
}
