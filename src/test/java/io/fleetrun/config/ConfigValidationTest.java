package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetrun.model.DatabaseSettings;
import io.fleetrun.model.SecretRef;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One test per kind of mistake an operator makes; each must name file, line and key. */
class ConfigValidationTest {
  private static final Path FILE = Path.of("/srv/fleetrun/fleetrun.yaml");
  private static final LoadContext CONTEXT = new LoadContext(FILE, Path.of("/home/ops"), "ops");

  /** Two instances, one command with a placeholder, to which each test adds its mistake. */
  private static final String BASE =
      """
      instances:
        - { id: web-1, host: 10.0.0.5, tags: [web] }
        - { id: web-2, host: 10.0.0.6, tags: [web] }
      commands:
        - { id: disk, content: "df -h {{mount}}", parameters: { mount: / } }
      """;

  @Test
  void unknownKeyIsReportedWithASuggestion() {
    ConfigException e = problems("ssh: { user: root, conectTimeout: 5s }\n");

    assertOnly(
        e, 1, "ssh.conectTimeout", "unknown key 'conectTimeout' (did you mean 'connectTimeout'?)");
    assertThat(e).hasMessageContaining(FILE + ":1:20: ssh.conectTimeout: unknown key");
  }

  @Test
  void unknownTopLevelKeyIsReported() {
    assertOnly(problems("job:\n  - { id: x }\n"), 1, "job", "(did you mean 'jobs'?)");
  }

  @Test
  void jobNamingAnUnknownInstanceOrCommandIsReported() {
    ConfigException e =
        problems(
            BASE
                + """
                jobs:
                  - { id: j, command: dsk, targets: { instances: [web-3] }, repeat: Once }
                """);

    assertThat(e.problems())
        .extracting(ConfigProblem::line, ConfigProblem::key)
        .containsExactly(tuple(7, "jobs[0].command"), tuple(7, "jobs[0].targets.instances[0]"));
    assertThat(e)
        .hasMessageContaining("unknown command 'dsk' (did you mean 'disk'?)")
        .hasMessageContaining("unknown instance 'web-3' (did you mean 'web-1'?)");
  }

  @Test
  void tagThatNoInstanceHasIsReported() {
    assertOnly(
        problems(
            BASE + "jobs:\n  - { id: j, command: disk, targets: { tags: [wbe] }, repeat: Once }\n"),
        7,
        "jobs[0].targets.tags[0]",
        "no instance has tag 'wbe' (did you mean 'web'?)");
  }

  @Test
  void badCronExpressionCarriesQuartzsReason() {
    ConfigException e =
        problems(
            BASE
                + """
                jobs:
                  - id: j
                    command: disk
                    targets: { tags: [web] }
                    repeat: Period
                    frequency: "0 0 2 * * MON-FOO"
                """);

    assertOnly(e, 11, "jobs[0].frequency", "nor a Quartz cron expression");
    assertThat(e.problems().get(0).message()).contains("FOO");
  }

  @Test
  void cronWithBothDayFieldsIsRefusedAsQuartzDoes() {
    assertOnly(
        problems(job("repeat: Period, frequency: \"0 0 2 * * MON\"")),
        7,
        "jobs[0].frequency",
        "day-of-week AND a day-of-month");
  }

  @Test
  void cronThatNeverFiresIsReported() {
    assertOnly(
        problems(job("repeat: Period, frequency: \"0 0 0 30 2 ?\"")),
        7,
        "jobs[0].frequency",
        "'0 0 0 30 2 ?' never fires after");
    assertOnly(
        problems(job("repeat: Period, frequency: \"0 0 0 1 1 ? 2020\"")),
        7,
        "jobs[0].frequency",
        "never fires after");
  }

  @Test
  void cronWithAYearStillAheadIsAccepted() {
    LoadContext in2019 =
        new LoadContext(
            FILE,
            Path.of("/home/ops"),
            "ops",
            Clock.fixed(Instant.parse("2019-06-01T00:00:00Z"), ZoneOffset.UTC));

    FleetConfig config =
        ConfigLoader.parse(in2019, job("repeat: Period, frequency: \"0 0 0 1 1 ? 2020\""));

    assertThat(config.fleet().jobs()).hasSize(1);
  }

