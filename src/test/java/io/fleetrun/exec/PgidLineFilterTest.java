package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgidLineFilterTest {
  private final OutputBuffer buffer = new OutputBuffer(1024);
  private final List<Long> reported = new ArrayList<>();
  private final PgidLineFilter filter = new PgidLineFilter(buffer, reported::add);

  private void write(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    filter.write(bytes, 0, bytes.length);
  }

  @Test
  void pgidLineIsReportedAndLeftOutOfTheOutput() {
    write("fleetrun-pgid=4242\nhello\n");

    assertThat(reported).containsExactly(4242L);
    assertThat(buffer.snapshot().text()).isEqualTo("hello\n");
  }

  @Test
  void pgidLineSplitAcrossChunksIsStillRecognised() {
    write("fleetrun-p");
    write("gid=17");
    write("\nrest");

    assertThat(reported).containsExactly(17L);
    assertThat(buffer.snapshot().text()).isEqualTo("rest");
  }

  @Test
  void onlyTheFirstLineCounts() {
    write("first\nfleetrun-pgid=5\n");

    assertThat(reported).isEmpty();
    assertThat(buffer.snapshot().text()).isEqualTo("first\nfleetrun-pgid=5\n");
  }

  @Test
  void aPartialFirstLineIsKeptWhenTheStreamEnds() {
    write("no newline");
    filter.finish();

    assertThat(reported).isEmpty();
    assertThat(buffer.snapshot().text()).isEqualTo("no newline");
  }

  @Test
  void aLongFirstLineIsPassedThrough() {
    String longLine = "x".repeat(200);
    write(longLine + "\n");

    assertThat(reported).isEmpty();
    assertThat(buffer.snapshot().text()).isEqualTo(longLine + "\n");
  }
}
