package io.fleetrun.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
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
        "echo \"${x:-{{m}}}\"",
        "echo ${x:-{{m}}}",
        "echo $'don\\'t'; echo '{{m}}'",
        "echo $'{{m}}'",
        "echo $\"{{m}}\"",
        "echo $(( {{m}} + 1 ))",
        "v={{m}}; echo $((v+1))"
      })
  void placeholderThatIsNotABareWordIsReported(String content) {
    assertThat(ScriptTemplate.unsafePlaceholders(content, Set.of())).containsOnlyKeys("m");
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
        "x=$(printf '%s' {{m}}); echo \"${x}\" ${y:-z} {{m}}",
        "echo $'it is' {{m}} $\"a'b\"",
        "echo a#b {{m}}",
        "f() { echo {{m}}; }; f"
      })
  void bareWordPlaceholderIsNotReported(String content) {
    assertThat(ScriptTemplate.unsafePlaceholders(content, Set.of())).isEmpty();
  }

  @Test
  void reportSaysWhereThePlaceholderStandsAndOnWhichLine() {
    Map<String, String> unsafe =
        ScriptTemplate.unsafePlaceholders(
            "echo \"{{a}}\" '{{b}}' {{ok}}\ncat <<X\n{{c}}\nX\n# {{d}}", Set.of());
    assertThat(unsafe).containsOnlyKeys("a", "b", "c", "d");
    assertThat(unsafe.get("a")).startsWith("{{a}} stands inside double quotes (content line 1)");
    assertThat(unsafe.get("b")).startsWith("{{b}} stands inside single quotes (content line 1)");
    assertThat(unsafe.get("c")).startsWith("{{c}} stands inside a here-document (content line 3)");
    assertThat(unsafe.get("d")).startsWith("{{d}} stands inside a comment (content line 5)");
  }

  @Test
  void integersAndBuiltInsAreSafeAnywhere() {
    assertThat(
            ScriptTemplate.unsafePlaceholders(
                "echo $(( {{n}} + 1 )) \"{{n}}\" '{{fleetrun.instanceId}}' ${a[{{n}}]}", Set.of("n")))
        .isEmpty();
  }

  @Test
  void aStringPlaceholderInAScriptWithArithmeticNamesTheArithmeticAndTheFix() {
    assertThat(ScriptTemplate.unsafePlaceholders("v={{m}}\necho $((v+1))", Set.of()))
        .containsExactly(
            Map.entry(
                "m",
                "{{m}} is a string parameter and the script uses `$((` (content line 2), where bash"
                    + " evaluates a variable's value as arithmetic or a name, so the value could"
                    + " reach it and run as code; declare the parameter `type: integer` if it is a"
                    + " number, else remove the arithmetic"));
  }

  @Test
  void builtInValueOutsideItsCharsetIsNeverRendered() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ScriptTemplate.render("echo {{fleetrun.instanceId}}", Map.of("fleetrun.instanceId", "a b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{{fleetrun.instanceId}}");
  }

  /** The form the config error recommends, through a real {@code /bin/sh}. */
  @Test
  void variableAssignmentKeepsEveryHostileValueLiteral() throws Exception {
    String content = "v={{m}}; printf '%s' \"msg: $v\"";
    assertThat(ScriptTemplate.unsafePlaceholders(content, Set.of())).isEmpty();
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
