package io.fleetrun.exec;

import io.fleetrun.model.Output;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a run prints, bounded: keeps the first half and the last half of {@code limit} bytes
 * (the tail in a ring buffer) and counts the bytes in between that were left out. Stdout and
 * stderr write into the same buffer from MINA's I/O threads, so every method is synchronized and
 * the arrival order is kept. Memory stays at {@code limit} bytes whatever the run prints, and is
 * taken only as output comes: nothing for a queued or silent run, the head grows by doubling,
 * the tail is allocated once the head is full (1,000 queued runs cost no buffers).
 */
final class OutputBuffer {
  /** First head allocation: most scripts print a line or two. */
  private static final int FIRST_CHUNK = 256;

  private final int headCapacity;
  private final int tailCapacity;
  private byte[] head = new byte[0];
  private byte[] tail = new byte[0];
  private int headLength;
  private int tailStart;
  private int tailLength;
  private long dropped;

  OutputBuffer(int limit) {
    if (limit < 2) {
      throw new IllegalArgumentException("limit must be at least 2 bytes");
    }
    headCapacity = limit / 2;
    tailCapacity = limit - limit / 2;
  }

  /** Bytes of buffer memory taken so far. */
  synchronized int allocated() {
    return head.length + tail.length;
  }

  synchronized void write(byte[] bytes, int offset, int length) {
    if (length <= 0) {
      return;
    }
    growHead(headLength + length);
    int headRoom = head.length - headLength;
    int toHead = Math.min(headRoom, length);
    System.arraycopy(bytes, offset, head, headLength, toHead);
    headLength += toHead;
    offset += toHead;
    length -= toHead;
    if (length == 0) {
      return;
    }
    if (tail.length == 0) {
      tail = new byte[tailCapacity];
    }
    if (length >= tail.length) {
      // The whole tail is replaced: what it held and the front of this chunk are left out.
      dropped += tailLength + (length - tail.length);
      System.arraycopy(bytes, offset + length - tail.length, tail, 0, tail.length);
      tailStart = 0;
      tailLength = tail.length;
      return;
    }
    int overflow = Math.max(0, tailLength + length - tail.length);
    dropped += overflow;
    tailStart = (tailStart + overflow) % tail.length;
    tailLength -= overflow;
    int end = (tailStart + tailLength) % tail.length;
    int first = Math.min(length, tail.length - end);
    System.arraycopy(bytes, offset, tail, end, first);
    System.arraycopy(bytes, offset + first, tail, 0, length - first);
    tailLength += length;
  }

  /** Makes room in the head for {@code wanted} bytes, doubling, up to half the limit. */
  private void growHead(int wanted) {
    if (head.length >= headCapacity || wanted <= head.length) {
      return;
    }
    int size = Math.max(head.length, Math.min(FIRST_CHUNK, headCapacity));
    while (size < wanted && size < headCapacity) {
      size = (int) Math.min((long) size * 2, headCapacity);
    }
    head = java.util.Arrays.copyOf(head, size);
  }

  /** Bytes left out so far. */
  synchronized long dropped() {
    return dropped;
  }

  /**
   * The kept bytes decoded as UTF-8 (malformed bytes become U+FFFD), with a marker line like
   * {@code [fleetrun: 123 bytes dropped]} between head and tail when bytes were left out.
   */
  synchronized Output snapshot() {
    ByteArrayOutputStream tailBytes = new ByteArrayOutputStream(tailLength);
    int first = Math.min(tailLength, tail.length - tailStart);
    tailBytes.write(tail, tailStart, first);
    tailBytes.write(tail, 0, tailLength - first);
    if (dropped == 0) {
      // Decode head and tail together so a character split across them stays whole.
      ByteArrayOutputStream all = new ByteArrayOutputStream(headLength + tailLength);
      all.write(head, 0, headLength);
      all.writeBytes(tailBytes.toByteArray());
      return new Output(all.toString(StandardCharsets.UTF_8), 0);
    }
    String text =
        new String(head, 0, headLength, StandardCharsets.UTF_8)
            + "\n[fleetrun: " + dropped + " bytes dropped]\n"
            + tailBytes.toString(StandardCharsets.UTF_8);
    return new Output(text, dropped);
  }

  /** A stream that appends to this buffer; closing it does nothing. */
  OutputStream stream() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        OutputBuffer.this.write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        OutputBuffer.this.write(bytes, offset, length);
      }
    };
  }
}
