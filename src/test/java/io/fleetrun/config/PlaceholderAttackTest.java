package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetrun.model.Command;
import io.fleetrun.model.ScriptTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parameter values from the attacker's side: for every command template, either config refuses it
 * naming the placeholder, or no hostile value (given as a job's parameter, checked at load as every
 * value is) makes {@code /bin/bash -c} or {@code /bin/dash -c} run a command. The payloads try to
 * create the file M in a temp folder.
 */
class PlaceholderAttackTest {
  private static final Path FILE = Path.of("/srv/fleetrun/fleetrun.yaml");
  private static final String[] SHELLS = {"/bin/bash", "/bin/dash"};
  /** Marks rows whose placeholders are plain strings with a default each. */
  private static final String STRING = "strings";
  private static final String INTEGER = "{ n: { type: integer, default: 5 } }";

  static final List<String> PAYLOADS =
      List.of(
          "a[$(touch M)]",
          "x[$(touch M)]",
          "$(touch M)",
          "`touch M`",
          "'; touch M; '",
          "\"; touch M; \"",
          "$'\\x27'; touch M",
          "-e",
          "-v",
          "x\ntouch M\n",
          "EOF\ntouch M",
          "\\",
          "([$(touch M)]=1)",
          "[$(touch M)]=1",
          "a[$(touch M)]=1",
          "${IFS}$(touch M)");

  @TempDir Path dir;

  /** Contexts where a value could be evaluated; each must be refused or stay harmless. */
  static Stream<Arguments> hostileContexts() {
    return Stream.of(
        // arithmetic, directly and through a variable
        row("echo $(( {{s}} + 1 ))", STRING),
        row("echo \"$(( {{s}} + 1 ))\"", STRING),
        row("echo $(( \"{{s}}\" + 1 ))", STRING),
        row("echo $[ {{s}} + 1 ]", STRING),
        row("(( {{s}} > 1 )) && echo big", STRING),
        row("for (( i={{s}}; i<2; i++ )); do :; done", STRING),
        row("[[ {{s}} -gt 1 ]] && echo big", STRING),
        row("let x={{s}}+1", STRING),
        row("declare -i x={{s}}", STRING),
        row("f() { local -i x=$1; }; f {{s}}", STRING),
        row("v={{s}}; echo $((v+1))", STRING),
        row("v={{s}}; echo $(( v ))", STRING),
        row("v={{s}}; [[ $v -gt 1 ]] && echo big", STRING),
        row("v={{s}}\nx=1\necho $(( x + v ))", STRING),
        // parameter expansions and subscripts
        row("s=abc; echo ${s:{{s}}}", STRING),
        row("v={{s}}; s=abc; echo ${s:v}", STRING),
        row("a=(1 2); echo ${a[{{s}}]}", STRING),
        row("v={{s}}; a=(1 2); echo ${a[v]}", STRING),
        row("echo ${x:-{{s}}}", STRING),
        row("echo \"${x:-{{s}}}\"", STRING),
        row("v={{s}}; echo ${!v}", STRING),
        row("a[{{s}}]=1", STRING),
        row("v={{s}}; a[$v]=1", STRING),
        row("v={{s}}; a=([$v]=1)", STRING),
        // builtins that take a name or run code
        row("unset {{s}}", STRING),
        row("a=(1); unset {{s}}", STRING),
        row("v={{s}}; a=(1); unset \"$v\"", STRING),
        row("read {{s}} </dev/null", STRING),
        row("v={{s}}; read \"$v\" </dev/null", STRING),
        row("printf -v {{s}} x", STRING),
        row("v={{s}}; printf -v \"$v\" x", STRING),
        row("printf {{s}} {{t}}", STRING),
        row("declare {{s}}", STRING),
        row("x=(1); declare x={{s}}", STRING),
        row("x=(1); typeset x={{s}}", STRING),
        row("declare -a x={{s}}", STRING),
        row("v={{s}}; declare -a x=\"$v\"", STRING),
        row("v={{s}}; declare -n r=\"$v\"; echo $r", STRING),
        row("typeset {{s}}=1", STRING),
        row("f() { local {{s}}; }; f", STRING),
        row("f() { local -a x={{s}}; }; f", STRING),
        row("export {{s}}", STRING),
        row("readonly {{s}}", STRING),
        row("[[ -v {{s}} ]]", STRING),
        row("test -v {{s}}", STRING),
        row("[ -v {{s}} ]", STRING),
        row("v={{s}}; test -v \"$v\"", STRING),
        row("[ {{s}} {{t}} ]", STRING),
        row("test {{s}} {{t}}", STRING),
        row("getopts ab {{s}}", STRING),
        row("mapfile {{s}} </dev/null", STRING),
        row("readarray {{s}} </dev/null", STRING),
        row("sleep 0 & wait -p {{s}}", STRING),
        row("eval echo {{s}}", STRING),
        row("command eval echo {{s}}", STRING),
        row("builtin eval echo {{s}}", STRING),
        row("v={{s}}; eval \"echo $v\"", STRING),
        row("trap {{s}} EXIT", STRING),
        row("v={{s}}; trap \"echo $v\" EXIT", STRING),
        row(". {{s}}", STRING),
        row("source {{s}}", STRING),
        row("{{s}}", STRING),
        row("exec {{s}}", STRING),
        row("x=1 {{s}} y", STRING),
        // variables the shell evaluates, prompt expansion, prefixes
        row("PS4={{s}}; set -x; echo hi", STRING),
        row("x={{s}}; PS4=$x; set -x; echo hi", STRING),
        row("export PS4={{s}}; set -x; :", STRING),
        row("RANDOM={{s}}; echo $RANDOM", STRING),
        row("x={{s}}; OPTIND=$x", STRING),
        row("BASH_ENV={{s}} bash -c :", STRING),
        row("x={{s}}; export BASH_ENV=\"$x\"; bash -c :", STRING),
        row("v={{s}}; echo ${v@P}", STRING),
        row("time -p {{s}}", STRING),
        row("exec -a name {{s}}", STRING),
        row("v={{s}}; compgen -W \"$v\"", STRING),
        row("hash -p {{s}} ls; ls", STRING),
        row(". /dev/stdin <<< {{s}}", STRING),
        // found by a random-script fuzz of the scanner against bash and dash
        row("v=; $v eval echo {{s}}", STRING),
        row("\\eval echo {{s}}", STRING),
        row("'eval' echo {{s}}", STRING),
        row("x={{t}}; test $x {{s}}", STRING),
        row("x={{t}}; printf $x {{s}}", STRING),
        row("echo $'a\\{{s}}'; echo '", STRING),
        row("a=(x; y) {{s}}", STRING),
        row("a=(echo set -x;-- fix {{s}}", STRING),
        // quoting the old scanner got wrong or reports
        row("echo $'don\\'t'; echo '{{s}}'", STRING),
        row("echo $'{{s}}'", STRING),
        row("echo $'it\\'s' {{s}}", STRING),
        row("echo $\"x {{s}}\"", STRING),
        row("echo \"msg: {{s}}\"", STRING),
        row("echo '{{s}}'", STRING),
        row("echo `echo {{s}}`", STRING),
        row("cat <<EOF\n{{s}}\nEOF", STRING),
        row("echo x # {{s}}", STRING),
        row("echo \\{{s}}", STRING),
        row("echo ${{s}}", STRING));
  }

