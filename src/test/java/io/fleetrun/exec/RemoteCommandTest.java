package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.ScriptTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import io.fleetrun.testing.RequiredTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class RemoteCommandTest {
  private static final ProcessMarker MARKER = new ProcessMarker("fleetrun-t-test-42");
  private static final String TOKEN = "abcdefgh01234567";
  private static final Path STRACE = Path.of("/usr/bin/strace");
  private static final Path ZSH = Path.of("/usr/bin/zsh");

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
    assertThat(RemoteCommand.wrap("echo 'hi'", Optional.of("/srv/app"), MARKER, TOKEN))
        .isEqualTo("FLEETRUN_RUN='fleetrun-t-test-42'; export FLEETRUN_RUN; "
            + "fleetrun_script='echo '\\''hi'\\'''; fleetrun_dir='/srv/app'; S=setsid; T=; "
            + "if [ -r /proc/$$/stat ] && read -r l </proc/$$/stat; then set -- ${l##*) }; "
            + "if [ \"$3\" = $$ ] && [ \"$4\" = $$ ]; then S=; [ -n \"${20}\" ] && T=\" ${20}\"; fi; fi; "
            + "if [ -z \"$S\" ]; then echo \"fleetrun-pgid=abcdefgh01234567 $$$T\" || exit 1; "
            + "if [ -n \"$fleetrun_dir\" ]; then cd \"$fleetrun_dir\" || exit 126; fi; "
            + "exec /bin/sh -c \"$fleetrun_script\" 'fleetrun-t-test-42' </dev/null; fi; "
            + "setsid -w true </dev/null >/dev/null 2>&1 || S=; "
            + "exec $S ${S:+-w} /bin/sh -c '"
            + "T=; if [ -r /proc/$$/stat ]; then st() { read -r l </proc/$$/stat; "
            + "set -- ${l##*) }; [ -n \"${20}\" ] && T=\" ${20}\"; }; st; fi; "
            + "echo \"fleetrun-pgid=abcdefgh01234567 $$$T\" || exit 1; "
            + "if [ -n \"$1\" ]; then cd \"$1\" || exit 126; fi; "
            + "exec /bin/sh -c \"$2\" \"$0\" </dev/null' 'fleetrun-t-test-42' \"$fleetrun_dir\" "
            + "\"$fleetrun_script\"");
  }

  /** The two ways a target's login shell starts: as a session leader (OpenSSH) or not (MINA). */
  enum LoginShell {
    LEADER("/usr/bin/setsid", "/bin/sh", "-c"),
    NOT_LEADER("/bin/sh", "-c");

    private final List<String> argv;

    LoginShell(String... argv) {
      this.argv = List.of(argv);
    }

    Process start(String command) throws IOException {
      List<String> line = new ArrayList<>(argv);
      line.add(command);
      return new ProcessBuilder(line).redirectErrorStream(true).start();
    }

    String run(String command) throws IOException, InterruptedException {
      Process p = start(command);
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      return out;
    }
  }

  @ParameterizedTest
  @EnumSource(LoginShell.class)
  void theScriptSeesNoneOfTheWrappersParametersOrVariables(LoginShell shell) throws Exception {
    String out = shell.run(RemoteCommand.wrap("echo \"[$#][$*][${fleetrun_script-unset}]"
        + "[${fleetrun_dir-unset}][${S-unset}][${T-unset}][${l-unset}]\"", Optional.empty(), MARKER, TOKEN));

    assertThat(out.lines().skip(1).toList()).containsExactly("[0][][unset][unset][unset][unset][unset]");
  }

  @ParameterizedTest
  @EnumSource(LoginShell.class)
  void theScriptRunsInItsWorkingFolderEvenWithAHostileName(LoginShell shell) throws Exception {
    Path work = Files.createDirectories(dir.resolve("a b'; touch pwned; '$(touch pwned2)\"`touch pwned3`"));

    String out = shell.run(RemoteCommand.wrap("pwd", Optional.of(work.toString()), MARKER, TOKEN));

    assertThat(out.lines().skip(1).toList()).containsExactly(work.toString());
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).doesNotContain("pwned", "pwned2", "pwned3");
    }
  }

  @ParameterizedTest
  @EnumSource(LoginShell.class)
  void aMissingWorkingFolderEndsTheRunWith126BeforeTheScript(LoginShell shell) throws Exception {
    Process p = shell.start(RemoteCommand.wrap(
        "echo ran", Optional.of(dir.resolve("gone").toString()), MARKER, TOKEN) + "; echo never");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).isEqualTo(126);
    assertThat(out).doesNotContain("ran").doesNotContain("never");
  }

  @ParameterizedTest
  @EnumSource(LoginShell.class)
  void theLeaderReportsItsGroupAndStartTimeAndCarriesTheMarker(LoginShell shell) throws Exception {
    String out = shell.run(RemoteCommand.wrap("ps -o pgid= -p $$; cat /proc/$$/stat; echo \"$0\"; "
        + "tr '\\000' '\\n' </proc/$$/cmdline | tail -n 1; echo \"$FLEETRUN_RUN\"", Optional.empty(), MARKER, TOKEN));

    String[] lines = out.split("\n");
    RemoteGroup group = RemoteCommand.parsePgidLine(lines[0], TOKEN).orElseThrow();
    assertThat(Long.parseLong(lines[1].trim())).isEqualTo(group.id());
    // Field 22 of stat; the fields after "(comm) " start at field 3.
    String[] fields = lines[2].substring(lines[2].lastIndexOf(") ") + 2).split(" ");
    assertThat(group.leaderStart()).hasValue(Long.parseLong(fields[22 - 3]));
    assertThat(List.of(lines).subList(3, 6)).containsOnly(MARKER.value());
  }

  @Test
  void underASessionLeaderTheWrapperStartsNoProcessButTheScriptsShell() throws Exception {
    // Each process start costs the target ~3 ms of CPU (a third of a run over a kept connection):
    // the wrapper before this one started /bin/sh twice (exec'ing into itself, then into the
    // script's shell) where one exec does it.
    RequiredTool.require("strace", Files.isExecutable(STRACE)
        ? Optional.empty() : Optional.of(STRACE + " missing; .ci/run installs strace"));
    Path trace = dir.resolve("trace");
    Process p = new ProcessBuilder(STRACE.toString(), "-f", "-qq", "-e", "trace=execve,clone,clone3,fork,vfork",
        "-o", trace.toString(), "/usr/bin/setsid", "/bin/sh", "-c",
        RemoteCommand.wrap("echo ran", Optional.of("/"), MARKER, TOKEN))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(out).endsWith("ran\n");

    List<String> calls = Files.readAllLines(trace).stream()
        .filter(l -> l.matches("^\\d+ +(execve|clone|clone3|fork|vfork)\\(.*") && !l.contains("= -1"))
        .toList();
    // setsid itself, the login shell it starts, and the script's shell: no fork, no setsid probe.
    assertThat(calls).hasSize(3).allMatch(l -> l.contains("execve("));
    assertThat(calls.get(1)).contains("\"/bin/sh\", \"-c\", \"FLEETRUN_RUN=");
    assertThat(calls.get(2)).contains("\"/bin/sh\", \"-c\", \"echo ran\", \"fleetrun-t-test-42\"");
  }

  @Test
  void aLoginShellThatLeadsItsSessionRunsTheScriptWithoutSetsid() throws Exception {
    // As under OpenSSH, which makes the login shell a session leader: setsid is not even probed
    // (three processes fewer per run), and the script's shell leads the session and the group.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path called = dir.resolve("setsid-called");
    Path spy = Files.writeString(bin.resolve("setsid"),
        "#!/bin/sh\ntouch " + RemoteCommand.quote(called.toString()) + "\nexec /usr/bin/setsid \"$@\"\n");
    assertThat(spy.toFile().setExecutable(true)).isTrue();
    String command = "PATH=" + RemoteCommand.quote(bin + ":" + System.getenv("PATH")) + "; "
        + RemoteCommand.wrap("ps -o pgid=,sid= -p $$", Optional.empty(), MARKER, TOKEN);
    Process p = new ProcessBuilder("/usr/bin/setsid", "/bin/sh", "-c", command)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

    String[] lines = out.split("\n");
    RemoteGroup group = RemoteCommand.parsePgidLine(lines[0], TOKEN).orElseThrow();
    assertThat(lines[1].trim().split("\\s+")).containsExactly(String.valueOf(group.id()), String.valueOf(group.id()));
    assertThat(called).doesNotExist();
  }

  @Test
  void wrapperRunsWithoutSetsidWhenItsSetsidLacksTheWaitFlag() throws Exception {
    // Like BusyBox setsid: no -w. The probe must notice and run the script without setsid.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path fake = Files.writeString(bin.resolve("setsid"),
        "#!/bin/sh\necho \"setsid: unrecognized option $1\" >&2\nexit 1\n");
    assertThat(fake.toFile().setExecutable(true)).isTrue();
    String command = "PATH=" + RemoteCommand.quote(bin + ":" + System.getenv("PATH")) + "; "
        + RemoteCommand.wrap("echo ran", Optional.empty(), MARKER, TOKEN);

    String out = runLocally(command);

    String[] lines = out.split("\n");
    assertThat(RemoteCommand.parsePgidLine(lines[0], TOKEN)).isPresent();
    assertThat(lines).hasSize(2).endsWith("ran");
  }

  @Test
  void bashAsTheTargetsShellReportsTheStartTimeToo() throws Exception {
    Process p = new ProcessBuilder("/bin/bash", "-c",
        RemoteCommand.wrap("cat /proc/$$/stat", Optional.empty(), MARKER, TOKEN))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

    String[] lines = out.split("\n");
    RemoteGroup group = RemoteCommand.parsePgidLine(lines[0], TOKEN).orElseThrow();
    String[] fields = lines[1].substring(lines[1].lastIndexOf(") ") + 2).split(" ");
    assertThat(group.leaderStart()).hasValue(Long.parseLong(fields[22 - 3]));
  }

  /**
   * zsh as the target user's login shell: sshd runs {@code zsh -c wrapper} (a session leader), and
   * zsh splits no unquoted variable, so the wrapper must not rely on word splitting to run setsid.
   */
  @Test
  void zshAsTheLoginShellRunsTheScriptInItsFolderAndReportsItsGroup() throws Exception {
    RequiredTool.require("zsh", Files.isExecutable(ZSH)
        ? Optional.empty() : Optional.of(ZSH + " missing; .ci/run installs zsh"));
    Path pwned = dir.resolve("pwned");
    String hostile = "x'; touch " + pwned + " #";
    String script = ScriptTemplate.render("printf '%s|' {{v}}; echo \"[$PWD][$0][$FLEETRUN_RUN]\"",
        Map.of("v", hostile));
    Path work = Files.createDirectories(dir.resolve(hostile.replace('/', '_')));
    for (List<String> shell : List.of(List.of("/usr/bin/setsid", ZSH.toString(), "-c"), List.of(ZSH.toString(), "-c"))) {
      List<String> line = new ArrayList<>(shell);
      line.add(RemoteCommand.wrap(script, Optional.of(work.toString()), MARKER, TOKEN));
      Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

      assertThat(p.exitValue()).as("%s said: %s", shell, out).isZero();
      String[] lines = out.split("\n");
      assertThat(RemoteCommand.parsePgidLine(lines[0], TOKEN)).as("%s said: %s", shell, out).isPresent();
      assertThat(lines).as("%s said: %s", shell, out).hasSize(2)
          .endsWith(hostile + "|[" + work + "][" + MARKER.value() + "][" + MARKER.value() + "]");
      assertThat(pwned).doesNotExist();
    }
  }

  @Test
  void hostileParameterStaysOneLiteralWord() throws Exception {
    Path pwned = dir.resolve("pwned");
    String hostile = "x'; touch " + pwned + " #";
    String script = ScriptTemplate.render("printf '%s|' {{v}}; echo", Map.of("v", hostile));
    Path work = Files.createDirectories(dir.resolve(hostile.replace('/', '_')));

    String out = runLocally(RemoteCommand.wrap(script, Optional.of(work.toString()), MARKER, TOKEN));

    assertThat(out).endsWith("\n" + hostile + "|\n");
    assertThat(pwned).doesNotExist();
  }

  @Test
  void rmRfParameterIsJustText() throws Exception {
    String script = "printf '%s\\n' " + ScriptTemplate.shellQuote("x'; rm -rf / #");

    String out = runLocally(RemoteCommand.wrap(script, Optional.empty(), MARKER, TOKEN));

    assertThat(out.substring(out.indexOf('\n') + 1)).isEqualTo("x'; rm -rf / #\n");
  }

  @Test
  void scriptsOverTheLimitAreRefused() {
    assertThat(RemoteCommand.wrap("x".repeat(RemoteCommand.MAX_SCRIPT_BYTES), Optional.empty(), MARKER, TOKEN))
        .isNotEmpty();
    // 50,001 two-byte characters: the limit is in bytes, not characters.
    assertThatThrownBy(() -> RemoteCommand.wrap("é".repeat(50_001), Optional.empty(), MARKER, TOKEN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("100002 bytes");
  }

  @Test
  void onlyPgidLinesWithTheRunsTokenParse() {
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=" + TOKEN + " 123", TOKEN))
        .hasValue(new RemoteGroup(123, OptionalLong.empty()));
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=" + TOKEN + " 123 987654", TOKEN))
        .hasValue(new RemoteGroup(123, OptionalLong.of(987654)));
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=" + TOKEN + " 123 0\r", TOKEN))
        .hasValue(new RemoteGroup(123, OptionalLong.of(0)));
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=" + TOKEN + " 123 ", TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=" + TOKEN + " 123 4 5", TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine(
        "fleetrun-pgid=" + TOKEN + " 123 " + "9".repeat(19), TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=" + TOKEN + " 123\r", TOKEN).map(RemoteGroup::id))
        .hasValue(123L);
    assertThat(RemoteCommand.parsePgidLine("banner fleetrun-pgid=" + TOKEN + " 77", TOKEN).map(RemoteGroup::id))
        .hasValue(77L);
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=123", TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=" + TOKEN + " ", TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=zzzzzzzzzzzzzzzz 5", TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine("fleetrun-pgid=" + TOKEN + " 5 x", TOKEN)).isEmpty();
  }

  @Test
  void pgidLinesNamingGroupZeroOrOneCountAsNoPgid() {
    String line = "fleetrun-pgid=" + TOKEN + " ";
    assertThat(RemoteCommand.parsePgidLine(line + "0", TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine(line + "1", TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine(line + "00", TOKEN)).isEmpty();
    assertThat(RemoteCommand.parsePgidLine(line + "2", TOKEN).map(RemoteGroup::id)).hasValue(2L);
  }

  @Test
  void tokensAreRandomAndWellFormed() {
    assertThat(RemoteCommand.newToken()).matches("[a-z0-9]{16}").isNotEqualTo(RemoteCommand.newToken());
    assertThatThrownBy(() -> RemoteCommand.wrap("true", Optional.empty(), MARKER, "x'; reboot"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
