package io.fleetrun.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Placeholders must be bare words: which forms are refused, and that the advised form is safe. */
class ScriptTemplateQuotingTest {
  @TempDir Path dir;

  private static final String[] HOSTILE = {
    "$(touch CANARY)",
    "`touch CANARY`",
    "'; touch CANARY; '",
    "\"; touch CANARY; \"",
    "\\'; touch CANARY; #",
    "x\ntouch CANARY\n",
    "${IFS}$(touch CANARY)",
    "\\",
    "EOF\ntouch CANARY"
  };

  @ParameterizedTest
  @ValueSource(
      strings = {
        "echo \"msg: {{m}}\"",
        "echo '{{m}}'",
        "cat <<EOF\nmsg: {{m}}\nEOF",
        "cat <<-'E'\n\tmsg: {{m}}\n\tE\necho done",
        "echo \"$(echo \"{{m}}\")\"",
        "echo \"`echo {{m}}`\"",
        "echo ok # {{m}}",
        "echo \\{{m}}",
        "echo ${{m}}",
        "echo \"a\" 'b' \"c {{m}} d\"",
        "echo \"${x:-{{m}}}\""
      })
  void placeholderThatIsNotABareWordIsReported(String content) {
    assertThat(ScriptTemplate.quotedPlaceholders(content)).containsOnlyKeys("m");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "echo hello-{{fleetrun.instanceId}} {{m}}",
        "if [ {{fleetrun.instanceId}} = b ]; then sh -c 'sleep 411; echo x'; fi; echo done",
        "v={{m}}; echo \"msg: $v\"",
        "echo \"it's\" {{m}} 'say \"hi\"' \\' {{m}}",
        "# it's a comment\necho {{m}}",
        "cat <<EOF\nit's \"x\n EOF\nEOF\necho {{m}}",
        "cat <<<'x' {{m}}",
        "x=$(printf '%s' {{m}}); echo \"${x}\" ${y:-{{m}}}",
        "echo a#b {{m}}",
        "f() { echo {{m}}; }; f"
      })
  void bareWordPlaceholderIsNotReported(String content) {
    assertThat(ScriptTemplate.quotedPlaceholders(content)).isEmpty();
  }

  @Test
  void reportSaysWhereThePlaceholderStands() {
    assertThat(
            ScriptTemplate.quotedPlaceholders(
                "echo \"{{a}}\" '{{b}}' {{ok}}\ncat <<X\n{{c}}\nX\n# {{d}}"))
        .containsExactly(
            Map.entry("a", "double quotes"),
            Map.entry("b", "single quotes"),
            Map.entry("c", "a here-document"),
            Map.entry("d", "a comment"));
  }

  /** The form the config error recommends, through a real {@code /bin/sh}. */
  @Test
  void variableAssignmentKeepsEveryHostileValueLiteral() throws Exception {
    String content = "v={{m}}; printf '%s' \"msg: $v\"";
    assertThat(ScriptTemplate.quotedPlaceholders(content)).isEmpty();
    for (String value : HOSTILE) {
      String out = sh(ScriptTemplate.render(content, Map.of("m", value)));

      assertThat(out).as(value).isEqualTo("msg: " + value);
      assertThat(dir.resolve("CANARY")).as(value).doesNotExist();
    }
  }

  /** Why the quoted forms are refused: each lets a value run a command in a real shell. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "echo \"msg: {{m}}\"",
        "echo '{{m}}'",
        "cat <<EOF\nmsg: {{m}}\nEOF",
        "echo ok # {{m}}",
        "echo \\{{m}}"
      })
  void quotedFormsRunSomeHostileValue(String content) throws Exception {
    for (String value : HOSTILE) {
      shAllowingFailure(ScriptTemplate.render(content, Map.of("m", value)));
    }
    assertThat(dir.resolve("CANARY")).exists();
  }

  private String sh(String script) throws IOException, InterruptedException {
    Process p = start(script);
    byte[] out = p.getInputStream().readAllBytes();
    end(p);
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("stderr"))).isZero();
    return new String(out, java.nio.charset.StandardCharsets.UTF_8);
  }

  private void shAllowingFailure(String script) throws IOException, InterruptedException {
    Process p = start(script);
    p.getInputStream().readAllBytes();
    end(p);
  }

  private Process start(String script) throws IOException {
    Process p =
        new ProcessBuilder("/bin/sh", "-c", script)
            .directory(dir.toFile())
            .redirectError(dir.resolve("stderr").toFile())
            .start();
    p.getOutputStream().close();
    return p;
  }

  private static void end(Process p) throws InterruptedException {
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("sh did not end");
    }
  }
}
