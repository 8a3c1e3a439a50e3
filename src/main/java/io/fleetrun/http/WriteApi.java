package io.fleetrun.http;

import io.fleetrun.model.ClientToken;
import io.fleetrun.model.ControlRequest;
import io.fleetrun.model.HttpSettings.Role;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.ControlChannel;
import io.fleetrun.store.JdbcInvocationViews;
import io.fleetrun.store.RequestAnswer;
import io.fleetrun.store.RequestWait;
import io.fleetrun.store.SubmitOnce;
import io.fleetrun.store.Withdrawal;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1}'s writes, for an operator: an ad-hoc run ({@code POST /invocations}) and a stop
 * ({@code POST /invocations/{invokeId}/stop}). Neither calls the engine: each queues the same
 * control_request row the CLI's {@code run} and {@code stop} queue, which a daemon node claims
 * (on a cluster: any node a run, and a stop is handed on to the node running each record), and
 * waits for its answer as the CLI does ({@link RequestWait}), withdrawing it when no daemon took
 * it in time. A run with a {@code clientToken} is queued once per token ({@link
 * ControlChannel#submitOnce}). One INFO line per run or stop the daemon carried out, naming the
 * caller's token by its name.
 */
final class WriteApi {
  private static final Logger log = LoggerFactory.getLogger(WriteApi.class);
  /** How long a request waits for the daemon's answer (it looks for requests every 50 ms). */
  static final Duration ANSWER_WAIT = Duration.ofSeconds(10);
  /**
   * How much longer a retry waits than its first sender: the first sender, who began before, gives
   * up and withdraws the request by then, so a retry sees that (503) rather than nothing.
   */
  static final Duration RETRY_GRACE = Duration.ofSeconds(2);

  private final ControlChannel control;
  private final JdbcInvocationViews views;
  private final RequestWait waiting;
  private final Clock clock;
  private final Duration answerWait;

  WriteApi(ControlChannel control, JdbcInvocationViews views, Clock clock, Duration answerWait) {
    this.control = Objects.requireNonNull(control, "control");
    this.views = Objects.requireNonNull(views, "views");
    this.waiting = new RequestWait(control, clock);
    this.clock = clock;
    this.answerWait = answerWait;
  }

  /** The routes, each for an operator. */
  List<Route> routes() {
    return List.of(
        Route.post(ReadApi.PREFIX + "/invocations", Role.OPERATOR, this::run),
        Route.post(ReadApi.PREFIX + "/invocations/{invokeId}/stop", Role.OPERATOR, this::stop));
  }

  private void run(Context ctx) throws InterruptedException {
    RunBody body = JsonBody.read(ctx, RunBody.class, false);
    ControlRequest.Run request = body.request();
    Optional<ClientToken> token = body.token();
    String caller = Guard.caller(ctx).orElseThrow().name();
    SubmitOnce sent = token.isPresent()
        ? control.submitOnce(request, token.get(), caller, clock.instant())
        : new SubmitOnce.First(control.submit(request, clock.instant()));
    if (sent instanceof SubmitOnce.Mismatch) {
      // Not the other request's id: tokens are shared by every caller, and that request may be another's.
      throw new ApiException(409, "IdempotentParameterMismatch", "clientToken " + Guard.printable(token.get().value())
          + " was sent before with another request or by another token; a new run needs a new clientToken");
    }
    Optional<RequestAnswer> answer = await(sent);
    String what = "run of command " + request.command() + " by token " + caller + " (request " + sent.id()
        + (sent instanceof SubmitOnce.Retry ? ", a retry with its clientToken" : "") + ")";
    Map<String, Object> out = new LinkedHashMap<>();
    if (answer.isEmpty()) {
      log.info("http {}: not answered yet", what);
      out.put("invokeId", null);
      out.put("requestId", sent.id());
      out.put("message", sent instanceof SubmitOnce.Retry
          ? "the request sent before with this clientToken has no answer yet; send it again with the same clientToken"
          : "the daemon took the request and is still starting it; it will run. "
              + (token.isPresent() ? "Send it again with the same clientToken for its invokeId"
                  : "Its invokeId will show in GET /api/v1/invocations (newest first)"));
      ApiServer.json(ctx, 202, out);
      return;
    }
    InvokeId id = done(answer.get());
    log.info("http {}: invocation {}", what, id);
    out.put("invokeId", id.value());
    ApiServer.json(ctx, 202, out);
  }

  private void stop(Context ctx) throws InterruptedException {
    String path = ctx.pathParam("invokeId");
    StopBody body = JsonBody.read(ctx, StopBody.class, true);
    InvokeId id = ReadApi.existing(views, path);
    ControlRequest.Stop request = new ControlRequest.Stop(id, new LinkedHashSet<>(body.instances()));
    String caller = Guard.caller(ctx).orElseThrow().name();
    SubmitOnce sent = new SubmitOnce.First(control.submit(request, clock.instant()));
    Optional<RequestAnswer> answer = await(sent);
    String what = "stop of invocation " + id + " on " + (request.instances().isEmpty() ? "all instances"
        : request.instances()) + " by token " + caller + " (request " + sent.id() + ")";
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("invokeId", id.value());
    if (answer.isEmpty()) {
      log.info("http {}: taken by the daemon, not answered yet", what);
      out.put("requestId", sent.id());
      out.put("message", "the daemon took the stop and is still carrying it out; see GET /api/v1/invocations/" + id);
      ApiServer.json(ctx, 202, out);
      return;
    }
    done(answer.get());
    log.info("http {}: done", what);
    ApiServer.json(ctx, 200, out);
  }

  /** The invoke id of a done request; the refusal as an {@link ApiException}. */
  private static InvokeId done(RequestAnswer answer) {
    if (answer instanceof RequestAnswer.Refused refused) {
      throw Refusals.of(refused);
    }
    return ((RequestAnswer.Done) answer).invokeId();
  }

  /**
   * The answer to {@code sent}, or empty when a daemon took it and has not answered within the
   * wait (it will be carried out; for a retry: or its first sender still waits for it). A request
   * queued now is withdrawn when no daemon took it in time (503: it will not run); a retry's is
   * left to its first sender, who withdraws it (and the retry, waiting {@link #RETRY_GRACE} longer,
   * reads that as 503 too).
   */
  private Optional<RequestAnswer> await(SubmitOnce sent) throws InterruptedException {
    try {
      if (sent instanceof SubmitOnce.Retry) {
        return waiting.poll(sent.id(), answerWait.plus(RETRY_GRACE));
      }
      RequestWait.Outcome outcome = waiting.awaitOrWithdraw(sent.id(), answerWait);
      if (outcome instanceof RequestWait.Outcome.Answered answered) {
        return Optional.of(answered.answer());
      }
      if (outcome instanceof RequestWait.Outcome.WithdrawalFailed failed) {
        log.warn("http: could not withdraw request {} after {}: {}; a daemon may still carry it out", sent.id(),
            answerWait, failed.error().getMessage());
        throw new ApiException(500, "InternalError", "no answer within " + answerWait.toSeconds() + " s and request "
            + sent.id() + " could not be withdrawn, so a daemon may still carry it out: see GET /api/v1/invocations"
            + " (a run with a clientToken: send it again with the same clientToken)");
      }
      Withdrawal withdrawal = ((RequestWait.Outcome.GaveUp) outcome).withdrawal();
      if (withdrawal instanceof Withdrawal.Answered late) {
        return Optional.of(late.answer());
      }
      if (withdrawal instanceof Withdrawal.Taken) {
        return Optional.empty();
      }
      throw Refusals.notRun();
    } catch (InterruptedException e) {
      // The server is stopping: a request queued now must not run behind its sender's back.
      if (sent instanceof SubmitOnce.First) {
        try {
          control.withdraw(sent.id(), clock.instant());
        } catch (RuntimeException ignored) {
          // the answer below says it may run
        }
      }
      throw e;
    }
  }

  /** The body of a stop: the instances to stop, all when left out or empty. */
  record StopBody(List<String> instanceIds) {
    List<InstanceId> instances() {
      List<String> ids = Objects.requireNonNullElse(instanceIds, List.of());
      for (String i : ids) {
        if (i == null || !Params.ID.matcher(i).matches()) {
          throw new ApiException(400, "InvalidParameter.instanceIds", "field instanceIds holds a value that is not"
              + " an instance id: letters, digits, '.', '_' or '-'");
        }
      }
      return ids.stream().map(InstanceId::new).toList();
    }
  }
}
