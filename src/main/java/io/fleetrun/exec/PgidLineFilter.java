package io.fleetrun.exec;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stdout stream of a run: finds the wrapper's {@code fleetrun-pgid=<token> N [S]} line in
 * the first {@link #SCAN_LIMIT} bytes, takes it out of the output and reports the group N (with
 * its leader's start time S when given); every other byte
 * reaches the output buffer in order. What the target's login shell prints before the wrapper
 * runs (a banner from its rc files, with or without a final newline, even a
 * {@code fleetrun-pgid=} line of its own, which lacks the run's random token) stays output.
 * Memory stays bounded: of the line being read only the last bytes that could hold the pgid
 * line are held back.
 */
final class PgidLineFilter extends OutputStream {
  /** How far into the output the pgid line is looked for; a longer banner hides it. */
  static final int SCAN_LIMIT = 64 * 1024;

  private final OutputBuffer target;
  private final Consumer<RemoteGroup> onPgid;
  private final Pattern line;
  /** The tail of the current line kept back: twice the longest possible pgid line. */
  private final byte[] pending;
  private final int window;
  private int count;
  private long scanned;
  private boolean scanning = true;
  private boolean found;

  /** @param token the run's token, as given to {@link RemoteCommand#wrap} */
  PgidLineFilter(OutputBuffer target, String token, Consumer<RemoteGroup> onPgid) {
    this.target = target;
    this.onPgid = onPgid;
    this.line = RemoteCommand.pgidLine(token);
    // " ", 10 digits, " ", 18 digits, \r
    this.window = RemoteCommand.PGID_PREFIX.length() + token.length() + 31;
    this.pending = new byte[2 * window];
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) {
    Optional<RemoteGroup> group = Optional.empty();
    synchronized (this) {
      int end = offset + length;
      int i = offset;
      for (; i < end && scanning; i++) {
        scanned++;
        if (bytes[i] == '\n') {
          group = endOfLine();
        } else {
          hold(bytes[i]);
        }
        if (scanning && scanned >= SCAN_LIMIT) {
          stopScanning();
        }
      }
      if (i < end) {
        target.write(bytes, i, end - i);
      }
    }
    // Outside the lock: the callback may start the kill of a run that was stopped meanwhile.
    group.ifPresent(onPgid);
  }

  /**
   * True once the pgid line can no longer come: found, past {@link #SCAN_LIMIT}, or the stream
   * ended.
   */
  synchronized boolean doneScanning() {
    return !scanning;
  }

  /** True when the line was found (and reported). */
  synchronized boolean found() {
    return found;
  }

  /** Keeps a partial line as output when the stream ends without a newline. */
  synchronized void finish() {
    if (scanning) {
      stopScanning();
    }
  }

  private Optional<RemoteGroup> endOfLine() {
    Matcher m = line.matcher(new String(pending, 0, count, StandardCharsets.ISO_8859_1));
    Optional<RemoteGroup> group = m.find() ? RemoteCommand.group(m) : Optional.empty();
    if (group.isPresent()) {
      target.write(pending, 0, m.start()); // a banner's last line without its newline
      count = 0;
      scanning = false;
      found = true;
      return group;
    }
    hold((byte) '\n');
    flush(count);
    return group;
  }

  private void hold(byte b) {
    if (count == pending.length) {
      flush(count - window); // these bytes are too far from the line's end to be the pgid line
    }
    pending[count++] = b;
  }

  private void flush(int n) {
    target.write(pending, 0, n);
    System.arraycopy(pending, n, pending, 0, count - n);
    count -= n;
  }

  private void stopScanning() {
    scanning = false;
    flush(count);
  }
}
