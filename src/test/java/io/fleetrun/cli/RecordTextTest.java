package io.fleetrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetrun.model.CommandId;
import io.fleetrun.model.DetailStatus;
import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.InstanceId;
import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.InvocationStatus;
import io.fleetrun.model.InvokeId;
import io.fleetrun.model.Output;
import io.fleetrun.model.RecordId;
import io.fleetrun.model.RecordStatus;
import io.fleetrun.model.RepeatMode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code fleetrun results}: what a target sent cannot drive the operator's terminal; {@code --raw}
 * and {@code --json} keep it as stored.
 */
class RecordTextTest {
  /** CSI colour, OSC 52 clipboard write ended by BEL, \r overwrite, C1 CSI, bidi override. */
  private static final String HOSTILE =
      "ok\tfine\n\u001b[31mred\u001b[0m\n\u001b]52;c;cm0gLXJmIH4=\u0007\nsafe\rEVIL\n"
          + "\u009b2J\nabc\u202edcba\n\u0000\u007f\u0008\n";

  private static final Invocation INVOCATION =
      new Invocation(
          new InvokeId("t-0123456789ab"), Optional.empty(), new CommandId("c"), RepeatMode.Once,
          Optional.empty(), InvocationStatus.Failed, Instant.EPOCH, Optional.of(Instant.EPOCH),
          Optional.empty());

  private static final InvocationRecord RECORD =
      new InvocationRecord(
          new RecordId(1), INVOCATION.id(), new InstanceId("web-1"), 1, RecordStatus.Failed,
          DetailStatus.Failed, Optional.empty(), Optional.of(ErrorCode.ConnectionLost),
          Optional.of("server said \u001b]0;pwned\u0007bye"), new Output(HOSTILE, 0), Instant.EPOCH, Optional.of(Instant.EPOCH),
          Optional.of(Instant.EPOCH), Optional.empty());

  @Test
  void controlCharactersAreShownEscapedAndNewlineAndTabKept() {
    String text = RecordText.of(INVOCATION, List.of(RECORD));

    assertThat(text)
        .contains("  | ok\tfine\n")
        .contains("  | \\e[31mred\\e[0m\n")
        .contains("  | \\e]52;c;cm0gLXJmIH4=\\x07\n")
        .contains("  | safe\\rEVIL\n")
        .contains("  | \\u009b2J\n")
        .contains("  | abc\\u202edcba\n")
        .contains("  | \\x00\\x7f\\b\n")
        .contains("(server said \\e]0;pwned\\x07bye)");
    assertThat(text.chars().filter(c -> c < 0x20 && c != '\n' && c != '\t')).isEmpty();
    assertThat(text.chars().filter(c -> (c >= 0x7f && c < 0xa0) || c == 0x202e)).isEmpty();
  }

  @Test
  void rawKeepsTheTextAsStored() {
    String text = RecordText.raw(INVOCATION, List.of(RECORD));

    assertThat(text)
        .contains("  | \u001b[31mred\u001b[0m\n")
        .contains("  | \u001b]52;c;cm0gLXJmIH4=\u0007\n")
        .contains("  | safe\rEVIL\n")
        .contains("  | \u009b2J\n")
        .contains("  | abc\u202edcba\n")
        .contains("(server said \u001b]0;pwned\u0007bye)");
  }

  @Test
  void jsonIsValidAndCarriesTheOutputAsStored() throws Exception {
    String json = Json.write(Json.record(RECORD));

    // Pretty-printed: newlines between fields; every control character inside a string escaped.
    assertThat(json.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
    assertThat(json).contains("\\u001B[31m");
    JsonNode parsed = new ObjectMapper().readTree(json);
    assertThat(parsed.get("output").asText()).isEqualTo(HOSTILE);
  }

  @Test
  void tableCellsAreShownEscaped() {
    Table table = new Table("id", "info");
    table.row("a\u001b[2Jb", "x\ry");

    assertThat(table.toString()).contains("a\\e[2Jb").contains("x\\ry").doesNotContain("\u001b");
  }
}
