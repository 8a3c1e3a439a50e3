package io.fleetrun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fleetrun.model.Notification;
import io.fleetrun.model.NotificationEvent;
import io.fleetrun.model.SecretRef;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NotificationConfigTest {
  private static final Path FILE = Path.of("/srv/fleetrun/fleetrun.yaml");
  private static final LoadContext CONTEXT = new LoadContext(FILE, Path.of("/home/ops"), "ops");

  @Test
  void theIssuesExampleIsAHookWithItsEventsAndASecretReference() {
    FleetConfig config = ConfigLoader.parse(CONTEXT, """
        notifications:
          - { id: chat, url: "http://127.0.0.1:9000/hook", events: [invocation-ended, record-failed],
              secret: { env: HOOK_SECRET } }
          - id: all
            url: https://hooks.example.com/fleetrun
            events: [record-ended, invocation-status-changed]
            secret: { file: hook.secret }
        """);

    assertThat(config.notifications()).containsExactly(
        new Notification("chat", URI.create("http://127.0.0.1:9000/hook"),
            Set.of(NotificationEvent.InvocationEnded, NotificationEvent.RecordFailed), new SecretRef.Env("HOOK_SECRET")),
        new Notification("all", URI.create("https://hooks.example.com/fleetrun"),
            Set.of(NotificationEvent.RecordEnded, NotificationEvent.InvocationStatusChanged),
            new SecretRef.File(Path.of("/srv/fleetrun/hook.secret"))));
  }

  @Test
  void withoutNotificationsThereAreNone() {
    assertThat(ConfigLoader.parse(CONTEXT, "").notifications()).isEmpty();
  }

  @Test
  void anInlineSecretIsRefusedWithFileAndLineAndNeverEchoed() {
    ConfigException e = problems("""
        notifications:
          - id: chat
            url: http://127.0.0.1:9000/hook
            events: [invocation-ended]
            secret: s3cr3t-value
        """);

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.key()).isEqualTo("notifications[0].secret");
      assertThat(p.message()).contains("never written inline");
    });
    assertThat(e).hasMessageContaining(FILE + ":5:");
    assertThat(e.getMessage()).doesNotContain("s3cr3t-value");
  }

  @Test
  void aHookWithoutASecretIsRefused() {
    ConfigException e = problems("""
        notifications:
          - { id: chat, url: "http://127.0.0.1:9000/hook", events: [invocation-ended] }
        """);

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(2);
      assertThat(p.key()).isEqualTo("notifications[0].secret");
      assertThat(p.message()).isEqualTo("is required");
    });
  }

  @Test
  void anUnknownEventIsRefusedWithASuggestionAndTheKnownOnes() {
    ConfigException e = problems("""
        notifications:
          - id: chat
            url: http://127.0.0.1:9000/hook
            events:
              - invocation-ended
              - record-fialed
            secret: { env: HOOK_SECRET }
        """);

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(6);
      assertThat(p.key()).isEqualTo("notifications[0].events[1]");
      assertThat(p.message()).contains("unknown event 'record-fialed' (did you mean 'record-failed'?)")
          .contains("invocation-ended, invocation-status-changed, record-failed, record-ended");
    });
  }

  @Test
  void aUrlThatIsNotHttpOrCarriesUserInfoIsRefusedAndItsUserInfoNotEchoed() {
    ConfigException e = problems("""
        notifications:
          - { id: a, url: "ftp://127.0.0.1/hook", events: [record-ended], secret: { env: S } }
          - { id: b, url: "http://ops:hunter2@127.0.0.1:9000/hook", events: [record-ended], secret: { env: S } }
          - { id: c, url: "file:///etc/passwd", events: [record-ended], secret: { env: S } }
          - { id: d, url: "127.0.0.1:9000/hook", events: [record-ended], secret: { env: S } }
          - { id: e, url: "http:///hook", events: [record-ended], secret: { env: S } }
          - { id: f, url: "http://127.0.0.1:9000/a b", events: [record-ended], secret: { env: S } }
        """);

    assertThat(e.problems()).extracting(ConfigProblem::line).containsExactly(2, 3, 4, 5, 6, 7);
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.key()).endsWith(".url"));
    assertThat(e.problems().get(0).message()).contains("must be an http:// or https:// URL, got ftp:");
    assertThat(e.problems().get(1).message()).contains("must not carry user-info");
    assertThat(e.problems().get(2).message()).contains("got file:");
    assertThat(e.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void aDuplicateIdIsRefused() {
    ConfigException e = problems("""
        notifications:
          - { id: chat, url: "http://127.0.0.1:9000/a", events: [record-ended], secret: { env: S } }
          - { id: chat, url: "http://127.0.0.1:9000/b", events: [record-ended], secret: { env: S } }
        """);

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(3);
      assertThat(p.message()).contains("duplicate notification id 'chat'");
    });
  }

  private static ConfigException problems(String yaml) {
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(CONTEXT, yaml));
  }
}
