package io.fleetrun.config;

import io.fleetrun.model.CommandId;
import io.fleetrun.model.ConcurrencyControls;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Job;
import io.fleetrun.model.JobId;
import io.fleetrun.model.ScriptTemplate;
import io.fleetrun.model.Targets;
import io.fleetrun.model.Threshold;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code jobs:} and checks them against the instances and commands: references exist, targets
 * select someone, and every placeholder of the command gets a value.
 */
final class JobSection {
  static final List<String> KEYS =
      List.of(
          "id", "command", "targets", "repeat", "frequency", "parameters", "misfire", "overlap",
          "maxConcurrency", "maxErrors");
  static final List<String> TARGET_KEYS = List.of("instances", "tags");

  private final InstanceSection.Result instances;
  private final CommandSection.Result commands;
  private final Clock clock;
  private final Problems problems;
  private final Set<String> allTags = new TreeSet<>();

  private JobSection(
      InstanceSection.Result instances,
      CommandSection.Result commands,
      Clock clock,
      Problems problems) {
    this.instances = instances;
    this.commands = commands;
    this.clock = clock;
    this.problems = problems;
    instances.tagsById().values().forEach(allTags::addAll);
  }

  static List<Job> read(
      List<YamlNode> items,
      InstanceSection.Result instances,
      CommandSection.Result commands,
      Clock clock,
      Problems problems) {
    return new JobSection(instances, commands, clock, problems).readAll(items);
  }

  private List<Job> readAll(List<YamlNode> items) {
    IdRegistry ids = new IdRegistry("job");
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Optional<MapReader> item = MapReader.of(items.get(i), "jobs[" + i + "]", problems, KEYS);
      if (item.isEmpty()) {
        continue;
      }
      MapReader r = item.get();
      int before = problems.count();
      Optional<String> id = ids.claim(r);
      Optional<String> command = commandRef(r);
      Optional<Targets> targets = targets(r);
      Optional<ScheduleRule.Schedule> schedule = ScheduleRule.read(r, clock.instant());
      Optional<PolicyRule.Policies> policies = PolicyRule.read(r, schedule);
      ParameterValues parameters = ParameterValues.read(r, problems);
      Optional<Threshold> maxConcurrency = threshold(r, "maxConcurrency");
      Optional<Threshold> maxErrors = threshold(r, "maxErrors");
      if (maxConcurrency.filter(t -> t.value() == 0).isPresent()) {
        r.problem("maxConcurrency", "must be at least 1 (or 1%); leave it out for no limit");
      }
      String jobName = id.map(v -> "job '" + v + "'").orElse("this job");
      command.ifPresent(
          c ->
              Optional.ofNullable(commands.usages().get(c))
                  .ifPresent(u -> checkParameters(r, jobName, c, u, parameters)));
      if (problems.count() == before) {
        jobs.add(
            new Job(
                new JobId(id.orElseThrow()),
                new CommandId(command.orElseThrow()),
                targets.orElseThrow(),
                schedule.orElseThrow().repeat(),
                schedule.orElseThrow().frequency(),
                parameters.values(),
                policies.orElseThrow().misfire(),
                policies.orElseThrow().overlap(),
                new ConcurrencyControls(maxConcurrency, maxErrors)));
      }
    }
    return jobs;
  }

  /**
   * {@code maxConcurrency} / {@code maxErrors}: a whole number ({@code 10}) or a percentage of
   * the targets ({@code "25%"}), as AWS Systems Manager writes them.
   */
  private static Optional<Threshold> threshold(MapReader r, String key) {
    Optional<String> text = r.text(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Threshold.parse(text.get()));
    } catch (IllegalArgumentException e) {
      r.problem(key, e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<String> commandRef(MapReader r) {
    Optional<String> ref = r.requiredText("command");
    if (ref.isPresent() && !commands.declared().contains(ref.get())) {
      r.problem(
          "command",
          "unknown command '%s'%s"
              .formatted(ref.get(), Suggest.didYouMean(ref.get(), commands.declared())));
      return Optional.empty();
    }
    return ref;
  }

  private Optional<Targets> targets(MapReader job) {
    if (job.required("targets").isEmpty()) {
      return Optional.empty();
    }
    // Counted before the map is read, so a misspelt key is not also reported as "selects no
    // instance".
    int before = problems.count();
    Optional<MapReader> t = job.map("targets", TARGET_KEYS);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    List<InstanceId> ids = new ArrayList<>();
    Set<String> tags = new LinkedHashSet<>();
    for (MapReader.TextItem item : t.get().textList("instances")) {
      String id = item.text();
      if (instances.tagsById().containsKey(id)) {
        ids.add(new InstanceId(id));
      } else {
        problems.add(
            item.node(),
            item.path(),
            "unknown instance '%s'%s"
                .formatted(id, Suggest.didYouMean(id, instances.tagsById().keySet())));
      }
    }
    for (MapReader.TextItem item : t.get().textList("tags")) {
      String tag = item.text();
      if (allTags.contains(tag)) {
        tags.add(tag);
      } else {
        problems.add(
            item.node(),
            item.path(),
            "no instance has tag '" + tag + "'" + Suggest.didYouMean(tag, allTags));
      }
    }
    if (problems.count() != before) {
      return Optional.empty();
    }
    if (ids.isEmpty() && tags.isEmpty()) {
      job.problem(
          "targets",
          "selects no instance; name some with instances: [id, ...] or tags: [tag, ...]");
      return Optional.empty();
    }
    return Optional.of(new Targets(ids, tags));
  }

  /**
   * Every placeholder needs a value (job, then command default, or built-in); every job parameter
   * must be used, since an unused one is most likely a misspelt name.
   */
  private void checkParameters(
      MapReader job,
      String jobName,
      String command,
      CommandSection.Usage usage,
      ParameterValues parameters) {
    Set<String> used = usage.placeholders();
    ScriptTemplate.ParameterFit fit =
        ScriptTemplate.fit(used, parameters.values().keySet(), usage.defaults());
    parameters.checkValues(job, usage.rules(), jobName + ": ", problems);
    for (String name : fit.missing()) {
      job.problem(
          "parameters",
          "%s: command '%s' needs a value for {{%s}}; set it in the job's parameters or give"
                  .formatted(jobName, command, name)
              + " the command a default");
    }
    parameters
        .marks()
        .forEach(
            (name, mark) -> {
              if (fit.unused().contains(name)) {
                problems.add(
                    mark,
                    job.pathOf("parameters") + "." + name,
                    "%s: parameter '%s' is not used by command '%s'%s"
                        .formatted(jobName, name, command, Suggest.didYouMean(name, used)));
              }
            });
  }
}
