package io.fleetrun.http;

import static io.fleetrun.http.ApiRig.OPERATOR;
import static io.fleetrun.http.ApiRig.READER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetrun.model.HttpSettings;
import io.fleetrun.model.HttpSettings.Role;
import io.fleetrun.model.SecretRef;
import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bearer tokens and roles over real HTTP: who gets in, who gets 401 or 403, and what the log
 * says about it (never a token value). An operator-only row is added to the route table here:
 * no such route exists in this version, and none is faked in the daemon's code.
 */
class ApiAuthTest {
  private static final String OPERATOR_ROUTE = "/api/v1/operator-only";
  @TempDir static Path dir;
  private static ApiRig rig;

  @BeforeAll
  static void start() {
    rig = new ApiRig(StoreBackend.SQLITE, dir, List.of(
        Route.get(OPERATOR_ROUTE, Role.OPERATOR, ctx -> ApiServer.json(ctx, 200, Map.of("done", true)))));
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  static Stream<String> refusedHeaders() {
    String lastByte = READER.substring(0, READER.length() - 1) + (READER.endsWith("f") ? "e" : "f");
    return Stream.of(
        "Bearer " + lastByte, // differs in its last byte only
        "Bearer " + READER + "0", // one byte longer
        "Bearer " + READER.substring(0, 16), // a prefix
        "Bearer", // no value
        "Bearer ", // an empty value
        "Bearer    ",
        "Basic " + READER, // another scheme
        READER, // no scheme
        "Bearer " + READER.toUpperCase()); // tokens are case-sensitive
  }

  @ParameterizedTest
  @MethodSource("refusedHeaders")
  void aWrongTokenIs401WithWwwAuthenticate(String header) {
    ApiRig.Answer a = rig.get("/api/v1/invocations", header);
    assertThat(a.status()).as(header).isEqualTo(401);
    assertThat(a.wwwAuthenticate()).contains("Bearer");
    assertThat(a.code()).isEqualTo("Unauthorized");
    assertThat(a.contentType()).startsWith("application/json");
  }

  /**
   * Jetty's per-connection header cache matched values ignoring case by default: after a request
   * with the reader's token, the token in upper case on the same kept connection was taken.
   */
  @Test
  void aTokenDifferingOnlyInCaseIsRefusedOnTheSameConnection() {
    for (int i = 0; i < 3; i++) {
      assertThat(rig.get("/api/v1/invocations", "Bearer " + READER).status()).isEqualTo(200);
      assertThat(rig.get("/api/v1/invocations", "Bearer " + READER.toUpperCase()).status()).isEqualTo(401);
      assertThat(rig.get("/api/v1/invocations", "BEARER " + READER.toUpperCase()).status()).isEqualTo(401);
    }
  }

  @Test
  void noTokenIs401() {
    ApiRig.Answer a = rig.get("/api/v1/invocations", null);
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.wwwAuthenticate()).contains("Bearer");
    assertThat(rig.get("/api/v1/invocations/t-1/results", null).status()).isEqualTo(401);
    assertThat(rig.get("/api/v1/invocations/t-1", null).status()).isEqualTo(401);
  }

  @Test
  void readerAndOperatorReadAndTheSchemeIsCaseInsensitive() {
    assertThat(rig.get("/api/v1/invocations", "Bearer " + READER).status()).isEqualTo(200);
    assertThat(rig.get("/api/v1/invocations", "bearer " + READER).status()).isEqualTo(200);
    assertThat(rig.get("/api/v1/invocations", "Bearer " + OPERATOR).status()).isEqualTo(200);
  }

  @Test
  void aReaderOnAnOperatorRouteIs403AndAnOperatorGetsIn() {
    ApiRig.Answer reader = rig.get(OPERATOR_ROUTE, "Bearer " + READER);
    assertThat(reader.status()).isEqualTo(403);
    assertThat(reader.code()).isEqualTo("Forbidden");
    assertThat(reader.json().path("message").asText()).contains("grafana").contains("operator");
    assertThat(rig.get(OPERATOR_ROUTE, "Bearer " + OPERATOR).status()).isEqualTo(200);
    assertThat(rig.get(OPERATOR_ROUTE, null).status()).isEqualTo(401);
  }

  @Test
  void healthNeedsNoToken() {
    assertThat(rig.get("/healthz", null).status()).isEqualTo(200);
    assertThat(rig.get("/healthz", null).json().path("status").asText()).isEqualTo("alive");
    assertThat(rig.get("/readyz", "Bearer nonsense").status()).isEqualTo(200);
  }

  @Test
  void anUnknownPathIsAJson404() {
    ApiRig.Answer a = rig.read("/api/v1/nothing-here");
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.code()).isEqualTo("NotFound");
  }

  @Test
  void denialsAreLoggedWithTheTokenNameAndNeverATokenValue() {
    try (LogLines log = LogLines.of("ROOT")) {
      rig.get("/api/v1/invocations", "Bearer " + READER.substring(0, READER.length() - 1) + "x");
      rig.get("/api/v1/invocations", null);
      rig.get(OPERATOR_ROUTE, "Bearer " + READER);
      rig.get("/api/v1/invocations", "Bearer " + READER);
      rig.get("/api/v1/invocations", "Bearer " + OPERATOR);

      assertThat(log.containing("http denied GET /api/v1/invocations from 127.0.0.1: not a known bearer token"))
          .hasSize(1);
      assertThat(log.containing("http denied GET /api/v1/invocations from 127.0.0.1: no bearer token")).hasSize(1);
      assertThat(log.containing("http denied GET " + OPERATOR_ROUTE + " from 127.0.0.1: token grafana has role reader"))
          .hasSize(1);
      assertThat(log.containing(READER.substring(0, 12))).isEmpty();
      assertThat(log.containing(OPERATOR.substring(0, 12))).isEmpty();
    }
  }

  @Test
  void tokensThatCannotServeRefuseTheStartWithoutShowingAValue() {
    HttpSettings.Token env = new HttpSettings.Token("ci", Role.OPERATOR, new SecretRef.Env("T"));
    assertThatThrownBy(() -> BearerTokens.read(List.of(env), Map.<String, String>of()::get))
        .hasMessageContaining("http token ci").hasMessageContaining("T is not set");
    assertThatThrownBy(() -> BearerTokens.read(List.of(env), Map.of("T", "short-secret")::get))
        .hasMessageContaining("shorter than 16").hasMessageNotContaining("short-secret");
    assertThatThrownBy(() -> BearerTokens.read(List.of(env), Map.of("T", "  \n")::get))
        .hasMessageContaining("is empty");
    HttpSettings.Token twin = new HttpSettings.Token("grafana", Role.READER, new SecretRef.Env("U"));
    assertThatThrownBy(() -> BearerTokens.read(List.of(env, twin), Map.of("T", READER, "U", READER)::get))
        .hasMessageContaining("ci and grafana have the same value").hasMessageNotContaining(READER);
  }

  @Test
  void withoutTokensEveryRequestReadsAsAnonymousReader(@TempDir Path other) {
    BearerTokens open = BearerTokens.read(List.of(), Map.<String, String>of()::get);
    assertThat(open.open()).isTrue();
    assertThat(open.caller(null)).map(BearerTokens.Caller::role).contains(Role.READER);
    BearerTokens closed = BearerTokens.read(ApiRig.tokens(), Map.of("TOKEN_R", READER, "TOKEN_O", OPERATOR)::get);
    assertThat(closed.caller(null)).isEmpty();
    assertThat(closed.caller("Bearer " + READER)).map(BearerTokens.Caller::name).contains("grafana");
  }
}
