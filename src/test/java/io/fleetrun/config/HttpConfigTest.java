package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetrun.model.HttpSettings;
import io.fleetrun.model.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code http:}: where the server listens, its tokens, and what is refused (at file:line:key). */
class HttpConfigTest {
  @TempDir Path dir;

  private FleetConfig parse(String yaml) {
    return ConfigLoader.parse(new LoadContext(dir.resolve("fleetrun.yaml"), dir, "ops"), yaml);
  }

  private ConfigException problems(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    assertThat(e).as("expected a ConfigException").isNotNull();
    return e;
  }

  private Path tokenFile(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @Test
  void metricsPublicIsOffUnlessSaidAndMustBeABoolean() {
    assertThat(parse("http: { listen: 127.0.0.1:8620 }\n").http().orElseThrow().metricsPublic()).isFalse();
    assertThat(parse("http: { listen: 127.0.0.1:8620, metricsPublic: true }\n").http().orElseThrow().metricsPublic())
        .isTrue();
    ConfigException e = problems("http:\n  listen: 127.0.0.1:8620\n  metricsPublic: sometimes\n");
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.key()).isEqualTo("http.metricsPublic");
      assertThat(p.line()).isEqualTo(3);
      assertThat(p.message()).contains("true or false").contains("sometimes");
    });
  }

  @Test
  void noHttpSectionMeansNoServer() {
    assertThat(parse("instances: []\n").http()).isEmpty();
  }

  @Test
  void listenAndTokensAreRead() throws IOException {
    Path f = tokenFile("grafana", "0123456789abcdef0123\n");
    HttpSettings h = parse("""
        http:
          listen: 0.0.0.0:8620
          tokens:
            - { name: grafana, role: reader, file: %s }
            - { name: ci, role: operator, env: FLEETRUN_TOKEN_CI }
        """.formatted(f)).http().orElseThrow();
    assertThat(h.host()).isEqualTo("0.0.0.0");
    assertThat(h.port()).isEqualTo(8620);
    assertThat(h.tokens()).containsExactly(
        new HttpSettings.Token("grafana", HttpSettings.Role.READER, new SecretRef.File(f)),
        new HttpSettings.Token("ci", HttpSettings.Role.OPERATOR, new SecretRef.Env("FLEETRUN_TOKEN_CI")));
  }

  @ParameterizedTest
  @CsvSource({"127.0.0.1:8620, 127.0.0.1", "127.3.4.5:1, 127.3.4.5", "'[::1]:8620', ::1", "localhost:8620, localhost"})
  void loopbackWithoutTokensIsAllowed(String listen, String host) {
    HttpSettings h = parse("http: { listen: '" + listen + "' }\n").http().orElseThrow();
    assertThat(h.host()).isEqualTo(host);
    assertThat(h.tokens()).isEmpty();
    assertThat(h.loopback()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0:8620", "10.0.0.5:8620", "'[::]:8620'", "fleet.example.com:8620", "128.0.0.1:80",
      "'[::ffff:10.0.0.1]:80'"})
  void anyOtherAddressWithoutTokensIsRefused(String listen) {
    ConfigException e = problems("http:\n  listen: " + listen + "\n  tokens: []\n");
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.key()).isEqualTo("http.listen");
      assertThat(p.line()).isEqualTo(2);
      assertThat(p.message()).contains("not a loopback address").contains("http.tokens");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"8620", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "'[::1:8620'", "127.0.0.1:http"})
  void aMalformedListenIsRefused(String listen) {
    ConfigException e = problems("http: { listen: " + listen + " }\n");
    assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.key()).isEqualTo("http.listen"));
  }

  @Test
  void tokenMistakesAreEachReportedAtTheirKey() throws IOException {
    Path empty = tokenFile("empty", "\n\n");
    ConfigException e = problems("""
        http:
          listen: 127.0.0.1:8620
          tokens:
            - { name: a, role: reader, env: A }
            - { name: a, role: reader, env: B }
            - { name: b, role: admin, env: C }
            - { name: c, role: reader, file: %s }
            - { name: d, role: reader }
            - { name: e, role: reader, env: E, file: /x }
            - { name: f, role: reder, env: 'not a var' }
        """.formatted(empty));
    assertThat(e.problems()).extracting(ConfigProblem::line, ConfigProblem::key).containsExactly(
        org.assertj.core.groups.Tuple.tuple(5, "http.tokens[1].name"),
        org.assertj.core.groups.Tuple.tuple(6, "http.tokens[2].role"),
        org.assertj.core.groups.Tuple.tuple(7, "http.tokens[3].file"),
        org.assertj.core.groups.Tuple.tuple(8, "http.tokens[4]"),
        org.assertj.core.groups.Tuple.tuple(9, "http.tokens[5]"),
        org.assertj.core.groups.Tuple.tuple(10, "http.tokens[6].role"),
        org.assertj.core.groups.Tuple.tuple(10, "http.tokens[6].env"));
    assertThat(e).hasMessageContaining("duplicate token name 'a': already used at line 4")
        .hasMessageContaining("must be one of reader, operator, got 'admin'")
        .hasMessageContaining("token file " + empty + " is empty")
        .hasMessageContaining("give exactly one of file: PATH or env: VAR")
        .hasMessageContaining("(did you mean 'reader'?)");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "- { name: ci, role: operator, value: s3cr3t-token-value-0123 }",
      "- { name: ci, role: operator, token: s3cr3t-token-value-0123 }",
      "- s3cr3t-token-value-0123"})
  void anInlineTokenValueIsRefusedWithoutEchoingIt(String item) {
    ConfigException e = problems("http:\n  listen: 127.0.0.1:8620\n  tokens:\n    " + item + "\n");
    assertThat(e).hasMessageContaining("never written inline").hasMessageNotContaining("s3cr3t");
  }

  @Test
  void aTokenFileOthersMayOpenIsRefused() throws IOException {
    Path f = tokenFile("open", "0123456789abcdef0123\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    ConfigException e = problems("http:\n  listen: 127.0.0.1:8620\n  tokens:\n    - { name: a, role: reader, file: "
        + f + " }\n");
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.key()).isEqualTo("http.tokens[0].file");
      assertThat(p.message()).contains("chmod 600");
    });
  }
}
