package io.fleetrun.exec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * The stdout stream of a run: takes the wrapper's first line ({@code fleetrun-pgid=N}) out of the
 * output and reports N, then passes every later byte to the output buffer. If the first line is
 * something else (the target's shell did not run the wrapper as expected), it is kept as output
 * and no group id is reported.
 */
final class PgidLineFilter extends OutputStream {
  /** The pgid line is short; a longer first line cannot be it. */
  private static final int MAX_LINE = 64;

  private final OutputBuffer target;
  private final LongConsumer onPgid;
  private final ByteArrayOutputStream firstLine = new ByteArrayOutputStream(MAX_LINE);
  private boolean scanning = true;

  PgidLineFilter(OutputBuffer target, LongConsumer onPgid) {
    this.target = target;
    this.onPgid = onPgid;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) {
    OptionalLong found = OptionalLong.empty();
    synchronized (this) {
      if (!scanning) {
        target.write(bytes, offset, length);
        return;
      }
      int end = offset + length;
      for (int i = offset; i < end; i++) {
        if (bytes[i] == '\n') {
          scanning = false;
          found = RemoteCommand.parsePgidLine(firstLine.toString(StandardCharsets.UTF_8));
          if (found.isEmpty()) {
            firstLine.write('\n');
            flushPending();
          }
          firstLine.reset();
          target.write(bytes, i + 1, end - i - 1);
          break;
        }
        firstLine.write(bytes[i]);
        if (firstLine.size() > MAX_LINE) {
          scanning = false;
          flushPending();
          target.write(bytes, i + 1, end - i - 1);
          break;
        }
      }
    }
    // Outside the lock: the callback may start the kill of a run that was stopped meanwhile.
    found.ifPresent(onPgid);
  }

  /** Keeps a partial first line as output when the stream ends without a newline. */
  synchronized void finish() {
    if (scanning) {
      scanning = false;
      flushPending();
    }
  }

  private void flushPending() {
    byte[] pending = firstLine.toByteArray();
    firstLine.reset();
    target.write(pending, 0, pending.length);
  }
}
