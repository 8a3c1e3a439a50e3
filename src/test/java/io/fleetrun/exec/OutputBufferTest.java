package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetrun.model.Output;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutputBufferTest {
  private static void write(OutputBuffer buffer, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    buffer.write(bytes, 0, bytes.length);
  }

  @Test
  void memoryIsTakenOnlyAsOutputComes() {
    OutputBuffer buffer = new OutputBuffer(1 << 20);
    assertThat(buffer.allocated()).isZero();

    write(buffer, "ok\n");
    assertThat(buffer.allocated()).isEqualTo(256);

    byte[] lots = new byte[3 << 20];
    buffer.write(lots, 0, lots.length);
    assertThat(buffer.allocated()).isEqualTo(1 << 20);
    assertThat(buffer.snapshot().dropped()).isEqualTo((3 << 20) + 3 - (1 << 20));
  }

  @Test
  void outputWithinTheLimitIsKeptWhole() {
    OutputBuffer buffer = new OutputBuffer(10);
    write(buffer, "hello");
    write(buffer, "world");

    assertThat(buffer.snapshot()).isEqualTo(new Output("helloworld", 0));
  }

  @Test
  void longOutputKeepsFirstAndLastHalfWithAMarker() {
    OutputBuffer buffer = new OutputBuffer(10);
    write(buffer, "abcdefghij");
    write(buffer, "klmnopqrstuvwxyz");

    assertThat(buffer.snapshot())
        .isEqualTo(new Output("abcde\n[fleetrun: 16 bytes dropped]\nvwxyz", 16));
  }

  @Test
  void anyChunkingGivesTheSameResult() {
    byte[] data = new byte[100_003];
    new Random(7).nextBytes(data);
    OutputBuffer whole = new OutputBuffer(1000);
    whole.write(data, 0, data.length);
    OutputBuffer bytewise = new OutputBuffer(1000);
    Random sizes = new Random(11);
    for (int i = 0; i < data.length; ) {
      int n = Math.min(data.length - i, sizes.nextInt(700));
      bytewise.write(data, i, n);
      i += n;
    }

    assertThat(bytewise.snapshot()).isEqualTo(whole.snapshot());
    assertThat(whole.dropped()).isEqualTo(data.length - 1000);
  }

  @Test
  void severalMegabytesKeepExactHeadTailAndDroppedCount() {
    OutputBuffer buffer = new OutputBuffer(64);
    byte[] chunk = new byte[8192];
    long total = 0;
    for (int i = 0; i < 1000; i++) {
      for (int j = 0; j < chunk.length; j++) {
        chunk[j] = (byte) ('a' + (total + j) % 26);
      }
      buffer.write(chunk, 0, chunk.length);
      total += chunk.length;
    }

    Output output = buffer.snapshot();
    assertThat(output.dropped()).isEqualTo(total - 64);
    String alphabet = "abcdefghijklmnopqrstuvwxyz".repeat(3);
    int tailStart = (int) ((total - 32) % 26);
    assertThat(output.text())
        .isEqualTo(alphabet.substring(0, 32) + "\n[fleetrun: " + (total - 64) + " bytes dropped]\n"
            + alphabet.substring(tailStart, tailStart + 32));
  }

  @Test
  void malformedUtf8BecomesReplacementCharacters() {
    OutputBuffer buffer = new OutputBuffer(64);
    buffer.write(new byte[] {'o', 'k', (byte) 0xff, (byte) 0xc3}, 0, 4);

    assertThat(buffer.snapshot().text()).isEqualTo("ok\uFFFD\uFFFD");
  }

  @Test
  void concurrentWritersLoseNoCount() throws Exception {
    OutputBuffer buffer = new OutputBuffer(128);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch done = new CountDownLatch(4);
    for (int t = 0; t < 4; t++) {
      pool.execute(() -> {
        byte[] line = "0123456789\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 10_000; i++) {
          buffer.write(line, 0, line.length);
        }
        done.countDown();
      });
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();

    assertThat(buffer.dropped()).isEqualTo(4L * 10_000 * 11 - 128);
  }
}
