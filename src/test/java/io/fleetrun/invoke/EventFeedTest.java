package io.fleetrun.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.testing.LogLines;
import io.fleetrun.testing.MovingClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The feed between the engine and its event subscribers: never blocks, counts and logs drops. */
class EventFeedTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aFullQueueDropsCountsAndLogsAtMostOncePerMinuteWhileOtherSubscribersGetEverything() throws Exception {
    MovingClock clock = new MovingClock(Instant.parse("2026-12-01T10:00:00Z"));
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<RunEvent> fast = new CopyOnWriteArrayList<>();
    try (EventFeed feed = new EventFeed(1, clock); LogLines logs = LogLines.of(EventFeed.class.getName())) {
      feed.subscribe("stuck", event -> {
        holding.countDown();
        try {
          release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      feed.subscribe("fast", fast::add);
      feed.publish(event(0));
      assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      await().atMost(WAIT).until(() -> fast.size() == 1);

      // The stuck subscriber holds event 0; its queue of 1 takes event 1; 2 and 3 are dropped.
      // Each publish returns at once (the test thread would hang here otherwise); the fast
      // subscriber takes each before the next (its own queue holds 1 too).
      for (int i = 1; i <= 3; i++) {
        feed.publish(event(i));
        int seen = i + 1;
        await().atMost(WAIT).until(() -> fast.size() == seen);
      }
      assertThat(feed.dropped()).isEqualTo(2);
      assertThat(logs.containing("subscriber stuck is behind")).hasSize(1);

      clock.move(Duration.ofSeconds(59));
      feed.publish(event(4));
      await().atMost(WAIT).until(() -> fast.size() == 5);
      assertThat(feed.dropped()).isEqualTo(3);
      assertThat(logs.containing("subscriber stuck is behind")).hasSize(1);

      clock.move(Duration.ofSeconds(1));
      feed.publish(event(5));
      await().atMost(WAIT).until(() -> fast.size() == 6);
      assertThat(feed.dropped()).isEqualTo(4);
      assertThat(logs.containing("subscriber stuck is behind")).hasSize(2);

      assertThat(fast).extracting(RunEvent::invokeId).extracting(InvokeId::value)
          .containsExactly("t-0", "t-1", "t-2", "t-3", "t-4", "t-5");
      release.countDown();
    }
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"exception", "assertion error", "stack overflow"})
  void aSubscriberThatThrowsKeepsReceiving(String what) {
    List<RunEvent> seen = new CopyOnWriteArrayList<>();
    try (EventFeed feed = new EventFeed(10, Clock.systemUTC())) {
      feed.subscribe("flaky", event -> {
        seen.add(event);
        switch (what) {
          case "exception" -> throw new IllegalStateException("boom");
          case "assertion error" -> throw new AssertionError("boom");
          default -> throw new StackOverflowError();
        }
      });
      feed.publish(event(0));
      feed.publish(event(1));
      await().atMost(WAIT).until(() -> seen.size() == 2);
      assertThat(feed.dropped()).isZero();
    }
  }

  private static RunEvent event(int n) {
    return new RunEvent.InvocationStatusChanged(new InvokeId("t-" + n), InvocationStatus.Running);
  }
}
