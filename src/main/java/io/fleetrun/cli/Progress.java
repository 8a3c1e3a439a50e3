package io.fleetrun.cli;

import io.fleetrun.model.InvokeId;
import io.fleetrun.store.RecordCounts;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code run --wait}'s progress on stderr. On a terminal one line is redrawn in place (carriage
 * return and ANSI "erase line"), at most every {@link #REDRAW}; elsewhere (a log, a pipe, CI) a
 * plain line is printed every {@code plainEvery}, so a log gets a steady trace rather than a flood.
 * Stdout is left alone: it carries the invoke id that scripts read.
 */
final class Progress {
  /** How often the terminal line is redrawn at most: about four times a second. */
  static final Duration REDRAW = Duration.ofMillis(250);

  /** Carriage return and ANSI EL2 (erase the whole line), so a shorter line leaves no tail. */
  static final String CLEAR_LINE = "\r\u001b[2K";

  /** Where progress goes. */
  enum Style {
    /** One line redrawn in place. */
    TERMINAL,
    /** A new line every so often. */
    PLAIN,
    /** Nothing ({@code --json}, {@code --progress=never}). */
    NONE
  }

  private final Style style;
  private final PrintWriter err;
  private final Clock clock;
  private final Duration plainEvery;
  private final InvokeId id;
  private final Instant start;
  private Optional<Instant> lastShown = Optional.empty();
  private boolean lineOpen;
  private String drawn = "";

  Progress(Style style, PrintWriter err, Clock clock, Duration plainEvery, InvokeId id) {
    this.style = Objects.requireNonNull(style, "style");
    this.err = Objects.requireNonNull(err, "err");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (plainEvery.isNegative() || plainEvery.isZero()) {
      throw new IllegalArgumentException("the progress interval must be positive, not " + plainEvery);
    }
    this.plainEvery = plainEvery;
    this.id = Objects.requireNonNull(id, "id");
    this.start = clock.instant();
  }

  /** Shows {@code counts} if it is time to (the first call always shows). */
  void show(RecordCounts counts) {
    if (style == Style.NONE) {
      return;
    }
    Instant now = clock.instant();
    Duration every = style == Style.TERMINAL ? REDRAW : plainEvery;
    if (lastShown.isPresent() && now.isBefore(lastShown.get().plus(every))) {
      return;
    }
    String line = ProgressText.line(id, counts, Duration.between(start, now));
    if (style == Style.TERMINAL) {
      // The same text again would only make the terminal (or a recording of it) busier.
      if (!line.equals(drawn)) {
        err.print(CLEAR_LINE + line);
        drawn = line;
        lineOpen = true;
      }
    } else {
      err.println(line);
    }
    lastShown = Optional.of(now);
    err.flush();
  }

  /** Erases the redrawn line, so what follows (the final table) starts on a clean line. */
  void end() {
    if (lineOpen) {
      err.print(CLEAR_LINE);
      err.flush();
      lineOpen = false;
    }
  }
}
