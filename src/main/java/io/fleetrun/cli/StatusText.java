package io.fleetrun.cli;

import io.fleetrun.model.TerminalText;
import io.fleetrun.store.ClusterNode;
import io.fleetrun.store.DaemonInfo;
import io.fleetrun.store.DaemonStatus;
import io.fleetrun.store.JdbcStatusQueries.RunningRecord;
import io.fleetrun.store.JdbcStatusQueries.ScheduledJob;
import io.fleetrun.store.ReloadResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The text and JSON forms of {@code fleetrun status}. */
final class StatusText {
  private static final String NONE = "-";

  private StatusText() {}

  static String text(DaemonStatus r) {
    StringBuilder out = new StringBuilder();
    Optional<DaemonInfo> d = r.heartbeat().map(b -> b.daemon());
    line(out, "daemon", daemonLine(r));
    line(out, "pid", d.map(i -> String.valueOf(i.pid())).orElse(NONE));
    line(out, "host", d.map(DaemonInfo::host).orElse(NONE));
    line(out, "version", d.map(DaemonInfo::version).orElse(NONE));
    line(out, "started", d.map(i -> i.startedAt() + " (up " + age(r.uptime().orElseThrow()) + ")").orElse(NONE));
    line(out, "config", d.map(DaemonInfo::configFile).orElse(NONE));
    line(out, "last reload", r.lastReload().map(StatusText::describe).orElse(NONE));
    line(out, "database", r.database());

    out.append(nl()).append("scheduled jobs: ").append(r.jobs().size()).append(nl());
    if (!r.jobs().isEmpty()) {
      Table jobs = new Table("JOB", "NEXT FIRE", "IN", "STATE");
      for (ScheduledJob j : r.jobs()) {
        jobs.row(j.job().value(), j.nextFire().map(Instant::toString).orElse(NONE),
            j.nextFire().map(t -> until(r.now(), t)).orElse(NONE), j.state());
      }
      out.append(jobs);
    }

    out.append(nl()).append("running records: ").append(r.running().count());
    if (r.running().waiting() > 0) {
      out.append(" (").append(r.running().count() - r.running().waiting()).append(" started, ")
          .append(r.running().waiting()).append(" waiting to start)");
    }
    out.append(nl());
    if (!r.running().newest().isEmpty()) {
      // A waiting record has no start time: it shows WAITING and how long since its fire time.
      Table running = new Table("INVOKE ID", "INSTANCE", "JOB", "STATE", "SINCE");
      for (RunningRecord rec : r.running().newest()) {
        Instant since = rec.startTime().orElse(rec.scheduledAt());
        running.row(rec.invokeId().value(), rec.instance().value(),
            rec.job().map(Object::toString).orElse("(ad-hoc)"),
            rec.waiting() ? "WAITING" : "RUNNING",
            since + " (" + age(Duration.between(since, r.now())) + ")");
      }
      out.append(running);
      if (r.running().count() > r.running().newest().size()) {
        out.append("(").append(r.running().newest().size())
            .append(" shown: the most recently started, then the longest waiting)").append(nl());
      }
    }

    out.append(nl()).append("pending CLI requests: ").append(r.pendingRequests()).append(nl());
    nodes(out, r);
    return out.toString();
  }

  /** The nodes of a PostgreSQL cluster, and a loud line when live nodes run different configs. */
  private static void nodes(StringBuilder out, DaemonStatus r) {
    if (r.nodes().isEmpty()) {
      return;
    }
    long live = r.nodes().stream().filter(n -> n.state() == ClusterNode.State.LIVE).count();
    out.append(nl()).append("cluster nodes: ").append(r.nodes().size()).append(" (").append(live)
        .append(" live)").append(nl());
    Table nodes = new Table("NODE", "HOST", "PID", "VERSION", "BEAT", "STATE", "RUNNING", "CONFIG");
    for (ClusterNode n : r.nodes()) {
      nodes.row(TerminalText.visible(n.nodeId()), TerminalText.visible(n.host()), String.valueOf(n.pid()),
          TerminalText.visible(n.version()), age(n.beatAge()) + " ago",
          nodeState(n), String.valueOf(n.runningRecords()), shortDigest(n.configDigest()));
    }
    out.append(nodes);
    if (!r.divergentDigests().isEmpty()) {
      out.append("WARNING: live nodes run different config files (").append(r.divergentDigests().stream()
          .map(StatusText::shortDigest).collect(Collectors.joining(", ")))
          .append("): each node schedules from its own file; make them equal").append(nl());
    }
  }

  private static String nodeState(ClusterNode n) {
    return switch (n.state()) {
      case LIVE -> "live";
      case STOPPED -> "stopped " + n.stoppedAt().orElseThrow();
      case DEAD -> "dead (declared by " + TerminalText.visible(n.declaredDeadBy().orElse("?")) + " at "
          + n.declaredDeadAt().orElseThrow() + ")";
      case SILENT -> "silent (no beat for " + ClusterNode.FAILOVER_WINDOW.toSeconds() + "s+)";
    };
  }

