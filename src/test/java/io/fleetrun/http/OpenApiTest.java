package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the server serves against the route table it serves: the same routes,
 * each with the same query parameters (the ones {@link Params} lets through), its path
 * parameters, and a token needed exactly where the table says.
 */
class OpenApiTest {
  private static ApiRig rig;
  private static JsonNode document;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("openapi");
    rig = new ApiRig(StoreBackend.SQLITE, dir);
    ApiRig.Answer answer = rig.get(OpenApiDocument.PATH, null);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).startsWith("application/json");
    document = answer.json();
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void isAnOpenApi30DocumentWithTheBearerSchemeAndTheErrorShape() {
    assertThat(document.path("openapi").asText()).startsWith("3.0.");
    assertThat(document.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
    assertThat(document.at("/security/0").has("bearer")).isTrue();
    assertThat(names(document.at("/components/schemas/Error/required"))).containsExactly("code", "message");
    List<String> refs = new ArrayList<>();
    collectRefs(document, refs);
    assertThat(refs).isNotEmpty().allSatisfy(ref ->
        assertThat(document.at(ref.substring(1)).isMissingNode()).as(ref).isFalse());
  }

  @Test
  void listsEveryRouteOfTheTableAndNoOther() {
    Set<String> table = new TreeSet<>();
    for (Route r : rig.server.routes()) {
      table.add(r.method().name() + " " + r.path());
    }
    assertThat(operations().keySet()).isEqualTo(table);
  }

  @Test
  void eachRouteDeclaresTheQueryParametersItTakesAndItsPathParameters() {
    Map<String, JsonNode> operations = operations();
    for (Route r : rig.server.routes()) {
      JsonNode op = operations.get(r.method().name() + " " + r.path());
      assertThat(op).as(r.path()).isNotNull();
      assertThat(parameters(op, "query")).as("query parameters of " + r.path())
          .isEqualTo(new TreeSet<>(r.params()));
      Set<String> inPath = new TreeSet<>();
      Matcher m = Pattern.compile("\\{([^}]+)}").matcher(r.path());
      while (m.find()) {
        inPath.add(m.group(1));
      }
      assertThat(parameters(op, "path")).as("path parameters of " + r.path()).isEqualTo(inPath);
    }
  }

  @Test
  void saysNoTokenExactlyWhereTheTableNeedsNone() {
    Map<String, JsonNode> operations = operations();
    for (Route r : rig.server.routes()) {
      JsonNode op = operations.get(r.method().name() + " " + r.path());
      assertThat(op).as(r.path()).isNotNull();
      JsonNode security = op.path("security");
      boolean open = security.isArray() && security.isEmpty();
      assertThat(open).as(r.path()).isEqualTo(r.needs().isEmpty());
    }
  }

  @Test
  void everyRouteRefusesAQueryParameterItDoesNotDeclare() {
    for (Route r : rig.server.routes()) {
      String path = r.path().replaceAll("\\{[^}]+}", "t-none") + "?undeclared=1";
      ApiRig.Answer answer = r.method() == io.javalin.http.HandlerType.POST
          ? rig.operate(path, "{}") : rig.get(path, "Bearer " + ApiRig.OPERATOR);
      assertThat(answer.status()).as(r.path()).isEqualTo(400);
      assertThat(answer.code()).as(r.path()).isEqualTo("InvalidParameter.undeclared");
    }
  }

  /** A POST's body schema has exactly the fields its body record reads ({@link JsonBody} refuses others). */
  @Test
  void eachPostDeclaresItsBodyWithTheFieldsTheServerReads() {
    Map<String, Class<? extends Record>> bodies = Map.of(
        "POST /api/v1/invocations", RunBody.class,
        "POST /api/v1/invocations/{invokeId}/stop", WriteApi.StopBody.class);
    Map<String, JsonNode> operations = operations();
    List<String> posts = new ArrayList<>();
    for (Route r : rig.server.routes()) {
      if (r.method() == io.javalin.http.HandlerType.POST) {
        posts.add(r.method().name() + " " + r.path());
      }
    }
    assertThat(posts).containsExactlyInAnyOrderElementsOf(bodies.keySet());
    bodies.forEach((op, type) -> {
      String ref = operations.get(op).at("/requestBody/content/application~1json/schema/$ref").asText();
      JsonNode schema = document.at(ref.substring(1));
      assertThat(schema.path("additionalProperties").asBoolean(true)).as(op).isFalse();
      Set<String> fields = new TreeSet<>();
      schema.path("properties").fieldNames().forEachRemaining(fields::add);
      assertThat(fields).as(op).isEqualTo(new TreeSet<>(Arrays.stream(type.getRecordComponents())
          .map(java.lang.reflect.RecordComponent::getName).toList()));
    });
  }

  @Test
  void statusEnumsAreTheModelsOwn() {
    JsonNode schemas = document.at("/components/schemas");
    assertThat(names(schemas.at("/Invocation/properties/status/enum"))).containsExactlyElementsOf(
        Arrays.stream(InvocationStatus.values()).map(Enum::name).toList());
    assertThat(names(schemas.at("/Record/properties/status/enum"))).containsExactlyElementsOf(
        Arrays.stream(RecordStatus.values()).map(Enum::name).toList());
    assertThat(names(schemas.at("/Record/properties/detailStatus/enum"))).containsExactlyElementsOf(
        Arrays.stream(DetailStatus.values()).map(Enum::name).toList());
  }

  /** "GET /path" -> the operation. */
  private static Map<String, JsonNode> operations() {
    Map<String, JsonNode> out = new TreeMap<>();
    document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op ->
        out.put(op.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey(), op.getValue())));
    return out;
  }

  private static Set<String> parameters(JsonNode operation, String in) {
    Set<String> out = new TreeSet<>();
    for (JsonNode p : operation.path("parameters")) {
      if (p.path("in").asText().equals(in)) {
        out.add(p.path("name").asText());
      }
    }
    return out;
  }

  private static List<String> names(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.has("$ref")) {
      refs.add(node.get("$ref").asText());
    }
    node.forEach(child -> collectRefs(child, refs));
  }
}
