package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PgidLineFilterTest {
  private static final String TOKEN = "k3y9token0000abc";
  private static final String LINE = "fleetrun-pgid=" + TOKEN + " ";
  private final OutputBuffer buffer = new OutputBuffer(200_000);
  private final List<Long> reported = new ArrayList<>();
  private final List<RemoteGroup> groups = new ArrayList<>();
  private final PgidLineFilter filter = new PgidLineFilter(buffer, TOKEN, g -> {
    groups.add(g);
    reported.add(g.id());
  });

  private void write(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    filter.write(bytes, 0, bytes.length);
  }

  @Test
  void pgidLineIsReportedAndLeftOutOfTheOutput() {
    write(LINE + "4242\nhello\n");

    assertThat(reported).containsExactly(4242L);
    assertThat(buffer.snapshot().text()).isEqualTo("hello\n");
    assertThat(filter.doneScanning()).isTrue();
  }

  @Test
  void theLeadersStartTimeIsReportedWithTheGroup() {
    write("banner\n" + LINE + "4242 918273645\r\nhello\n");

    assertThat(groups).containsExactly(new RemoteGroup(4242, OptionalLong.of(918273645)));
    assertThat(buffer.snapshot().text()).isEqualTo("banner\nhello\n");
  }

  @Test
  void aLongPgidLineSplitByteByByteAfterALongBannerLineIsFound() {
    write("x".repeat(3000));
    for (char c : (LINE + "4294967295 123456789012345678\nout\n").toCharArray()) {
      write(String.valueOf(c));
    }

    assertThat(groups)
        .containsExactly(new RemoteGroup(4294967295L, OptionalLong.of(123456789012345678L)));
    assertThat(buffer.snapshot().text()).isEqualTo("x".repeat(3000) + "out\n");
  }

  @Test
  void pgidLineSplitAcrossChunksIsStillRecognised() {
    write("fleetrun-p");
    write("gid=" + TOKEN.substring(0, 5));
    write(TOKEN.substring(5) + " 17");
    write("\r\nrest");

    assertThat(reported).containsExactly(17L);
    assertThat(buffer.snapshot().text()).isEqualTo("rest");
  }

  @Test
  void aBannerBeforeThePgidLineStaysOutputInOrder() {
    write("Welcome\nmotd: be nice\n" + LINE + "99\nscript\n");

    assertThat(reported).containsExactly(99L);
    assertThat(buffer.snapshot().text()).isEqualTo("Welcome\nmotd: be nice\nscript\n");
  }

  @Test
  void aBannerWithoutFinalNewlineKeepsItsLastLine() {
    write("banner line\nno newline" + LINE + "31\nscript\n");

    assertThat(reported).containsExactly(31L);
    assertThat(buffer.snapshot().text()).isEqualTo("banner line\nno newlinescript\n");
  }

  @Test
  void pgidLinesWithoutTheRunsTokenAreOutput() {
    write("fleetrun-pgid=5\nfleetrun-pgid=aaaaaaaaaaaaaaaa 6\n" + LINE + "7 trailing\n" + LINE
        + "8\nafter\n" + LINE + "9\n");

    assertThat(reported).containsExactly(8L);
    assertThat(buffer.snapshot().text()).isEqualTo(
        "fleetrun-pgid=5\nfleetrun-pgid=aaaaaaaaaaaaaaaa 6\n" + LINE + "7 trailing\nafter\n"
            + LINE + "9\n");
  }

  @Test
  void aLongBannerLineIsPassedThroughAndTheLineAfterItFound() {
    String longLine = "x".repeat(5000);
    write(longLine);
    write(LINE + "12\nout\n");

    assertThat(reported).containsExactly(12L);
    assertThat(buffer.snapshot().text()).isEqualTo(longLine + "out\n");
  }

  @Test
  void thePgidLineIsNotLookedForPastTheScanLimit() {
    String banner = ("b".repeat(99) + "\n").repeat(PgidLineFilter.SCAN_LIMIT / 100 + 1);
    write(banner);

    assertThat(filter.doneScanning()).isTrue();
    write(LINE + "13\n");

    assertThat(reported).isEmpty();
    assertThat(buffer.snapshot().text()).isEqualTo(banner + LINE + "13\n");
  }

  @Test
  void aPartialLineIsKeptWhenTheStreamEnds() {
    write("no newline");
    filter.finish();

    assertThat(reported).isEmpty();
    assertThat(filter.doneScanning()).isTrue();
    assertThat(buffer.snapshot().text()).isEqualTo("no newline");
  }

  @Test
  void groupsZeroAndOneAreNoGroup() {
    write(LINE + "1\n" + LINE + "0\nx\n");

    assertThat(reported).isEmpty();
    assertThat(buffer.snapshot().text()).isEqualTo(LINE + "1\n" + LINE + "0\nx\n");
  }
}
