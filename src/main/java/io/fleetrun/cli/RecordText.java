package io.fleetrun.cli;

import io.fleetrun.model.Invocation;
import io.fleetrun.model.InvocationRecord;
import io.fleetrun.model.TerminalText;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The human form of an invocation and its records. Output and error info come from targets, so the
 * text is made safe for a terminal ({@link TerminalText#visible}) unless raw is asked for.
 */
final class RecordText {
  private RecordText() {}

  /** The report with every control character but newline and tab shown escaped. */
  static String of(Invocation i, List<InvocationRecord> records) {
    return TerminalText.visible(raw(i, records));
  }

  /** The report with output and error info as stored, control characters included. */
  static String raw(Invocation i, List<InvocationRecord> records) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("invocation %s  job %s  command %s  %s%s  %s  created %s%n",
        i.id(), i.job().map(Object::toString).orElse("(ad-hoc)"), i.command(), i.repeat(),
        i.frequency().map(f -> " " + f.text()).orElse(""), i.status(), i.createdAt()));
    for (InvocationRecord r : records) {
      out.append(String.format("%n%s #%d  %s  %s  exit %s%s%n", r.instance(), r.repeatNo(),
          r.status(), r.detail(), r.exitCode().map(String::valueOf).orElse("-"),
          r.errorCode().map(c -> "  error " + c + r.errorInfo().map(e -> " (" + e + ")").orElse("")).orElse("")));
      out.append(String.format("  start %s  finish %s%s%n", time(r.startTime()), time(r.finishTime()),
          r.stopTime().map(t -> "  stop " + t).orElse("")));
      if (r.output().dropped() > 0) {
        out.append(String.format("  output (%d bytes dropped from the middle):%n", r.output().dropped()));
      } else if (!r.output().text().isEmpty()) {
        out.append("  output:\n");
      }
      // Split on \n only: a \r stays in its line, escaped or raw as asked.
      String text = r.output().text();
      if (!text.isEmpty()) {
        for (String line : (text.endsWith("\n") ? text.substring(0, text.length() - 1) : text).split("\n", -1)) {
          out.append("  | ").append(line).append('\n');
        }
      }
    }
    return out.toString();
  }

  private static String time(Optional<Instant> t) {
    return t.map(Instant::toString).orElse("-");
  }
}
