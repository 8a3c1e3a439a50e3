package io.fleetrun.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.HttpSettings;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordEnd;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import io.fleetrun.model.SecretRef;
import io.fleetrun.status.StatusCalculator;
import io.fleetrun.store.Database;
import io.fleetrun.store.JooqControlChannel;
import io.fleetrun.store.EventLog;
import io.fleetrun.store.JooqInvocationStore;
import io.fleetrun.store.NewInvocation;
import io.fleetrun.testing.StoreBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real API server on a free loopback port with the daemon's route table ({@link
 * ApiServer#routes}) over a real database filled by the real store (read through the database's
 * read pool, as the daemon does), and an HTTP client. Two tokens: {@link #READER} (name grafana) and {@link #OPERATOR} (name ci).
 */
final class ApiRig implements AutoCloseable {
  static final String READER = "reader-0123456789abcdef0123456789abcdef";
  static final String OPERATOR = "operator-0123456789abcdef0123456789abcde";
  static final Instant T0 = Instant.parse("2026-11-28T07:10:03.123Z");
  static final ObjectMapper JSON = new ObjectMapper();
  /** How long the write routes wait for an answer: long enough for a loaded machine, short for a test that gets none. */
  static final Duration ANSWER_WAIT = Duration.ofSeconds(3);
  /** The daemon's {@code /metrics} row unless a test brings its own: one line of text. */
  static final MetricsEndpoint METRICS =
      new MetricsEndpoint("text/plain; version=0.0.4", out -> out.write("rig_up 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

  final StoreBackend.Place place;
  final Database db;
  final JooqInvocationStore store;
  final AtomicBoolean schedulerRunning = new AtomicBoolean(true);
  /** The fleet the config routes show; a test sets it as a reload would. */
  final AtomicReference<Fleet> fleet = new AtomicReference<>(new Fleet(List.of(), List.of(), List.of()));
  final ApiServer server;
  /** Where the write routes queue their requests; nothing answers them unless a test does ({@link #daemon}). */
  final JooqControlChannel control;
  /** {@code GET /api/v1/events}, over the read pool as in the daemon. */
  final EventStream stream;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A server with the daemon's routes plus {@code extra} rows of the route table. */
  ApiRig(StoreBackend backend, Path dir, List<Route> extra) {
    this(backend, dir, extra, EventStream.Settings.defaults());
  }

  /** A server with the daemon's routes, its event stream with {@code events}. */
  ApiRig(StoreBackend backend, Path dir, List<Route> extra, EventStream.Settings events) {
    place = backend.newPlace(dir);
    db = Database.open(place.settings());
    store = new JooqInvocationStore(db, new StatusCalculator(), "node-a");
    HttpSettings settings = new HttpSettings("127.0.0.1", 0, tokens());
    BearerTokens tokens = BearerTokens.read(settings.tokens(), Map.of("TOKEN_R", READER, "TOKEN_O", OPERATOR)::get);
    Health health = new Health(db.reads(), schedulerRunning::get);
    stream = new EventStream(new EventLog(db.reads()), events);
    List<Route> routes = new ArrayList<>(ApiServer.routes(health, db.reads(), METRICS.route(false), fleet::get,
        java.time.Clock.systemUTC(), stream));
    control = JooqControlChannel.onControlConnection(db);
    routes.addAll(ApiServer.writes(db.reads(), control, java.time.Clock.systemUTC(), ANSWER_WAIT));
    // A test's row replaces the daemon's of the same method and path (its own /metrics).
    routes.removeIf(r -> extra.stream().anyMatch(e -> e.method() == r.method() && e.path().equals(r.path())));
    routes.addAll(extra);
    server = ApiServer.start(settings, tokens, routes, List.of(stream, health));
  }

  ApiRig(StoreBackend backend, Path dir) {
    this(backend, dir, List.of());
  }

  static List<HttpSettings.Token> tokens() {
    return List.of(
        new HttpSettings.Token("grafana", HttpSettings.Role.READER, new SecretRef.Env("TOKEN_R")),
        new HttpSettings.Token("ci", HttpSettings.Role.OPERATOR, new SecretRef.Env("TOKEN_O")));
  }

  /** A one-time invocation whose records end as {@code ends} say, on instances a, b, c... */
  void once(String id, Optional<String> job, String command, Instant at, RecordStatus... ends) {
    String[] instances = Arrays.copyOf(new String[] {"a", "b", "c", "d"}, ends.length);
    store.createInvocation(new NewInvocation(new InvokeId(id), job.map(JobId::new), new CommandId(command),
        "echo {{word}}", Map.of("word", "hi"), RepeatMode.Once, Optional.empty(),
        Arrays.stream(instances).map(InstanceId::new).toList(), at));
    for (int i = 0; i < ends.length; i++) {
      RecordId r = store.startRecord(new InvokeId(id), new InstanceId(instances[i]), at);
      if (ends[i] != RecordStatus.Running) {
        store.endRecord(r, end(ends[i], "out " + id + "/" + instances[i] + "\n", at.plusSeconds(1)));
      }
    }
  }

  void periodic(String id, String job, Instant at, String... instances) {
    store.createInvocation(new NewInvocation(new InvokeId(id), Optional.of(new JobId(job)), new CommandId("df"),
        "df -h", Map.of(), RepeatMode.Period, Optional.of(new Frequency.Rate(Duration.ofSeconds(30))),
        Arrays.stream(instances).map(InstanceId::new).toList(), at));
  }

  /** One fire of a periodic invocation on {@code instance}, ended with {@code status}. */
  RecordId fire(String id, String instance, Instant at, RecordStatus status, String output) {
    RecordId r = store.startRecord(new InvokeId(id), new InstanceId(instance), at);
    store.endRecord(r, end(status, output, at.plusSeconds(1)));
    return r;
  }

  static RecordEnd end(RecordStatus status, String output, Instant at) {
    return switch (status) {
      case Finished -> new RecordEnd(status, DetailStatus.Success, Optional.of(0), Optional.empty(),
          Optional.empty(), new Output(output, 0), at);
      case Failed -> new RecordEnd(status, DetailStatus.Timeout, Optional.empty(),
          Optional.of(ErrorCode.ExecutionTimeout), Optional.of("timed out after 60s"), new Output(output, 12), at);
      case Stopped -> new RecordEnd(status, DetailStatus.Cancelled, Optional.empty(), Optional.empty(),
          Optional.empty(), Output.EMPTY, at);
      case Running -> throw new IllegalArgumentException("a record cannot end Running");
    };
  }

  /** The answer to {@code GET path} with {@code authorization} as the header (null: none). */
  Answer get(String path, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return send(request);
  }

  /**
   * The answer to {@code POST path} with {@code body} sent as {@code contentType} (null: no header)
   * and {@code authorization} as the header (null: none).
   */
  Answer post(String path, String authorization, String contentType, byte[] body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(request);
  }

  /** {@code POST path} with the JSON {@code body}, as the operator. */
  Answer operate(String path, String body) {
    return post(path, "Bearer " + OPERATOR, "application/json", body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.headers().firstValue("WWW-Authenticate"),
          r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code GET path} as the reader. */
  Answer read(String path) {
    return get(path, "Bearer " + READER);
  }

  record Answer(int status, Optional<String> wwwAuthenticate, String contentType, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + body, e);
      }
    }

    String code() {
      return json().path("code").asText();
    }
  }

  @Override
  public void close() {
    server.close();
    db.close();
    place.close();
  }
}
