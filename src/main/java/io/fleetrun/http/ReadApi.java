package io.fleetrun.http;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.HttpSettings.Role;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.JobId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.store.InvocationPageFilter;
import io.fleetrun.store.InvocationView;
import io.fleetrun.store.JdbcInvocationViews;
import io.fleetrun.store.RecordPageFilter;
import io.fleetrun.store.RecordView;
import io.fleetrun.store.Slice;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/v1}'s reads: invocations (DescribeInvocations) and their records
 * (DescribeInvocationResults), in keyset pages of {@code maxResults} with an opaque {@code
 * nextToken}.
 */
final class ReadApi {
  static final String PREFIX = "/api/v1";
  private static final List<String> LIST_PARAMS =
      List.of("status", "jobId", "commandId", "instanceId", "since", "until", "maxResults", "nextToken");
  private static final List<String> RESULT_PARAMS =
      List.of("instanceId", "status", "includeHistory", "maxResults", "nextToken", "outputEncoding");

  private final JdbcInvocationViews views;

  ReadApi(JdbcInvocationViews views) {
    this.views = views;
  }

  /** The routes, each for a reader (an operator too). */
  List<Route> routes() {
    return List.of(
        Route.get(PREFIX + "/invocations", Role.READER, LIST_PARAMS, this::list),
        Route.get(PREFIX + "/invocations/{invokeId}", Role.READER, this::one),
        Route.get(PREFIX + "/invocations/{invokeId}/results", Role.READER, RESULT_PARAMS, this::results));
  }

  private void list(Context ctx) {
    Params p = Params.of(ctx);
    InvocationPageFilter filter = new InvocationPageFilter(
        p.oneOf("status", InvocationStatus.class),
        p.id("jobId", JobId::new),
        p.id("commandId", CommandId::new),
        p.id("instanceId", InstanceId::new),
        p.instant("since"),
        p.instant("until"),
        p.text("nextToken").map(PageTokens::invocation),
        p.maxResults());
    Slice<InvocationView> page = views.page(filter);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("invocations", page.items().stream().map(JsonViews::invocation).toList());
    body.put("nextToken", page.more()
        ? PageTokens.invocation(page.items().get(page.items().size() - 1).position()) : null);
    ApiServer.json(ctx, 200, body);
  }

  private void one(Context ctx) {
    InvocationView v = find(ctx.pathParam("invokeId"));
    ApiServer.json(ctx, 200, JsonViews.invocation(v));
  }

  private void results(Context ctx) {
    Params p = Params.of(ctx);
    boolean history = p.bool("includeHistory", false);
    boolean base64 = p.word("outputEncoding", List.of("text", "base64")).orElse("text").equals("base64");
    Optional<String> next = p.text("nextToken");
    Optional<Long> belowRecord = next.filter(t -> history).map(PageTokens::recordBelow);
    Optional<InstanceId> afterInstance = next.filter(t -> !history).map(PageTokens::instanceAfter);
    Optional<InstanceId> instance = p.id("instanceId", InstanceId::new);
    Optional<RecordStatus> status = p.oneOf("status", RecordStatus.class);
    int max = p.maxResults();
    InvocationView invocation = find(ctx.pathParam("invokeId"));
    RecordPageFilter filter = new RecordPageFilter(invocation.invocation().id(), instance, status, history,
        belowRecord, afterInstance, max);
    Slice<RecordView> page = views.records(filter);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("invokeId", invocation.invocation().id().value());
    body.put("outputEncoding", base64 ? "base64" : "text");
    body.put("records", page.items().stream().map(r -> JsonViews.record(r, base64)).toList());
    String token = null;
    if (page.more()) {
      RecordView last = page.items().get(page.items().size() - 1);
      token = history ? PageTokens.record(last.record().id().value()) : PageTokens.instance(last.record().instance());
    }
    body.put("nextToken", token);
    ApiServer.json(ctx, 200, body);
  }

  private InvocationView find(String invokeId) {
    return find(views, invokeId);
  }

  /**
   * The id of invocation {@code invokeId} as a path gave it.
   *
   * @throws ApiException 404 {@code InvalidInvokeId.NotFound} when there is none
   */
  static InvokeId existing(JdbcInvocationViews views, String invokeId) {
    return find(views, invokeId).invocation().id();
  }

  private static InvocationView find(JdbcInvocationViews views, String invokeId) {
    Optional<InvocationView> v = invokeId.isBlank() || invokeId.length() > 128
        ? Optional.empty() : views.find(new InvokeId(invokeId));
    return v.orElseThrow(() -> new ApiException(404, "InvalidInvokeId.NotFound",
        "no invocation " + Guard.printable(invokeId)));
  }
}