  @Test
  void badRateIsReported() {
    assertOnly(
        problems(job("repeat: Period, frequency: rate(5 minutes)")),
        7,
        "jobs[0].frequency",
        "is not a duration");
    assertOnly(
        problems(job("repeat: Period, frequency: rate(0s)")),
        7,
        "jobs[0].frequency",
        "rate must be at least 1s");
  }

  @Test
  void onceWithCronOrRateIsReported() {
    assertOnly(
        problems(job("repeat: Once, frequency: \"0 0 2 * * ?\"")),
        7,
        "jobs[0].frequency",
        "use repeat: Period");
    assertOnly(
        problems(job("repeat: Once, frequency: rate(5m)")),
        7,
        "jobs[0].frequency",
        "for 'rate(5m)' use repeat: Period");
  }

  @Test
  void periodWithAtTimeOrWithoutFrequencyIsReported() {
    assertOnly(
        problems(job("repeat: Period, frequency: at(2026-12-01T02:00:00Z)")),
        7,
        "jobs[0].frequency",
        "use repeat: Once");
    assertOnly(problems(job("repeat: Period")), 7, "jobs[0].frequency", "needs a frequency");
  }

  @Test
  void badAtTimeAndUnknownRepeatModeAreReported() {
    assertOnly(
        problems(job("repeat: Once, frequency: at(tomorrow)")),
        7,
        "jobs[0].frequency",
        "is not a UTC time");
    assertOnly(problems(job("repeat: once")), 7, "jobs[0].repeat", "(did you mean 'Once'?)");
  }

  @Test
  void unknownMisfireOrOverlapWordIsReportedWithASuggestion() {
    assertOnly(
        problems(job("repeat: Period, frequency: rate(5m), misfire: run_once")),
        7,
        "jobs[0].misfire",
        "must be one of run-once, skip, got 'run_once' (did you mean 'run-once'?)");
    assertOnly(
        problems(job("repeat: Period, frequency: rate(5m), overlap: allw")),
        7,
        "jobs[0].overlap",
        "must be one of skip, allow, got 'allw' (did you mean 'allow'?)");
  }

  @Test
  void concurrencyControlsAreReadAsACountOrAPercentageOfTheTargets() throws Exception {
    var jobs = ConfigLoader.parse(CONTEXT, job("repeat: Once, maxConcurrency: 2, maxErrors: 25%"))
        .fleet().jobs();
    assertThat(jobs.get(0).controls()).isEqualTo(new io.fleetrun.model.ConcurrencyControls(
        java.util.Optional.of(io.fleetrun.model.Threshold.count(2)),
        java.util.Optional.of(io.fleetrun.model.Threshold.parse("25%"))));
    assertThat(ConfigLoader.parse(CONTEXT, job("repeat: Once")).fleet().jobs().get(0).controls())
        .isEqualTo(io.fleetrun.model.ConcurrencyControls.NONE);
  }

  @Test
  void badConcurrencyControlsAreReportedAtTheirKey() {
    assertOnly(problems(job("repeat: Once, maxConcurrency: 0")), 7, "jobs[0].maxConcurrency",
        "must be at least 1 (or 1%); leave it out for no limit");
    assertOnly(problems(job("repeat: Once, maxErrors: 120%")), 7, "jobs[0].maxErrors",
        "a percentage cannot be over 100%: 120%");
    assertOnly(problems(job("repeat: Once, maxErrors: lots")), 7, "jobs[0].maxErrors",
        "'lots' is not a count of targets; write a whole number like 10 or a percentage like 25%");
  }

  @Test
  void policiesThatMeanNothingForAOneTimeJobAreReported() {
    assertOnly(
        problems(job("repeat: Once, misfire: skip")),
        7,
        "jobs[0].misfire",
        "misfire applies to repeat: Period and to frequency: at(...)");
    assertOnly(
        problems(job("repeat: Once, frequency: at(2026-12-01T02:00:00Z), overlap: allow")),
        7,
        "jobs[0].overlap",
        "overlap applies to repeat: Period");
  }

  @Test
  void misfireOfAnAtTimeJobIsAccepted() {
    assertThat(
            ConfigLoader.parse(
                    CONTEXT, job("repeat: Once, frequency: at(2026-12-01T02:00:00Z), misfire: skip"))
                .fleet()
                .jobs())
        .singleElement()
        .extracting(io.fleetrun.model.Job::misfire)
        .isEqualTo(io.fleetrun.model.MisfirePolicy.SKIP);
  }