  /** Plain safe uses and integers anywhere: config accepts them and no value runs anything. */
  static Stream<Arguments> acceptedUses() {
    return Stream.of(
        row("echo {{s}}", STRING),
        row("echo hello-{{fleetrun.instanceId}} {{s}}", STRING),
        row("if [ {{fleetrun.instanceId}} = b ]; then echo b; fi; echo done", STRING),
        row("id={{fleetrun.instanceId}}; who={{s}}; echo \"hello from $id, $who\"", STRING),
        row("echo \"{{fleetrun.invokeId}}\" $(( 1 + 1 ))", "{}"),
        row("v={{s}}; echo \"msg: $v\"", STRING),
        row("export X={{s}}; echo \"$X\"", STRING),
        row("f() { local v={{s}}; echo \"$v\"; }; f", STRING),
        row("printf '%s\\n' {{s}} {{t}}", STRING),
        row("x={{s}}; case $x in a) echo a;; esac", STRING),
        row("for w in {{s}}; do echo \"$w\"; done", STRING),
        row("ls -- {{s}} 2>/dev/null; true", STRING),
        row("cat <<< {{s}}", STRING),
        row("echo $'it is' {{s}}", STRING),
        row("[ {{s}} = b ] && echo b; true", STRING),
        row("test -n {{s}} && echo set", STRING),
        row("echo \"${HOME:-/}\" {{s}} >/dev/null 2>&1", STRING),
        row("x={{s}}; echo \"${x}\"", STRING),
        row("PATH=\"$PATH:/opt/bin\"; IFS=$'\\n'; time -p echo {{s}}", STRING),
        row("echo $(( {{n}} + 1 ))", INTEGER),
        row("echo \"$(( {{n}} ))\" '{{n}}' \"{{n}}\" $'{{n}}'", INTEGER),
        row("(( {{n}} > 1 )) && echo big; true", INTEGER),
        row("[[ {{n}} -gt 1 ]] && echo big; true", INTEGER),
        row("a=(1 2); echo ${a[{{n}}]} ${s:{{n}}}", INTEGER),
        row("let x={{n}}+1; declare -i y={{n}}; a[{{n}}]=1", INTEGER),
        row("cat <<EOF\n{{n}}\nEOF", INTEGER),
        row("v={{n}}; echo $((v+1))", INTEGER));
  }