  /** The first 12 hex digits of a config digest: enough to tell files apart. */
  private static String shortDigest(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) : digest;
  }

  private static String daemonLine(DaemonStatus r) {
    if (r.heartbeat().isEmpty()) {
      return "not running (no heartbeat: the last daemon stopped cleanly, or none ran on this database)";
    }
    String age = age(r.heartbeatAge().orElseThrow());
    return r.alive() ? "alive (heartbeat " + age + " ago)" : "not running (last heartbeat " + age + " ago)";
  }

  static Map<String, Object> json(DaemonStatus r) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> daemon = new LinkedHashMap<>();
    daemon.put("alive", r.alive());
    r.heartbeat().ifPresent(b -> {
      DaemonInfo i = b.daemon();
      daemon.put("heartbeat_at", b.beatAt().toString());
      daemon.put("heartbeat_age_seconds", r.heartbeatAge().orElseThrow().toSeconds());
      daemon.put("node_id", i.nodeId());
      daemon.put("pid", i.pid());
      daemon.put("host", i.host());
      daemon.put("version", i.version());
      daemon.put("started_at", i.startedAt().toString());
      daemon.put("uptime_seconds", r.uptime().orElseThrow().toSeconds());
      daemon.put("config_file", i.configFile());
    });
    m.put("daemon", daemon);
    m.put("last_reload", r.lastReload().map(StatusText::describe).orElse(null));
    m.put("database", r.database());
    m.put("jobs", r.jobs().stream().map(j -> {
      Map<String, Object> job = new LinkedHashMap<>();
      job.put("job_id", j.job().value());
      job.put("next_fire_time", j.nextFire().map(Instant::toString).orElse(null));
      job.put("state", j.state());
      return job;
    }).toList());
    Map<String, Object> running = new LinkedHashMap<>();
    running.put("count", r.running().count());
    running.put("waiting", r.running().waiting());
    running.put("newest", r.running().newest().stream().map(rec -> {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("invoke_id", rec.invokeId().value());
      one.put("instance_id", rec.instance().value());
      one.put("job_id", rec.job().map(Object::toString).orElse(null));
      one.put("state", rec.waiting() ? "waiting" : "running");
      one.put("start_time", rec.startTime().map(Instant::toString).orElse(null));
      one.put("scheduled_at", rec.scheduledAt().toString());
      return one;
    }).toList());
    m.put("running_records", running);
    m.put("pending_requests", r.pendingRequests());
    if (!r.nodes().isEmpty()) {
      m.put("nodes", r.nodes().stream().map(n -> {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("node_id", n.nodeId());
        one.put("host", n.host());
        one.put("pid", n.pid());
        one.put("version", n.version());
        one.put("config_digest", n.configDigest());
        one.put("started_at", n.startedAt().toString());
        one.put("beat_at", n.beatAt().toString());
        one.put("beat_age_seconds", n.beatAge().toSeconds());
        one.put("state", n.state().name().toLowerCase(java.util.Locale.ROOT));
        one.put("stopped_at", n.stoppedAt().map(Instant::toString).orElse(null));
        one.put("declared_dead_at", n.declaredDeadAt().map(Instant::toString).orElse(null));
        one.put("declared_dead_by", n.declaredDeadBy().orElse(null));
        one.put("running_records", n.runningRecords());
        return one;
      }).toList());
      m.put("config_digests_differ", !r.divergentDigests().isEmpty());
    }
    return m;
  }

  /** The JSON of a database that cannot be read (none yet, or an older schema). */
  static Map<String, Object> noDatabase(String why) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("daemon", Map.of("alive", false));
    m.put("error", why);
    return m;
  }

  /** The last config reload as one line: {@code ok|refused at TIME: message}. */
  static String describe(ReloadResult reload) {
    return reload.result() + " at " + reload.at() + ": " + reload.message().replace('\n', ' ');
  }

  /** {@code 42s}, {@code 3m 12s}, {@code 5h 03m}, {@code 2d 04h}. */
  static String age(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return "%dm %02ds".formatted(s / 60, s % 60);
    }
    if (s < 86_400) {
      return "%dh %02dm".formatted(s / 3600, s % 3600 / 60);
    }
    return "%dd %02dh".formatted(s / 86_400, s % 86_400 / 3600);
  }

  private static String until(Instant now, Instant next) {
    return next.isBefore(now) ? "due" : "in " + age(Duration.between(now, next));
  }

  private static void line(StringBuilder out, String label, String value) {
    // A value may be a database error's message: shown with control characters escaped.
    out.append("%-14s%s".formatted(label, TerminalText.visible(value))).append(nl());
  }

  private static String nl() {
    return System.lineSeparator();
  }
}