  @Test
  void duplicateIdNamesBothLines() {
    ConfigException e =
        problems(
            """
            instances:
              - { id: web-1, host: a }
              - { id: db-1, host: b }
              - { id: web-1, host: c }
            """);

    assertOnly(
        e,
        4,
        "instances[2].id",
        "duplicate instance id 'web-1': already used by instances[0] (line 2); this one at line 4");
  }

  @Test
  void duplicateYamlKeyIsReported() {
    assertOnly(
        problems("limits:\n  maxSessions: 5\n  maxSessions: 6\n"),
        3,
        "limits.maxSessions",
        "duplicate key 'maxSessions' (first at line 2)");
  }

  @Test
  void duplicateYamlKeyDoesNotHideOtherProblems() {
    ConfigException e = problems("limits: { maxSessions: 5, maxSessions: 6, outputBytes: 1 }\n");

    assertThat(e.problems())
        .extracting(ConfigProblem::key)
        .containsExactly("limits.maxSessions", "limits.outputBytes");
  }

  @Test
  void emptyTargetSetIsReported() {
    assertOnly(
        problems(
            BASE
                + "jobs:\n"
                + "  - { id: j, command: disk, targets: { instances: [] }, repeat: Once }\n"),
        7,
        "jobs[0].targets",
        "selects no instance");
  }

  @Test
  void placeholderWithoutValueNamesTheJobAndThePlaceholder() {
    ConfigException e =
        problems(
            """
            instances: [{ id: a, host: h }]
            commands:
              - { id: copy, content: "cp {{src}} {{dst}}; echo {{fleetrun.invokeId}}", parameters: { dst: /tmp } }
            jobs:
              - { id: backup, command: copy, targets: { instances: [a] }, repeat: Once }
            """);

    assertOnly(
        e, 5, "jobs[0].parameters", "job 'backup': command 'copy' needs a value for {{src}}");
  }

  @Test
  void unusedJobParameterIsReportedAsALikelyTypo() {
    ConfigException e =
        problems(
            BASE
                + """
                jobs:
                  - { id: j, command: disk, targets: { tags: [web] }, repeat: Once, parameters: { mnt: /var } }
                """);

    assertOnly(
        e,
        7,
        "jobs[0].parameters.mnt",
        "job 'j': parameter 'mnt' is not used by command 'disk' (did you mean 'mount'?)");
  }

  @Test
  void unusedCommandDefaultAndUnknownBuiltInAreReported() {
    ConfigException e =
        problems(
            "commands:\n"
                + "  - { id: c, content: \"echo {{fleetrun.host}}\", parameters: { x: 1 } }\n");

    assertThat(e.problems())
        .extracting(ConfigProblem::key)
        .containsExactly("commands[0].content", "commands[0].parameters.x");
    assertThat(e)
        .hasMessageContaining("{{fleetrun.host}} is not a built-in")
        .hasMessageContaining("default for 'x' is not used");
  }

  @Test
  void placeholderInsideQuotesIsReportedWithTheSafeForm() {
    ConfigException e =
        problems(
            "commands:\n"
                + "  - { id: c, content: \"echo \\\"msg: {{m}}\\\"\", parameters: { m: hi } }\n");

    assertOnly(
        e,
        2,
        "commands[0].content",
        "{{m}} stands inside double quotes (content line 1), where its value could run as code; a"
            + " placeholder must be a bare word: assign it to a variable first and use the"
            + " variable: `v={{m}}; echo \"msg: $v\"`; if it is a number, declare it `type:"
            + " integer`");
  }

  @Test
  void stringPlaceholderInArithmeticIsRefusedAndAnIntegerIsAccepted() {
    assertOnly(
        problems("commands:\n  - { id: c, content: \"echo $(( {{n}} + 1 ))\", parameters: { n: 1 } }\n"),
        2,
        "commands[0].content",
        "{{n}} stands inside arithmetic (content line 1), where its value could run as code; only"
            + " a number is safe there: declare the parameter `type: integer`");

    FleetConfig config =
        ConfigLoader.parse(
            CONTEXT,
            """
            commands:
              - id: c
                content: "echo {{n}} {{tag}}; echo {{mode}}"
                parameters:
                  n: { type: integer, default: 5 }
                  tag: { pattern: "^[a-z0-9-]+$" }
                  mode: { default: x }
            """);
    io.fleetrun.model.Command c = config.fleet().commands().get(0);
    assertThat(c.parameters()).containsOnly(java.util.Map.entry("n", "5"), java.util.Map.entry("mode", "x"));
    assertThat(c.rule("n").type()).isEqualTo(io.fleetrun.model.ParameterType.INTEGER);
    assertThat(c.rule("tag").pattern()).contains("^[a-z0-9-]+$");
    assertThat(c.rule("mode")).isEqualTo(io.fleetrun.model.ParameterRule.ANY_STRING);
  }

