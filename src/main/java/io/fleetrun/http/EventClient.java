package io.fleetrun.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connected client of the event stream: where it is in the stream, its filter, and a bounded
 * outbox of SSE frames that a writer thread of the shared pool empties into its response (all
 * that waits in one write and one flush). No thread is held while nothing waits; a client whose
 * outbox is full is too slow and is disconnected (it resumes with {@code Last-Event-ID}).
 */
final class EventClient {
  private final OutputStream out;
  private final Optional<String> invokeId;
  private final BlockingQueue<String> outbox;
  private final Executor writers;
  private final Runnable onClose;
  private final AtomicBoolean writing = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Completed when the client is gone: the request then ends. */
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  /** The last event id read for this client (the poller's alone). */
  long cursor;
  /** When the poller last gave it something, from {@link System#nanoTime()} (the poller's alone). */
  volatile long lastOffer = System.nanoTime();

  EventClient(OutputStream out, Optional<String> invokeId, long cursor, int outbox, Executor writers,
      Runnable onClose) {
    this.out = out;
    this.invokeId = invokeId;
    this.cursor = cursor;
    this.outbox = new ArrayBlockingQueue<>(outbox);
    this.writers = writers;
    this.onClose = onClose;
  }

  /** Whether it wants the events of {@code invoke} (its {@code invokeId} filter). */
  boolean wants(String invoke) {
    return invokeId.map(invoke::equals).orElse(true);
  }

  /** Frames its outbox can take now. */
  int room() {
    return outbox.remainingCapacity();
  }

  boolean closed() {
    return closed.get();
  }

  CompletableFuture<Void> done() {
    return done;
  }

  /** Queues {@code frame} for writing; a full outbox disconnects the client. */
  void offer(String frame) {
    if (closed.get()) {
      return;
    }
    lastOffer = System.nanoTime();
    if (!outbox.offer(frame)) {
      close();
      return;
    }
    if (writing.compareAndSet(false, true)) {
      try {
        writers.execute(this::drain);
      } catch (RejectedExecutionException e) {
        close(); // the server stops
      }
    }
  }

  private void drain() {
    try {
      StringBuilder frames = new StringBuilder();
      String frame;
      while (!closed.get() && (frame = outbox.poll()) != null) {
        frames.setLength(0);
        do {
          frames.append(frame);
        } while (frames.length() < 64 * 1024 && (frame = outbox.poll()) != null);
        out.write(frames.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      close(); // gone (or its connection failed): it reconnects with Last-Event-ID
    } finally {
      writing.set(false);
    }
    // A frame offered after the last poll but before writing was cleared found writing set.
    if (!closed.get() && !outbox.isEmpty() && writing.compareAndSet(false, true)) {
      try {
        writers.execute(this::drain);
      } catch (RejectedExecutionException e) {
        close();
      }
    }
  }

  /** Disconnects it (idempotent): its request ends, its slot is free. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      outbox.clear();
      onClose.run();
      done.complete(null);
    }
  }
}
