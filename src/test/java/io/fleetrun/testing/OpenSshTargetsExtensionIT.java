package io.fleetrun.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension form: targets for the class, injected as a parameter. */
class OpenSshTargetsExtensionIT {
  @RegisterExtension static final OpenSshTargetsExtension SSH = new OpenSshTargetsExtension(2);

  @Test
  void injectsRunningTargetsWithTheirFiles(OpenSshTargets targets) {
    assertThat(targets).isSameAs(SSH.targets());
    assertThat(targets.ports()).hasSize(2);
    assertThat(targets.clientKey()).isRegularFile();
    assertThat(targets.knownHosts()).isRegularFile();
    assertThat(Files.isDirectory(targets.dir())).isTrue();
    LocalCommand.Result result =
        LocalCommand.run(
            Duration.ofSeconds(20),
            "ssh", "-i", targets.clientKey().toString(),
            "-o", "UserKnownHostsFile=" + targets.knownHosts(),
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
            "-p", String.valueOf(targets.ports().get(1)),
            targets.user() + "@" + targets.host(), "echo ok");
    assertThat(result.output().strip()).as(result.output()).isEqualTo("ok");
  }
}
