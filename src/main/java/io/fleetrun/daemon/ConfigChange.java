package io.fleetrun.daemon;

import io.fleetrun.config.FleetConfig;
import io.fleetrun.invoke.JobSpec;
import io.fleetrun.model.Command;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.Fleet;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.Notification;
import io.fleetrun.model.SshSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What differs between the config in force and an edited one. Pure.
 *
 * @param addedJobs jobs only in the new config
 * @param removedJobs jobs only in the old config
 * @param changedJobs jobs in both whose definition or command differs
 * @param instances ids of instances added, removed or changed
 * @param commands ids of commands added, removed or changed
 * @param notifications ids of webhooks added, removed or changed (applied by the reload)
 * @param needsRestart dotted keys whose change takes effect only at the next start (the
 *     database, the SSH client, the limits, retention)
 */
record ConfigChange(
    List<JobId> addedJobs,
    List<JobId> removedJobs,
    List<JobId> changedJobs,
    List<InstanceId> instances,
    List<CommandId> commands,
    List<String> notifications,
    List<String> needsRestart) {
  ConfigChange {
    addedJobs = List.copyOf(addedJobs);
    removedJobs = List.copyOf(removedJobs);
    changedJobs = List.copyOf(changedJobs);
    instances = List.copyOf(instances);
    commands = List.copyOf(commands);
    notifications = List.copyOf(notifications);
    needsRestart = List.copyOf(needsRestart);
  }

  static ConfigChange between(FleetConfig old, FleetConfig next) {
    Fleet a = old.fleet();
    Fleet b = next.fleet();
    return new ConfigChange(
        only(b.jobs(), a.jobs(), Job::id),
        only(a.jobs(), b.jobs(), Job::id),
        b.jobs().stream()
            .filter(j -> a.findJob(j.id()).filter(o -> !definitionOf(o, a).equals(definitionOf(j, b))).isPresent())
            .map(Job::id)
            .toList(),
        differing(a.instances(), b.instances(), Instance::id),
        differing(a.commands(), b.commands(), Command::id),
        differing(old.notifications(), next.notifications(), Notification::id),
        needsRestart(old, next));
  }

  /** True when nothing at all differs. */
  boolean isEmpty() {
    return addedJobs.isEmpty() && removedJobs.isEmpty() && changedJobs.isEmpty()
        && instances.isEmpty() && commands.isEmpty() && notifications.isEmpty() && needsRestart.isEmpty();
  }

  /** One line for the log and the heartbeat row, like {@code jobs added [a]; needs a restart: limits.maxSessions}. */
  String summary() {
    if (isEmpty()) {
      return "no change";
    }
    List<String> parts = new ArrayList<>();
    part(parts, "jobs added", addedJobs);
    part(parts, "jobs removed", removedJobs);
    part(parts, "jobs changed", changedJobs);
    part(parts, "instances added/removed/changed", instances);
    part(parts, "commands added/removed/changed", commands);
    part(parts, "notifications added/removed/changed", notifications);
    if (!needsRestart.isEmpty()) {
      parts.add("needs a restart (ignored until then): " + String.join(", ", needsRestart));
    }
    return String.join("; ", parts);
  }

  private static void part(List<String> parts, String label, List<?> ids) {
    if (!ids.isEmpty()) {
      parts.add(label + " " + ids);
    }
  }

  /**
   * A job and the command it runs: a change of either changes what the job does. The same
   * fingerprint decides whether a job a person stopped starts again.
   */
  private static String definitionOf(Job job, Fleet fleet) {
    return fleet.findCommand(job.command()).map(c -> JobSpec.of(job, c)).orElse("no command");
  }

  private static <T, K> List<K> only(List<T> in, List<T> notIn, Function<T, K> id) {
    Set<K> other = notIn.stream().map(id).collect(Collectors.toSet());
    return in.stream().map(id).filter(k -> !other.contains(k)).toList();
  }

  private static <T, K> List<K> differing(List<T> old, List<T> next, Function<T, K> id) {
    Map<K, T> before = old.stream().collect(Collectors.toMap(id, Function.identity()));
    Map<K, T> after = next.stream().collect(Collectors.toMap(id, Function.identity()));
    List<K> keys = new ArrayList<>();
    old.stream().map(id).filter(k -> !after.containsKey(k)).forEach(keys::add);
    next.stream().map(id).filter(k -> !Objects.equals(before.get(k), after.get(k))).forEach(keys::add);
    return keys;
  }

  /**
   * Settings the running daemon was built with. {@code ssh.user} and {@code ssh.identityFile}
   * are not among them: they are defaults already applied to each instance, so they take effect
   * through the instances.
   */
  private static List<String> needsRestart(FleetConfig old, FleetConfig next) {
    List<String> keys = new ArrayList<>();
    restart(keys, "database.url", old.databaseUrl(), next.databaseUrl());
    restart(keys, "database.user", old.database().user(), next.database().user());
    restart(keys, "database.password", old.database().password(), next.database().password());
    SshSettings a = old.ssh();
    SshSettings b = next.ssh();
    restart(keys, "ssh.knownHosts", a.knownHosts(), b.knownHosts());
    restart(keys, "ssh.hostKeyPolicy", a.hostKeyPolicy(), b.hostKeyPolicy());
    restart(keys, "ssh.connectTimeout", a.connectTimeout(), b.connectTimeout());
    restart(keys, "ssh.keyExchanges", a.keyExchanges(), b.keyExchanges());
    restart(keys, "ssh.keepAlive", a.keepAlive(), b.keepAlive());
    restart(keys, "ssh.channelsPerConnection", a.channelsPerConnection(),
        b.channelsPerConnection());
    restart(keys, "ssh.connectionLifetime", a.connectionLifetime(), b.connectionLifetime());
    restart(keys, "limits.maxSessions", old.limits().maxSessions(), next.limits().maxSessions());
    restart(keys, "limits.outputBytes", old.limits().outputBytes(), next.limits().outputBytes());
    restart(keys, "retention.records", old.retention(), next.retention());
    restart(keys, "cluster.nodeId", old.cluster().nodeId(), next.cluster().nodeId());
    restart(keys, "cluster.nodeIdFile", old.cluster().nodeIdFile(), next.cluster().nodeIdFile());
    restart(keys, "http.listen", old.http().map(h -> h.address()), next.http().map(h -> h.address()));
    restart(keys, "http.tokens", old.http().map(h -> h.tokens()), next.http().map(h -> h.tokens()));
    return keys;
  }

  private static void restart(List<String> keys, String key, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      keys.add(key);
    }
  }

  /**
   * The settings of {@code old} that need a restart, with the instances, commands, jobs and
   * notifications of {@code next}.
   */
  static FleetConfig inForce(FleetConfig old, FleetConfig next) {
    return new FleetConfig(
        old.source(), old.database(), old.ssh(), old.limits(), next.fleet(), old.retention(),
        old.cluster(), old.http(), next.notifications());
  }
}
