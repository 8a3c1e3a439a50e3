package io.fleetrun.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScriptTemplateTest {
  @TempDir Path dir;

  @Test
  void placeholdersAreListedOnceInOrderOfFirstUse() {
    assertThat(
            ScriptTemplate.placeholders("cp {{ src }} {{dst}}; ls {{src}} {{fleetrun.invokeId}}"))
        .containsExactly("src", "dst", "fleetrun.invokeId");
    assertThat(ScriptTemplate.placeholders("echo {{}} { {x} } {{a b}}")).isEmpty();
  }

  @Test
  void renderQuotesOnlyWhatNeedsIt() {
    assertThat(
            ScriptTemplate.render(
                "df -h {{mount}} {{ who }}", Map.of("mount", "/var/lib", "who", "x; rm -rf /")))
        .isEqualTo("df -h /var/lib 'x; rm -rf /'");
    assertThat(ScriptTemplate.shellQuote("it's")).isEqualTo("'it'\\''s'");
    assertThat(ScriptTemplate.shellQuote("")).isEqualTo("''");
  }

  @Test
  void renderNamesThePlaceholderWithoutValue() {
    assertThatThrownBy(() -> ScriptTemplate.render("echo {{a}} {{b}}", Map.of("a", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("placeholder {{b}} has no value");
  }

  @Test
  void replacementTextIsNotTreatedAsARegexReplacement() {
    assertThat(ScriptTemplate.render("echo {{v}}", Map.of("v", "$1\\0"))).isEqualTo("echo '$1\\0'");
  }

  /**
   * Each hostile value goes through a real {@code /bin/sh}: {@code set --} receives the rendered
   * word, so {@code $#} proves it stayed one word and {@code $1} that it came back unchanged. A
   * shell function named {@code rm} and a canary file catch any command that would have run.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "x; rm -rf /",
        "$(touch CANARY)",
        "`touch CANARY`",
        "it's",
        "'",
        "''",
        "\"double\" 'single'",
        "line1\nline2",
        "",
        " ",
        "  spaced  out  ",
        "tab\there",
        "*",
        "~",
        "$HOME",
        "${IFS}",
        "a\\b",
        "-n",
        "--",
        "x && touch CANARY || touch CANARY",
        "a | touch CANARY",
        "> CANARY",
        "héllo wörld",
        "{{nested}}",
        "\\'\\"
      })
  void hostileValueComesBackFromARealShellAsOneLiteralWord(String value) throws Exception {
    String script =
        "rm() { touch CANARY; }\n"
            + ScriptTemplate.render(
                "set -- {{v}}\nprintf '%s|%s' \"$#\" \"$1\"", Map.of("v", value));

    String out = sh(script);

    assertThat(out).isEqualTo("1|" + value);
    assertThat(dir.resolve("CANARY")).doesNotExist();
  }

  @Test
  void valueWithPrintfStaysLiteralInTheBriefsOwnForm() throws Exception {
    String value = "x; rm -rf / $(id) `id` 'q' \"d\"\nnext";
    String out =
        sh(
            "rm() { touch CANARY; }\n"
                + ScriptTemplate.render("printf '%s\\n' {{v}}", Map.of("v", value)));

    assertThat(out).isEqualTo(value + "\n");
    assertThat(dir.resolve("CANARY")).doesNotExist();
  }

  private String sh(String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("/bin/sh", "-c", script)
            .directory(dir.toFile())
            .redirectError(dir.resolve("stderr").toFile())
            .start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("sh did not end");
    }
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("stderr"))).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }
}
