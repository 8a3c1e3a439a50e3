package io.fleetrun.http;

import io.fleetrun.store.ClusterNode;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.DaemonStatus;
import io.fleetrun.store.Heartbeat;
import io.fleetrun.store.JdbcStatusQueries.RunningRecord;
import io.fleetrun.store.JdbcStatusQueries.RunningRecords;
import io.fleetrun.store.JdbcStatusQueries.ScheduledJob;
import io.fleetrun.store.ReloadResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link DaemonStatus} as the API's JSON: the facts and meanings of {@code fleetrun status
 * --json}, named in camelCase. Every field is always there ({@code null}, or an empty list on
 * SQLite for {@code nodes}), so a client needs no key checks.
 */
final class DaemonView {
  private DaemonView() {}

  static Map<String, Object> of(DaemonStatus s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("database", s.database());
    out.put("now", time(s.now()));
    out.put("alive", s.alive());
    out.put("heartbeat", s.heartbeat().map(b -> heartbeat(b, s.heartbeatAge().orElseThrow())).orElse(null));
    out.put("uptimeSeconds", s.uptime().map(Duration::toSeconds).orElse(null));
    out.put("lastReload", s.lastReload().map(DaemonView::reload).orElse(null));
    out.put("jobs", s.jobs().stream().map(DaemonView::job).toList());
    out.put("runningRecords", running(s.running()));
    out.put("pendingRequests", s.pendingRequests());
    out.put("nodes", s.nodes().stream().map(DaemonView::node).toList());
    out.put("divergentDigests", List.copyOf(s.divergentDigests()));
    return out;
  }

  private static Map<String, Object> heartbeat(Heartbeat b, Duration age) {
    DaemonInfo d = b.daemon();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("nodeId", d.nodeId());
    out.put("pid", d.pid());
    out.put("host", d.host());
    out.put("version", d.version());
    out.put("configFile", d.configFile());
    out.put("startedAt", time(d.startedAt()));
    out.put("beatAt", time(b.beatAt()));
    out.put("ageSeconds", age.toSeconds());
    return out;
  }

  private static Map<String, Object> reload(ReloadResult r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("at", time(r.at()));
    out.put("result", r.result());
    out.put("message", r.message());
    return out;
  }

  private static Map<String, Object> job(ScheduledJob j) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("jobId", j.job().value());
    out.put("nextFireTime", JsonViews.time(j.nextFire()));
    out.put("state", j.state());
    return out;
  }

  private static Map<String, Object> running(RunningRecords r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", r.count());
    out.put("waiting", r.waiting());
    out.put("newest", r.newest().stream().map(DaemonView::record).toList());
    return out;
  }

  private static Map<String, Object> record(RunningRecord r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("invokeId", r.invokeId().value());
    out.put("instanceId", r.instance().value());
    out.put("jobId", r.job().map(j -> j.value()).orElse(null));
    out.put("state", r.waiting() ? "waiting" : "running");
    out.put("startTime", JsonViews.time(r.startTime()));
    out.put("scheduledAt", time(r.scheduledAt()));
    return out;
  }

  private static Map<String, Object> node(ClusterNode n) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("nodeId", n.nodeId());
    out.put("host", n.host());
    out.put("pid", n.pid());
    out.put("version", n.version());
    out.put("configDigest", n.configDigest());
    out.put("startedAt", time(n.startedAt()));
    out.put("beatAt", time(n.beatAt()));
    out.put("beatAgeSeconds", n.beatAge().toSeconds());
    out.put("state", n.state().name().toLowerCase(Locale.ROOT));
    out.put("stoppedAt", JsonViews.time(n.stoppedAt()));
    out.put("declaredDeadAt", JsonViews.time(n.declaredDeadAt()));
    out.put("declaredDeadBy", n.declaredDeadBy().orElse(null));
    out.put("runningRecords", n.runningRecords());
    return out;
  }

  private static String time(Instant t) {
    return JsonViews.time(Optional.of(t));
  }
}
