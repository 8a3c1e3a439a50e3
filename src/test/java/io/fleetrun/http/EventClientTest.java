package io.fleetrun.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One client's bounded outbox: written in one go, and a client too slow is disconnected. */
class EventClientTest {
  @Test
  void aClientWhoseOutboxIsFullIsDisconnectedOnce() {
    List<Runnable> writes = new ArrayList<>(); // a writer that never gets to run: the client reads nothing
    AtomicInteger closed = new AtomicInteger();
    EventClient client = new EventClient(new ByteArrayOutputStream(), Optional.empty(), 0, 2, writes::add,
        closed::incrementAndGet);

    client.offer("a");
    client.offer("b");
    assertThat(client.closed()).isFalse();
    client.offer("c");
    client.offer("d");

    assertThat(client.closed()).isTrue();
    assertThat(client.done()).isCompleted();
    assertThat(closed).hasValue(1);
    assertThat(writes).hasSize(1); // one writer task for what waits, not one per frame
  }

  @Test
  void waitingFramesGoOutInOneWriteAndAFailedWriteDisconnects() {
    List<Runnable> writes = new ArrayList<>();
    List<String> written = new ArrayList<>();
    OutputStream out = new OutputStream() {
      @Override
      public void write(int b) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (written.size() == 1) {
          throw new IOException("gone");
        }
        written.add(new String(b, off, len, StandardCharsets.UTF_8));
      }
    };
    EventClient client = new EventClient(out, Optional.of("t-1"), 0, 10, writes::add, () -> { });
    client.offer("one\n\n");
    client.offer("two\n\n");
    writes.remove(0).run();

    assertThat(written).containsExactly("one\n\ntwo\n\n");
    assertThat(client.wants("t-1")).isTrue();
    assertThat(client.wants("t-2")).isFalse();

    client.offer("three\n\n");
    writes.remove(0).run();
    assertThat(client.closed()).isTrue();
  }
}
