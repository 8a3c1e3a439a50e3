package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.HttpSettings;
import io.fleetrun.testing.StoreBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/me}: the caller as the Guard decided it, over real HTTP. */
class CallerApiTest {
  @TempDir static Path dir;
  private static ApiRig rig;

  @BeforeAll
  static void start() {
    rig = new ApiRig(StoreBackend.SQLITE, dir);
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void aReaderTokenIsNamedWithItsRole() {
    ApiRig.Answer answer = rig.read("/api/v1/me");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.body()).isEqualTo("{\"name\":\"grafana\",\"role\":\"reader\"}");
  }

  @Test
  void anOperatorTokenIsNamedWithItsRole() {
    ApiRig.Answer answer = rig.get("/api/v1/me", "Bearer " + ApiRig.OPERATOR);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("{\"name\":\"ci\",\"role\":\"operator\"}");
  }

  @Test
  void noTokenOrAnUnknownOneIs401() {
    for (String authorization : new String[] {null, "Bearer not-a-token-0123456789", "Basic Z3JhZmFuYTpw"}) {
      ApiRig.Answer answer = rig.get("/api/v1/me", authorization);
      assertThat(answer.status()).as(String.valueOf(authorization)).isEqualTo(401);
      assertThat(answer.code()).isEqualTo("Unauthorized");
      assertThat(answer.body()).doesNotContain("grafana");
    }
  }

  @Test
  void withoutTokensEveryCallerIsAnAnonymousReader() throws Exception {
    BearerTokens open = BearerTokens.read(List.of(), Map.<String, String>of()::get);
    try (ApiServer server = ApiServer.start(new HttpSettings("127.0.0.1", 0, List.of()), open, CallerApi.routes(),
        List.of())) {
      HttpResponse<String> answer = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/me"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("{\"name\":null,\"role\":\"reader\"}");
    }
  }
}
