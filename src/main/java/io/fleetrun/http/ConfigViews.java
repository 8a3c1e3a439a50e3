package io.fleetrun.http;

import io.fleetrun.model.Command;
import io.fleetrun.model.DurationText;
import io.fleetrun.model.Frequency;
import io.fleetrun.model.Instance;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Job;
import io.fleetrun.model.ParameterRule;
import io.fleetrun.model.Threshold;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Instances, commands and jobs of the config in force as the API's JSON objects, field names in
 * camelCase as in {@link JsonViews}. Only what config says about the fleet: an instance's key
 * file and password source are left out (where a secret lives is not the API's to tell).
 */
final class ConfigViews {
  private ConfigViews() {}

  static Map<String, Object> instance(Instance i) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("instanceId", i.id().value());
    out.put("host", i.host());
    out.put("port", i.port());
    out.put("user", i.user());
    out.put("tags", new TreeSet<>(i.tags()));
    return out;
  }

  /** A command; its parameters by name, each with its type, default and pattern (or null). */
  static Map<String, Object> command(Command c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("commandId", c.id().value());
    out.put("content", c.content());
    out.put("workingDir", c.workingDir().orElse(null));
    out.put("timeout", DurationText.format(c.timeout()));
    TreeSet<String> names = new TreeSet<>(c.parameters().keySet());
    names.addAll(c.rules().keySet());
    Map<String, Object> parameters = new LinkedHashMap<>();
    for (String name : names) {
      ParameterRule rule = c.rule(name);
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("type", rule.type().configName());
      p.put("default", c.parameters().get(name));
      p.put("pattern", rule.pattern().orElse(null));
      parameters.put(name, p);
    }
    out.put("parameters", parameters);
    return out;
  }

  /** A job, with when Quartz fires it next ({@code null}: it does not fire again). */
  static Map<String, Object> job(Job j, Optional<Instant> nextFire) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("jobId", j.id().value());
    out.put("commandId", j.command().value());
    Map<String, Object> targets = new LinkedHashMap<>();
    targets.put("instances", j.targets().instances().stream().map(InstanceId::value).toList());
    targets.put("tags", new TreeSet<>(j.targets().tags()));
    out.put("targets", targets);
    out.put("repeatMode", j.repeat().name());
    out.put("frequency", j.frequency().map(Frequency::text).orElse(null));
    out.put("parameters", new TreeMap<>(j.parameters()));
    out.put("misfire", j.misfire().configName());
    out.put("overlap", j.overlap().configName());
    out.put("maxConcurrency", j.controls().maxConcurrency().map(Threshold::text).orElse(null));
    out.put("maxErrors", j.controls().maxErrors().map(Threshold::text).orElse(null));
    out.put("nextFireTime", JsonViews.time(nextFire));
    return out;
  }
}
