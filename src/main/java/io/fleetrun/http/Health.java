package io.fleetrun.http;

import io.fleetrun.store.ReadConnections;
import io.javalin.http.Context;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /healthz}: the process answers. {@code /readyz}: the database answers a query within
 * {@link #PROBE_WAIT} and the scheduler runs. Neither needs a token, and neither says more than
 * ok or not (the reason of a failure goes to the log, once per change).
 */
final class Health implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Health.class);
  /** How long readiness waits for the database's answer. */
  static final Duration PROBE_WAIT = Duration.ofSeconds(2);

  private final ReadConnections database;
  private final BooleanSupplier schedulerRunning;
  /** One probe at a time: requests during a slow probe wait for that one, no thread piles up. */
  private final ExecutorService prober = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fleetrun-http-readiness");
    t.setDaemon(true);
    return t;
  });
  private CompletableFuture<Void> probe = CompletableFuture.completedFuture(null);
  private volatile String lastProblem = "";

  Health(ReadConnections database, BooleanSupplier schedulerRunning) {
    this.database = database;
    this.schedulerRunning = schedulerRunning;
  }

  List<Route> routes() {
    return List.of(
        Route.open("/healthz", ctx -> ApiServer.json(ctx, 200, Map.of("status", "alive"))),
        Route.open("/readyz", this::ready));
  }

  private void ready(Context ctx) {
    String db = databaseProblem();
    boolean scheduler = schedulerRunning.getAsBoolean();
    Map<String, Object> body = new LinkedHashMap<>();
    boolean ready = db.isEmpty() && scheduler;
    body.put("status", ready ? "ready" : "not ready");
    body.put("database", db.isEmpty() ? "ok" : "not answering");
    body.put("scheduler", scheduler ? "running" : "not running");
    String problem = ready ? "" : (db.isEmpty() ? "" : "database: " + db + "; ") + "scheduler "
        + (scheduler ? "running" : "not running");
    if (!problem.equals(lastProblem)) {
      lastProblem = problem;
      if (ready) {
        log.info("http readiness: ready again");
      } else {
        log.warn("http readiness: not ready ({})", problem);
      }
    }
    ApiServer.json(ctx, ready ? 200 : 503, body);
  }

  /** Empty when the database answered {@code SELECT 1} in time, else why not. */
  private String databaseProblem() {
    CompletableFuture<Void> running;
    synchronized (this) {
      if (probe.isDone()) {
        probe = CompletableFuture.runAsync(this::selectOne, prober);
      }
      running = probe;
    }
    try {
      running.get(PROBE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return "";
    } catch (TimeoutException e) {
      return "no answer within " + PROBE_WAIT.toSeconds() + " s";
    } catch (ExecutionException e) {
      return String.valueOf(e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private void selectOne() {
    try {
      database.withConnection(c -> {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
          return rs.next();
        }
      });
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    prober.shutdownNow();
  }
}