  @Test
  void stringPlaceholderInAScriptWithArithmeticIsRefused() {
    ConfigException e =
        problems(
            """
            commands:
              - id: c
                content: |
                  v={{n}}
                  echo $((v+1))
                parameters: { n: 1 }
            """);

    assertOnly(
        e,
        3,
        "commands[0].content",
        "{{n}} is a string parameter and the script uses `$((` (content line 2)");
  }

  @Test
  void badParameterDefinitionsAreReportedWhereTheyStand() {
    ConfigException e =
        problems(
            """
            commands:
              - id: c
                content: "echo {{a}} {{b}} {{c}} {{d}}"
                parameters:
                  a: { type: number }
                  b: { pattern: "[a-z" }
                  c: { type: integer, default: 1.5 }
                  d: { pattern: "^[a-z]+$", default: ABC, dfault: x }
            """);

    assertThat(e.problems())
        .extracting(ConfigProblem::line, ConfigProblem::key)
        .containsExactly(
            tuple(5, "commands[0].parameters.a.type"),
            tuple(6, "commands[0].parameters.b.pattern"),
            tuple(7, "commands[0].parameters.c"),
            tuple(8, "commands[0].parameters.d"),
            tuple(8, "commands[0].parameters.d.dfault"));
    assertThat(e.problems().get(0).message()).isEqualTo("must be string or integer, got 'number'");
    assertThat(e.problems().get(1).message())
        .startsWith("is not a valid regular expression: Unclosed character class");
    assertThat(e.problems().get(2).message())
        .isEqualTo(
            "parameter 'c' is declared `type: integer` and must match -?[0-9]{1,18} (digits, an"
                + " optional leading '-', no spaces), got '1.5'");
    assertThat(e.problems().get(3).message())
        .isEqualTo("parameter 'd' must match the pattern ^[a-z]+$ (the whole value), got 'ABC'");
    assertThat(e).hasMessageContaining(FILE + ":7:36: commands[0].parameters.c: parameter 'c'");
  }

  @Test
  void jobValueItsParameterRefusesIsReportedAtTheValue() {
    ConfigException e =
        problems(
            """
            instances:
              - { id: web-1, host: 10.0.0.5 }
            commands:
              - { id: c, content: "echo $(( {{n}} + 1 ))", parameters: { n: { type: integer } } }
            jobs:
              - { id: j, command: c, targets: { instances: [web-1] }, repeat: Once, parameters: { n: "a[$(reboot)]" } }
            """);

    assertOnly(
        e,
        6,
        "jobs[0].parameters.n",
        "job 'j': parameter 'n' is declared `type: integer` and must match -?[0-9]{1,18}");
  }

  @Test
  void placeholderInAHereDocumentIsReported() {
    ConfigException e =
        problems(
            """
            commands:
              - id: c
                content: |
                  cat <<EOF
                  {{m}}
                  EOF
                parameters: { m: hi }
            """);

    assertOnly(e, 3, "commands[0].content", "{{m}} stands inside a here-document");
  }

  @Test
  void oversizedCommandContentIsReported() {
    String big = "x".repeat(65_537);
    assertOnly(
        problems("commands:\n  - id: big\n    content: " + big + "\n"),
        3,
        "commands[0].content",
        "is 65537 bytes; at most 65536");
  }

  @Test
  void inlinePasswordIsRefusedWithoutEchoingIt() {
    ConfigException e = problems("instances:\n  - { id: a, host: h, password: \"hunter2\" }\n");

    assertOnly(e, 2, "instances[0].password", "use { env: VAR } or { file: PATH }");
    assertThat(e).hasMessageNotContaining("hunter2");
  }

  @Test
  void passwordReferenceMustNameExactlyOneSource() {
    assertOnly(
        problems("instances:\n  - { id: a, host: h, password: { env: A, file: b } }\n"),
        2,
        "instances[0].password",
        "exactly one of");
    ConfigException e =
        problems("instances:\n  - { id: a, host: h, password: { env: \"s3cret pw\" } }\n");
    assertOnly(e, 2, "instances[0].password.env", "is not an environment variable name");
    assertThat(e).hasMessageNotContaining("s3cret");
  }

