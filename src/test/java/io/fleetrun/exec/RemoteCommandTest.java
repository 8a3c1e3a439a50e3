package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.ScriptTemplate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteCommandTest {
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-test-42");

  @TempDir Path dir;

  /** Runs {@code command} the way sshd does: the login shell's {@code -c}. */
  private static String runLocally(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void wrapperMatchesTheAgreedShape() {
    assertThat(RemoteCommand.wrap("echo 'hi'", Optional.of("/srv/app"), MARKER))
        .isEqualTo("S=; setsid -w true </dev/null >/dev/null 2>&1 && S='setsid -w'; "
            + "exec $S /bin/sh -c '"
            + "echo \"fleetrun-pgid=$$\"; if [ -n \"$1\" ]; then cd \"$1\" || exit 126; fi; "
            + "FLEETRUN_RUN=$0; export FLEETRUN_RUN; "
            + "exec /bin/sh -c \"$2\" \"$0\" </dev/null' 'fleetrun-t-test-42' '/srv/app' "
            + "'echo '\\''hi'\\'''");
  }

  @Test
  void wrapperRunsWithoutSetsidWhenItsSetsidLacksTheWaitFlag() throws Exception {
    // Like BusyBox setsid: no -w. The probe must notice and run the script without setsid.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path fake = Files.writeString(bin.resolve("setsid"),
        "#!/bin/sh\necho \"setsid: unrecognized option $1\" >&2\nexit 1\n");
    assertThat(fake.toFile().setExecutable(true)).isTrue();
    String command = "PATH=" + RemoteCommand.quote(bin + ":" + System.getenv("PATH")) + "; "
        + RemoteCommand.wrap("echo ran", Optional.empty(), MARKER);

    String out = runLocally(command);

    String[] lines = out.split("\n");
    assertThat(RemoteCommand.parsePgidLine(lines[0])).isPresent();
    assertThat(lines).hasSize(2).endsWith("ran");
  }

  @Test
  void wrapperReportsItsOwnProcessGroupFirst() throws Exception {
    String out = runLocally(RemoteCommand.wrap("ps -o pgid= -p $$", Optional.empty(), MARKER));

    String[] lines = out.split("\n");
    OptionalLong pgid = RemoteCommand.parsePgidLine(lines[0]);
    assertThat(pgid).isPresent();
    assertThat(Long.parseLong(lines[1].trim())).isEqualTo(pgid.getAsLong());
  }

  @Test
  void groupLeaderCarriesTheMarkerInItsCommandLineAndEnvironment() throws Exception {
    String out = runLocally(RemoteCommand.wrap(
        "echo \"$0\"; tr '\\000' '\\n' </proc/$$/cmdline | tail -n 1; echo \"$FLEETRUN_RUN\"",
        Optional.empty(), MARKER));

    assertThat(out.lines().skip(1).toList())
        .containsExactly("fleetrun-t-test-42", "fleetrun-t-test-42", "fleetrun-t-test-42");
  }

  @Test
  void hostileParameterStaysOneLiteralWord() throws Exception {
    Path pwned = dir.resolve("pwned");
    String hostile = "x'; touch " + pwned + " #";
    String script = ScriptTemplate.render("printf '%s|' {{v}}; echo", Map.of("v", hostile));
    Path work = Files.createDirectories(dir.resolve(hostile.replace('/', '_')));

    String out = runLocally(RemoteCommand.wrap(script, Optional.of(work.toString()), MARKER));

    assertThat(out).endsWith("\n" + hostile + "|\n");
    assertThat(pwned).doesNotExist();
  }

  @Test
  void rmRfParameterIsJustText() throws Exception {
    String script = "printf '%s\\n' " + ScriptTemplate.shellQuote("x'; rm -rf / #");

    String out = runLocally(RemoteCommand.wrap(script, Optional.empty(), MARKER));

    assertThat(out.substring(out.indexOf('\n') + 1)).isEqualTo("x'; rm -rf / #\n");
  }

  @Test
  void scriptsOverTheLimitAreRefused() {
    assertThat(RemoteCommand.wrap("x".repeat(RemoteCommand.MAX_SCRIPT_BYTES), Optional.empty(), MARKER))
        .isNotEmpty();
    // 50,001 two-byte characters: the limit is in bytes, not characters.
    assertThatThrownBy(() -> RemoteCommand.wrap("é".repeat(50_001), Optional.empty(), MARKER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("100002 bytes");
  }

  @Test
  void killCommandEndsAGroupThatIgnoresTerm() throws Exception {
    Process group = new ProcessBuilder("setsid", "/bin/sh", "-c",
        "trap '' TERM; echo trapped; while :; do sleep 0.05; done").start();
    long pgid = group.pid();
    // Wait for the trap rather than sleep 200 ms: on a loaded machine a TERM that came first
    // would end the shell at once, and the test would fail for the wrong reason.
    BufferedReader out = new BufferedReader(
        new InputStreamReader(group.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("trapped");

    long startNanos = System.nanoTime();
    runLocally(RemoteCommand.kill(pgid, Duration.ofMillis(300)));

    assertThat(group.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - startNanos).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
    // Killed children may linger as zombies until init reaps them; only live ones count.
    await().atMost(Duration.ofSeconds(5)).until(() ->
        runLocally("ps -eo pgid=,stat= | awk '$1 == " + pgid + " && $2 !~ /^Z/'").isEmpty());
  }

  @Test
  void killCommandRefusesSillyGroups() {
    assertThatThrownBy(() -> RemoteCommand.kill(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyExactPgidLinesParse() {
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=123")).hasValue(123);
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=123\r")).hasValue(123);
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=")).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("xfleetrun-pgid=1")).isEmpty();
  }

  @Test
  void pgidLinesNamingGroupZeroOrOneCountAsNoPgid() {
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=0")).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=1")).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=00")).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=2")).hasValue(2);
  }
}
