package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.store.Database;
import io.fleetrun.store.EventLog;
import io.fleetrun.testing.EventStreamReader;
import io.fleetrun.testing.EventStreamReader.Frame;
import io.fleetrun.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "SSE resume": {@code GET /api/v1/events} over real loopback HTTP, on events appended to the
 * table as a daemon's writer appends them: live events, resume with Last-Event-ID (exactly the
 * missed events, none twice), reset after the kept hour, the filter, the token, the client limit,
 * and a cluster: events one node writes reach a stream of another node.
 */
class EventStreamTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration QUIET = Duration.ofMillis(800);
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.000Z");
  private static final EventStream.Settings SETTINGS =
      new EventStream.Settings(3, 2, 100, 50, Duration.ofMillis(50), Duration.ofSeconds(1));

  @TempDir Path dir;
  private ApiRig rig;
  private EventLog writer;
  private final List<EventStreamReader> readers = new ArrayList<>();

  private void start(StoreBackend backend) {
    rig = new ApiRig(backend, dir, List.of(), SETTINGS);
    writer = new EventLog(rig.db);
  }

  @AfterEach
  void stop() {
    readers.forEach(EventStreamReader::close);
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void aStreamStartsNowAndGetsEachEventOnceWithItsIdKindAndData() throws Exception {
    start(StoreBackend.SQLITE);
    append("t-old", "t-old");
    EventStreamReader stream = open(Map.of());
    assertThat(stream.status()).isEqualTo(200);
    append("t-1", "t-2");

    List<Frame> frames = stream.next(2, WAIT);

    assertThat(frames).extracting(f -> f.data()).containsExactly(data("t-1"), data("t-2"));
    assertThat(frames).extracting(Frame::event).containsOnly("record-ended");
    assertThat(frames.get(1).id().orElseThrow()).isGreaterThan(frames.get(0).id().orElseThrow());
    assertThat(stream.next(QUIET)).isEmpty();
  }

  @Test
  void resumingWithLastEventIdGetsExactlyTheMissedEventsNoneTwice() throws Exception {
    start(StoreBackend.SQLITE);
    EventStreamReader first = open(Map.of());
    append("t-1", "t-2");
    List<Frame> seen = first.next(2, WAIT);
    assertThat(seen).hasSize(2);
    first.close();
    append("t-3", "t-4");

    EventStreamReader again = open(Map.of("Last-Event-ID", String.valueOf(seen.get(1).id().orElseThrow())));
    List<Frame> missed = again.next(2, WAIT);
    append("t-5");
    List<Frame> after = again.next(1, WAIT);

    assertThat(missed).extracting(Frame::data).containsExactly(data("t-3"), data("t-4"));
    assertThat(after).extracting(Frame::data).containsExactly(data("t-5"));
    assertThat(again.next(QUIET)).isEmpty();
    // The query parameter does the same for clients that cannot set the header.
    EventStreamReader byParameter = open("?lastEventId=" + seen.get(0).id().orElseThrow(), Map.of());
    assertThat(byParameter.next(4, WAIT)).extracting(Frame::data)
        .containsExactly(data("t-2"), data("t-3"), data("t-4"), data("t-5"));
  }

  @Test
  void aResumeFromEventsDeletedSinceStartsWithResetThenTheOldestKept() throws Exception {
    start(StoreBackend.SQLITE);
    EventStreamReader live = open(Map.of());
    append(T0, "t-1", "t-2", "t-3");
    append(T0.plus(Duration.ofHours(2)), "t-4", "t-5");
    List<Frame> all = live.next(5, WAIT);
    assertThat(all).hasSize(5);
    live.close();
    writer.prune(T0.plus(Duration.ofHours(1)));

    EventStreamReader tooOld = openWhenFree(Map.of("Last-Event-ID", String.valueOf(all.get(1).id().orElseThrow())));
    List<Frame> frames = tooOld.next(3, WAIT);
    tooOld.close();
    EventStreamReader justInTime = openWhenFree(Map.of("Last-Event-ID", String.valueOf(all.get(2).id().orElseThrow())));

    assertThat(frames).extracting(Frame::event).containsExactly("reset", "record-ended", "record-ended");
    assertThat(frames.get(0).id()).isEmpty();
    assertThat(frames.get(0).data()).startsWith("{\"reason\":\"events after id " + all.get(1).id().orElseThrow());
    assertThat(frames.subList(1, 3)).extracting(Frame::data).containsExactly(data("t-4"), data("t-5"));
    assertThat(justInTime.next(2, WAIT)).extracting(Frame::data).containsExactly(data("t-4"), data("t-5"));
  }

  /** An id past the newest (a stream of a database since replaced) would otherwise get nothing until ids caught up. */
  @Test
  void aResumeFromAnIdNoEventHasYetStartsWithResetThenNewEvents() throws Exception {
    start(StoreBackend.SQLITE);
    append("t-1");

    EventStreamReader ahead = open(Map.of("Last-Event-ID", "999999"));
    List<Frame> reset = ahead.next(1, WAIT);
    append("t-2");

    assertThat(reset).extracting(Frame::event).containsExactly("reset");
    assertThat(reset.get(0).data()).contains("no event has id 999999 yet");
    assertThat(ahead.next(1, WAIT)).extracting(Frame::data).containsExactly(data("t-2"));
  }

  @Test
  void theInvokeIdFilterLeavesOtherInvocationsOut() throws Exception {
    start(StoreBackend.SQLITE);
    EventStreamReader stream = open("?invokeId=t-2", Map.of());
    append("t-1", "t-2", "t-3", "t-2");

    assertThat(stream.next(2, WAIT)).extracting(Frame::data).containsExactly(data("t-2"), data("t-2"));
    assertThat(stream.next(QUIET)).isEmpty();
  }

  @Test
  void aReaderTokenIsNeededAndABadIdIsRefused() throws Exception {
    start(StoreBackend.SQLITE);
    EventStreamReader none = EventStreamReader.open(url(""), Map.of());
    readers.add(none);
    assertThat(none.status()).isEqualTo(401);
    assertThat(open(Map.of("Last-Event-ID", "x1")).status()).isEqualTo(400);
    assertThat(open("?since=1", Map.of()).status()).isEqualTo(400);
    assertThat(rig.stream.clients()).isZero();
  }

  /**
   * At most 2 streams of one token and 3 in all (the test's settings): a reader that opens
   * streams and never reads them cannot take every place, nor can all tokens together exceed the
   * bound; a place is free again once its client left.
   */
  @Test
  void moreClientsThanAllowedPerTokenOrInAllAre503UntilOneLeaves() throws Exception {
    start(StoreBackend.SQLITE);
    Map<String, String> operator = Map.of("Authorization", "Bearer " + ApiRig.OPERATOR);
    EventStreamReader one = open(Map.of());
    open(Map.of());

    EventStreamReader third = open(Map.of());
    assertThat(third.status()).isEqualTo(503);
    assertThat(third.next(WAIT).orElseThrow().data()).contains("TooManyClients").contains("token grafana");
    assertThat(open(operator).status()).as("another token's stream").isEqualTo(200);
    EventStreamReader fourth = open(operator);
    assertThat(fourth.status()).isEqualTo(503);
    assertThat(fourth.next(WAIT).orElseThrow().data()).contains("at most 3 clients");

    one.close();

    // Seen gone at its next write: the keep-alive line within a second.
    assertThat(openWhenFree(Map.of()).status()).isEqualTo(200);
  }

  @Test
  void aQuietStreamGetsKeepAliveComments() throws Exception {
    start(StoreBackend.SQLITE);
    EventStreamReader stream = open(Map.of());

    Optional<Frame> frame = stream.nextAny(WAIT);

    assertThat(frame).hasValue(new Frame(Optional.empty(), "comment", "keep-alive"));
  }

  /** A cluster: node b's writer appends to the database node a's server streams from. */
  @Test
  void eventsWrittenByAnotherNodeReachTheStream() throws Exception {
    start(StoreBackend.POSTGRESQL);
    EventStreamReader stream = open(Map.of());
    try (Database nodeB = Database.open(rig.place.settings())) {
      EventLog other = new EventLog(nodeB);
      append("t-a1");
      other.append(List.of(event("t-b1", T0, "node-b"), event("t-b2", T0, "node-b")));
      append("t-a2");
    }

    assertThat(stream.next(4, WAIT)).extracting(Frame::data)
        .containsExactly(data("t-a1"), data("t-b1"), data("t-b2"), data("t-a2"));
  }

  private EventStreamReader open(Map<String, String> headers) throws Exception {
    return open("", headers);
  }

  /** A client that left frees its place when the server next writes to it (a keep-alive at the latest). */
  private EventStreamReader openWhenFree(Map<String, String> headers) throws Exception {
    EventStreamReader r = open(headers);
    for (long end = System.nanoTime() + WAIT.toNanos(); r.status() == 503 && System.nanoTime() < end; ) {
      r.close();
      Thread.sleep(100);
      r = open(headers);
    }
    return r;
  }

  private EventStreamReader open(String query, Map<String, String> headers) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.putIfAbsent("Authorization", "Bearer " + ApiRig.READER);
    EventStreamReader r = EventStreamReader.open(url(query), all);
    readers.add(r);
    return r;
  }

  private String url(String query) {
    return "http://127.0.0.1:" + rig.server.port() + EventStream.PATH + query;
  }

  private void append(String... invokeIds) {
    append(T0, invokeIds);
  }

  private void append(Instant at, String... invokeIds) {
    writer.append(java.util.Arrays.stream(invokeIds).map(id -> event(id, at, "node-a")).toList());
  }

  private static EventLog.NewEvent event(String invokeId, Instant at, String node) {
    return new EventLog.NewEvent("record-ended", invokeId, data(invokeId), at, node);
  }

  private static String data(String invokeId) {
    return "{\"invokeId\":\"" + invokeId + "\",\"status\":\"Finished\"}";
  }
}