  @Test
  void portOutOfRangeOrNotANumberIsReported() {
    assertOnly(
        problems("instances:\n  - { id: a, host: h, port: 70000 }\n"),
        2,
        "instances[0].port",
        "must be between 1 and 65535, got 70000");
    assertOnly(
        problems("instances:\n  - { id: a, host: h, port: ssh }\n"),
        2,
        "instances[0].port",
        "expected a whole number, got 'ssh'");
  }

  @Test
  void limitsOutOfRangeAreReported() {
    ConfigException e = problems("limits: { maxSessions: 0, outputBytes: 100 }\n");

    assertThat(e.problems())
        .extracting(ConfigProblem::key)
        .containsExactly("limits.maxSessions", "limits.outputBytes");
    assertThat(e).hasMessageContaining("between 1024 and 16777216");
  }

  @Test
  void postgresqlTakesARoleAndAPasswordReference() throws Exception {
    FleetConfig config =
        ConfigLoader.parse(
            CONTEXT,
            """
            database:
              url: jdbc:postgresql://db.internal:5432/fleetrun
              user: fleetrun
              password: { env: FLEETRUN_DB_PASSWORD }
            """);

    assertThat(config.database())
        .isEqualTo(
            new DatabaseSettings(
                "jdbc:postgresql://db.internal:5432/fleetrun",
                Optional.of("fleetrun"),
                Optional.of(new SecretRef.Env("FLEETRUN_DB_PASSWORD"))));
    assertThat(config.database().kind()).isEqualTo(DatabaseSettings.Kind.POSTGRESQL);
  }

  @Test
  void aPasswordInThePostgresqlUrlIsRefusedWithoutEchoingIt() throws Exception {
    for (String url :
        List.of(
            "jdbc:postgresql://db.internal:5432/fleetrun?password=pw123",
            "jdbc:postgresql://db.internal:5432/fleetrun?ssl=true&PASSWORD=pw123",
            "jdbc:postgresql://db.internal:5432/fleetrun?user=fleetrun&password=pw123")) {
      ConfigException e = problems("database: { url: \"" + url + "\" }\n");
      assertThat(e.problems()).extracting(ConfigProblem::key).containsExactly("database.url");
      assertThat(e).hasMessageContaining("must not carry the").hasMessageNotContaining("pw123");
    }
    for (String url :
        List.of(
            "jdbc:postgresql://db.internal/fleetrun?sslpassword=pw123",
            "jdbc:postgresql://db.internal/fleetrun?service=pw123",
            "jdbc:postgresql://db.internal/fleetrun?sslmode=verify-full&options=-c%20search_path=pw123")) {
      ConfigException e = problems("database: { url: \"" + url + "\" }\n");
      assertThat(e.problems()).extracting(ConfigProblem::key).containsExactly("database.url");
      assertThat(e).hasMessageContaining("takes only the parameters").hasMessageNotContaining("pw123");
    }
    assertThat(ConfigLoader.parse(CONTEXT,
        "database: { url: \"jdbc:postgresql://db/fleetrun?sslmode=verify-full&ApplicationName=ops\" }\n")
        .databaseUrl()).endsWith("?sslmode=verify-full&ApplicationName=ops");
    ConfigException atSign =
        problems("database: { url: \"jdbc:postgresql://fleetrun:pw123@db.internal/fleetrun\" }\n");
    assertThat(atSign).hasMessageContaining("before '@'").hasMessageNotContaining("pw123");
  }

  @Test
  void anInlineDatabasePasswordIsRefusedWithoutEchoingIt() {
    ConfigException e =
        problems(
            "database: { url: \"jdbc:postgresql://db/fleetrun\", password: hunter2secret }\n");

    assertOnly(e, 1, "database.password",
        "passwords are never written inline; use { env: VAR } or { file: PATH }");
    assertThat(e).hasMessageNotContaining("hunter2secret");
  }

  @Test
  void aSqliteFileTakesNoRoleOrPassword() {
    assertOnly(
        problems("database: { url: \"jdbc:sqlite:f.db\", user: fleetrun }\n"),
        1,
        "database.user",
        "is for a PostgreSQL database; a SQLite file has no user or password");
  }

