package io.fleetrun.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A real webhook receiver on loopback (the JDK's HTTP server, a thread per request so a slow
 * answer does not hold the next one): it records every request it gets, and answers the nth
 * (1-based) as {@code script} says: a status after an optional sleep, and headers.
 */
public final class HookReceiver implements AutoCloseable {
  /** How to answer one request. */
  public record Answer(int status, Duration sleep, Map<String, String> headers) {
    public static Answer status(int status) {
      return new Answer(status, Duration.ZERO, Map.of());
    }

    public static Answer sleepThen(Duration sleep, int status) {
      return new Answer(status, sleep, Map.of());
    }
  }

  /** A request as received. */
  public record Request(int n, Instant at, String method, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      List<String> values = headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst().map(Map.Entry::getValue).orElse(List.of());
      return values.isEmpty() ? null : values.get(0);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final IntFunction<Answer> script;

  private HookReceiver(IntFunction<Answer> script) throws IOException {
    this.script = script;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  /** A receiver answering the nth request with {@code script.apply(n)}. */
  public static HookReceiver start(IntFunction<Answer> script) {
    try {
      return new HookReceiver(script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A receiver that answers 200 at once. */
  public static HookReceiver ok() {
    return start(n -> Answer.status(200));
  }

  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      int n;
      synchronized (requests) {
        n = requests.size() + 1;
        requests.add(new Request(n, Instant.now(), exchange.getRequestMethod(),
            Map.copyOf(exchange.getRequestHeaders()), body));
      }
      Answer answer = script.apply(n);
      if (!answer.sleep().isZero()) {
        try {
          Thread.sleep(answer.sleep().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(answer.status(), -1);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