  @ParameterizedTest
  @MethodSource("hostileContexts")
  void hostileContextIsRefusedOrKeepsEveryValueLiteral(String content, String parameters)
      throws Exception {
    ConfigException refused =
        catchThrowableOfType(ConfigException.class, () -> load(content, parameters, null));
    if (refused != null) {
      Set<String> names = ScriptTemplate.placeholders(content);
      assertThat(names).as(refused.getMessage()).anyMatch(n -> refused.getMessage().contains("{{" + n + "}}"));
      return;
    }
    runEveryPayload(content, parameters);
  }

  @ParameterizedTest
  @MethodSource("acceptedUses")
  void safeUseIsAcceptedAndKeepsEveryValueLiteral(String content, String parameters)
      throws Exception {
    load(content, parameters, null);
    runEveryPayload(content, parameters);
  }

  private void runEveryPayload(String content, String parameters) throws Exception {
    for (String payload : PAYLOADS) {
      for (boolean optionFirst : new boolean[] {false, true}) {
        Map<String, String> values = new HashMap<>();
        boolean first = true;
        for (String name : ScriptTemplate.placeholders(content)) {
          if (!ScriptTemplate.BUILT_INS.contains(name)) {
            values.put(name, optionFirst && first ? "-v" : payload);
            first = false;
          }
        }
        FleetConfig config;
        try {
          config = load(content, parameters, values);
        } catch (ConfigException e) {
          // A value its parameter refuses never runs: the refusal must name the parameter.
          assertThat(e.getMessage()).containsAnyOf(values.keySet().stream().map(n -> "parameter '" + n + "'").toArray(String[]::new));
          continue;
        }
        Command command = config.fleet().commands().get(0);
        Map<String, String> rendered = new HashMap<>(command.parameters());
        rendered.putAll(config.fleet().jobs().get(0).parameters());
        rendered.put(ScriptTemplate.INSTANCE_ID, "web-1");
        rendered.put(ScriptTemplate.INVOKE_ID, "t-0123456789ab");
        String script = ScriptTemplate.render(content, rendered);
        for (String shell : SHELLS) {
          run(shell, script);
          assertThat(dir.resolve("M"))
              .as("%s ran a command from %s; script:%n%s", shell, values, script)
              .doesNotExist();
        }
      }
    }
  }

  private static FleetConfig load(String content, String parameters, Map<String, String> values) {
    if (parameters.equals(STRING)) {
      List<String> defaults = new ArrayList<>();
      for (String name : ScriptTemplate.placeholders(content)) {
        if (!ScriptTemplate.BUILT_INS.contains(name)) {
          defaults.add(name + ": x");
        }
      }
      parameters = "{ " + String.join(", ", defaults) + " }";
    }
    StringBuilder yaml =
        new StringBuilder(
            "instances:\n  - { id: web-1, host: 127.0.0.1 }\ncommands:\n  - id: c\n    content: "
                + yamlQuoted(content)
                + "\n    parameters: "
                + parameters
                + "\n");
    if (values != null) {
      List<String> entries = new ArrayList<>();
      values.forEach((k, v) -> entries.add(k + ": " + yamlQuoted(v)));
      yaml.append("jobs:\n  - { id: j, command: c, targets: { instances: [web-1] }, repeat: Once,")
          .append(" parameters: { ")
          .append(String.join(", ", entries))
          .append(" } }\n");
    }
    return ConfigLoader.parse(FILE, yaml.toString());
  }

  private static String yamlQuoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  private void run(String shell, String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(shell, "-c", script)
            .directory(dir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    p.getOutputStream().close();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(shell + " did not end: " + script);
    }
  }

  private static Arguments row(String content, String parameters) {
    return Arguments.of(content, parameters);
  }

  /** The harness sees an injection: the reproduced hole, rendered and run without config. */
  @org.junit.jupiter.api.Test
  void harnessSeesTheReproducedArithmeticInjection() throws Exception {
    for (String shell : SHELLS) {
      run(shell, ScriptTemplate.render("echo $(( {{s}} + 1 ))", Map.of("s", "a[$(touch M)]")));
      assertThat(dir.resolve("M")).as(shell).exists();
      Files.delete(dir.resolve("M"));
    }
  }
}