  @Test
  void aPostgresqlUrlWithoutServerOrDatabaseIsReported() {
    assertOnly(
        problems("database: { url: \"jdbc:postgresql:fleetrun\" }\n"),
        1,
        "database.url",
        "names no server and database; write it like jdbc:postgresql://db.example.com:5432/fleetrun");
  }

  @Test
  void badSettingsAreReported() {
    ConfigException e =
        problems(
            """
            database: { url: "jdbc:mysql://db/fleetrun?password=pw123" }
            ssh: { hostKeyPolicy: accept_new, connectTimeout: 10, keyExchanges: [] }
            """);

    assertThat(e.problems())
        .extracting(ConfigProblem::key)
        .containsExactly(
            "database.url", "ssh.hostKeyPolicy", "ssh.connectTimeout", "ssh.keyExchanges");
    assertThat(e)
        .hasMessageContaining("must be a jdbc:sqlite:FILE or a jdbc:postgresql://HOST:PORT/DATABASE URL, got 'jdbc:mysql:...'")
        .hasMessageNotContaining("pw123")
        .hasMessageContaining("(did you mean 'accept-new'?)")
        .hasMessageContaining("'10' is not a duration");
  }

  @Test
  void badConnectionReuseSettingsAreReported() {
    ConfigException e =
        problems("ssh:\n  keepAlive: -5m\n  channelsPerConnection: 1\n"
            + "  connectionLifetime: 0\n");

    assertThat(e.problems())
        .extracting(ConfigProblem::line, ConfigProblem::key)
        .containsExactly(tuple(2, "ssh.keepAlive"), tuple(3, "ssh.channelsPerConnection"),
            tuple(4, "ssh.connectionLifetime"));
    assertThat(e).hasMessageContaining("must be between 2 and 64, got 1");
    assertThat(problems("ssh:\n  connectionLifetime: forever\n").problems())
        .extracting(ConfigProblem::line, ConfigProblem::key)
        .containsExactly(tuple(2, "ssh.connectionLifetime"));
  }

  @Test
  void badIdIsReported() {
    assertOnly(
        problems("instances:\n  - { id: \"-web 1\", host: h }\n"),
        2,
        "instances[0].id",
        "must be 1-64 letters, digits");
  }

  @Test
  void missingRequiredKeysAreReported() {
    ConfigException e = problems("instances:\n  - { port: 22 }\njobs:\n  - { id: j }\n");

    assertThat(e.problems())
        .extracting(ConfigProblem::line, ConfigProblem::key)
        .containsExactly(
            tuple(2, "instances[0].id"),
            tuple(2, "instances[0].host"),
            tuple(4, "jobs[0].command"),
            tuple(4, "jobs[0].targets"),
            tuple(4, "jobs[0].repeat"));
    assertThat(e).hasMessageContaining("instances[0].host: is required");
  }

  @Test
  void wrongTypesAreReported() {
    ConfigException e =
        problems(
            """
            ssh: [root]
            instances:
              - { id: a, host: [h1, h2], tags: web }
            commands: { id: c }
            """);

    assertThat(e.problems())
        .extracting(ConfigProblem::line, ConfigProblem::key)
        .containsExactly(
            tuple(1, "ssh"),
            tuple(3, "instances[0].host"),
            tuple(3, "instances[0].tags"),
            tuple(4, "commands"));
    assertThat(e)
        .hasMessageContaining("ssh: expected a map like { user: ... }, got a list")
        .hasMessageContaining("instances[0].host: expected a single value, got a list")
        .hasMessageContaining("instances[0].tags: expected a list like [a, b], got text")
        .hasMessageContaining("commands: expected a list like [a, b], got a map");
  }

