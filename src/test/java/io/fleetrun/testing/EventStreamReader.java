package io.fleetrun.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of {@code GET /api/v1/events} over real HTTP (java.net.http): reads the stream line by
 * line on its own thread and hands over whole frames, with bounded waits.
 */
public final class EventStreamReader implements AutoCloseable {
  /** One frame: an event ({@code id} empty for {@code reset}) or a comment line ({@code event} "comment"). */
  public record Frame(Optional<Long> id, String event, String data) {}

  private final int status;
  private final InputStream body;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final Thread thread;

  private EventStreamReader(int status, InputStream body) {
    this.status = status;
    this.body = body;
    this.thread = new Thread(this::read, "test-sse-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /** Connects to {@code url} with {@code headers}; returns once the answer's headers came (10 s at most). */
  public static EventStreamReader open(String url, Map<String, String> headers) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    headers.forEach(request::header);
    HttpResponse<InputStream> answer = client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
        .orTimeout(10, TimeUnit.SECONDS).join();
    return new EventStreamReader(answer.statusCode(), answer.body());
  }

  public int status() {
    return status;
  }

  private void read() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      Long id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (event != null || data.length() > 0) {
            frames.add(new Frame(Optional.ofNullable(id), event == null ? "message" : event, data.toString()));
          }
          id = null;
          event = null;
          data.setLength(0);
        } else if (line.startsWith(":")) {
          frames.add(new Frame(Optional.empty(), "comment", line.substring(1).strip()));
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        } else {
          frames.add(new Frame(Optional.empty(), "unexpected", line));
        }
      }
      frames.add(new Frame(Optional.empty(), "end", ""));
    } catch (IOException e) {
      frames.add(new Frame(Optional.empty(), "end", String.valueOf(e.getMessage())));
    }
  }

  /** The next frame that is not a comment, waiting up to {@code wait}; empty if none came. */
  public Optional<Frame> next(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Frame f = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (f == null || !f.event().equals("comment")) {
        return Optional.ofNullable(f);
      }
    }
  }

  /** The next frame of any kind (comments too), waiting up to {@code wait}. */
  public Optional<Frame> nextAny(Duration wait) throws InterruptedException {
    return Optional.ofNullable(frames.poll(wait.toNanos(), TimeUnit.NANOSECONDS));
  }

  /** The next {@code n} frames that are not comments, each waited for up to {@code wait}; fewer if they did not come. */
  public List<Frame> next(int n, Duration wait) throws InterruptedException {
    List<Frame> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Optional<Frame> f = next(wait);
      if (f.isEmpty()) {
        break;
      }
      out.add(f.get());
    }
    return out;
  }

  /** Disconnects. */
  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      // gone already
    }
    thread.interrupt();
  }
}
