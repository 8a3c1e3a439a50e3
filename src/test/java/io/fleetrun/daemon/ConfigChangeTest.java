package io.fleetrun.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.config.ConfigLoader;
import io.fleetrun.config.FleetConfig;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.JobId;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigChangeTest {
  private static final Path FILE = Path.of("/etc/fleetrun/fleetrun.yaml");
  private static final String BASE = """
      database: { url: "jdbc:sqlite:/var/lib/fleetrun/fleetrun.db" }
      ssh: { user: ops, knownHosts: /etc/fleetrun/known_hosts }
      limits: { maxSessions: 10 }
      instances:
        - { id: a, host: 127.0.0.1, tags: [web] }
        - { id: b, host: 127.0.0.2, tags: [web] }
      commands:
        - { id: up, content: "uptime" }
        - { id: df, content: "df -h" }
      jobs:
        - { id: tick, command: up, targets: { tags: [web] }, repeat: Period, frequency: "rate(1s)" }
        - { id: disk, command: df, targets: { instances: [a] }, repeat: Period, frequency: "rate(5m)" }
        - { id: once, command: up, targets: { instances: [b] }, repeat: Once }
      """;

  @Test
  void aChangedHttpSectionNeedsARestartAndTheRunningServerKeepsItsSettings() {
    String http = BASE + "http: { listen: 127.0.0.1:8620, tokens: [{ name: ci, role: reader, env: CI }] }\n";
    FleetConfig old = config(http);
    ConfigChange listen = ConfigChange.between(old, config(http.replace("8620", "8621")));
    assertThat(listen.needsRestart()).containsExactly("http.listen");
    ConfigChange tokens = ConfigChange.between(old, config(http.replace("role: reader", "role: operator")));
    assertThat(tokens.needsRestart()).containsExactly("http.tokens");
    assertThat(ConfigChange.between(old, config(BASE)).needsRestart()).containsExactly("http.listen", "http.tokens");
    assertThat(ConfigChange.inForce(old, config(BASE)).http()).isEqualTo(old.http());
    assertThat(ConfigChange.between(old, config(http)).isEmpty()).isTrue();
  }

  @Test
  void theSameConfigIsNoChange() {
    ConfigChange change = ConfigChange.between(config(BASE), config(BASE));
    assertThat(change.isEmpty()).isTrue();
    assertThat(change.summary()).isEqualTo("no change");
  }

  @Test
  void jobsAddedRemovedAndChangedAreTold() {
    String next = BASE
        .replace("frequency: \"rate(1s)\"", "frequency: \"rate(2s)\"")
        .replace("  - { id: once, command: up, targets: { instances: [b] }, repeat: Once }\n",
            "  - { id: fresh, command: up, targets: { instances: [b] }, repeat: Once }\n");
    ConfigChange change = ConfigChange.between(config(BASE), config(next));
    assertThat(change.addedJobs()).containsExactly(new JobId("fresh"));
    assertThat(change.removedJobs()).containsExactly(new JobId("once"));
    assertThat(change.changedJobs()).containsExactly(new JobId("tick"));
    assertThat(change.needsRestart()).isEmpty();
    assertThat(change.summary()).isEqualTo("jobs added [fresh]; jobs removed [once]; jobs changed [tick]");
  }

  @Test
  void aChangedCommandChangesEveryJobThatRunsIt() {
    ConfigChange change = ConfigChange.between(config(BASE), config(BASE.replace("\"uptime\"", "\"uptime -p\"")));
    assertThat(change.changedJobs()).containsExactly(new JobId("tick"), new JobId("once"));
    assertThat(change.commands()).containsExactly(new CommandId("up"));
  }

  @Test
  void anInstanceThatGainsATagIsAChangedInstanceNotAChangedJob() {
    String next = BASE.replace("{ id: a, host: 127.0.0.1, tags: [web] }", "{ id: a, host: 127.0.0.1, tags: [web, db] }")
        .replace("instances:\n", "instances:\n  - { id: c, host: 127.0.0.3 }\n");
    ConfigChange change = ConfigChange.between(config(BASE), config(next));
    assertThat(change.instances()).containsExactlyInAnyOrder(new InstanceId("a"), new InstanceId("c"));
    assertThat(change.changedJobs()).isEmpty();
  }

  @Test
  void databaseSshClientAndLimitsNeedARestartButLoginDefaultsDoNot() {
    String next = BASE
        .replace("fleetrun.db", "other.db")
        .replace("ssh: { user: ops, knownHosts: /etc/fleetrun/known_hosts }",
            "ssh: { user: deploy, knownHosts: /etc/fleetrun/known_hosts2, hostKeyPolicy: accept-new, connectTimeout: 3s }")
        .replace("maxSessions: 10", "maxSessions: 20, outputBytes: 1024");
    ConfigChange change = ConfigChange.between(config(BASE), config(next));
    assertThat(change.needsRestart()).containsExactly("database.url", "ssh.knownHosts", "ssh.hostKeyPolicy",
        "ssh.connectTimeout", "limits.maxSessions", "limits.outputBytes");
    // ssh.user is a default applied to each instance: it reaches the next runs through them.
    assertThat(change.instances()).containsExactly(new InstanceId("a"), new InstanceId("b"));
    assertThat(change.summary()).contains("needs a restart (ignored until then): database.url, ssh.knownHosts");

    FleetConfig inForce = ConfigChange.inForce(config(BASE), config(next));
    assertThat(inForce.databaseUrl()).endsWith("fleetrun.db");
    assertThat(inForce.limits().maxSessions()).isEqualTo(10);
    assertThat(inForce.fleet()).isEqualTo(config(next).fleet());
  }

  private static FleetConfig config(String yaml) {
    return ConfigLoader.parse(FILE, yaml);
  }
}