  @Test
  void malformedYamlGivesTheParsersPosition() {
    ConfigException e =
        problems(
            """
            instances:
              - { id: a, host: h }
            jobs:
              - { id: j, command: [x
            """);

    assertThat(e.problems()).hasSize(1);
    ConfigProblem p = e.problems().get(0);
    assertThat(p.file()).isEqualTo(FILE);
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.key()).isEqualTo("jobs[0].command");
    assertThat(p.message()).startsWith("malformed YAML: while parsing a flow sequence");
  }

  @Test
  void tabIndentationIsMalformedYamlAtItsLine() {
    assertOnly(problems("limits:\n\tmaxSessions: 5\n"), 2, "limits", "malformed YAML");
  }

  @Test
  void secondDocumentAndAliasesAreRefused() {
    assertOnly(problems("limits: {}\n---\nssh: {}\n"), 3, "(root)", "only one YAML document");
    assertOnly(
        problems("ssh: { user: &u root, identityFile: *u }\n"),
        1,
        "ssh.identityFile",
        "aliases (*u) are not supported");
  }

  @Test
  void everyProblemIsReportedAtOnceInFileOrder() throws Exception {
    ConfigException e = problems(ConfigLoaderTest.resource("many-problems.yaml"));

    assertThat(e.problems())
        .extracting(ConfigProblem::line, ConfigProblem::key)
        .containsExactly(
            tuple(2, "limits.maxSesions"),
            tuple(4, "instances[0].port"),
            tuple(5, "instances[1].password"),
            tuple(6, "instances[2].id"),
            tuple(9, "commands[0].timeout"),
            tuple(12, "jobs[0].targets.instances[0]"),
            tuple(13, "jobs[0].frequency"),
            tuple(15, "jobs[1].frequency"),
            // the misspelt parameter leaves {{color}} without a value: both are said
            tuple(16, "jobs[1].parameters"),
            tuple(16, "jobs[1].parameters.colour"));
    assertThat(e.getMessage()).startsWith("10 problem(s) in config:\n" + FILE + ":2:");
  }

  @Test
  void rootThatIsNotAMapIsReported() {
    assertOnly(problems("- a\n- b\n"), 1, "(root)", "expected a map like { database: ... }");
  }

  @Test
  void unknownKeysInNestedMapsAreReported() {
    ConfigException e =
        problems(
            BASE
                + """
                jobs:
                  - id: j
                    command: disk
                    targets: { instance: [web-1] }
                    repeat: Once
                """);

    assertOnly(e, 9, "jobs[0].targets.instance", "(did you mean 'instances'?)");
  }

  @Test
  void parameterValuesMustBeSingleValues() {
    ConfigException e =
        problems(
            "commands:\n  - { id: c, content: \"echo {{a}} {{b}}\", parameters: { a: [1], b: } }\n");

    assertThat(e.problems())
        .extracting(ConfigProblem::key, ConfigProblem::message)
        .containsExactly(
            tuple(
                "commands[0].parameters.a",
                "expected a single value or { type: ..., default: ..., pattern: ... }, got a list"),
            tuple("commands[0].parameters.b", "needs a value; write '' for an empty one"));
  }

  @Test
  void emptyValuesCountAsLeftOut() {
    FleetConfig config =
        ConfigLoader.parse(
            CONTEXT, "ssh:\nlimits:\ninstances:\n  - { id: a, host: h, user: , tags: }\n");

    assertThat(config.fleet().instances().get(0).user()).isEqualTo("ops");
    assertThat(config.fleet().instances().get(0).tags()).isEmpty();
  }

  @Test
  void yamlScalarsKeepTheTextTheOperatorWrote() {
    FleetConfig config =
        ConfigLoader.parse(
            CONTEXT,
            """
            commands:
              - { id: c, content: "chmod {{mode}} {{f}}; echo {{ok}}", parameters: { mode: 0755, f: x, ok: yes } }
            """);

    assertThat(config.fleet().commands().get(0).parameters())
        .containsEntry("mode", "0755")
        .containsEntry("ok", "yes");
  }

  private static ConfigException problems(String yaml) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(CONTEXT, yaml));
    assertThat(e).as("config should be refused").isNotNull();
    return e;
  }

  /** A BASE config plus one job with the given schedule keys, on line 7. */
  private static String job(String schedule) {
    return BASE
        + "jobs:\n  - { id: j, command: disk, targets: { tags: [web] }, "
        + schedule
        + " }\n";
  }

  private static void assertOnly(ConfigException e, int line, String key, String messagePart) {
    assertThat(e.problems()).as(e.getMessage()).hasSize(1);
    ConfigProblem p = e.problems().get(0);
    assertThat(p.file()).isEqualTo(FILE);
    assertThat(p.line()).isEqualTo(line);
    assertThat(p.key()).isEqualTo(key);
    assertThat(p.message()).contains(messagePart);
    assertThat(e).hasMessageContaining(FILE + ":" + line + ":" + p.column() + ": " + key + ": ");
  }

  private static org.assertj.core.groups.Tuple tuple(Object... values) {
    return org.assertj.core.groups.Tuple.tuple(values);
  }
}
