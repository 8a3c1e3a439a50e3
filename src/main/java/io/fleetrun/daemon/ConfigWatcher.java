package io.fleetrun.daemon;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when the config file changes. It watches the file's folder rather than the file:
 * editors often save by writing a temporary file and renaming it over the old one, which a watch
 * on the file itself would lose. Events are debounced (a save is often several writes, or a
 * delete and a create), so one save gives one callback, after the folder has been quiet for
 * {@code debounce}. Callbacks run one at a time on a thread of the watcher.
 */
final class ConfigWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final Duration debounce;
  private final Runnable onChange;
  private final WatchService watch;
  private final Thread thread;
  private final ScheduledExecutorService debouncer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fleetrun-config-reload");
            t.setDaemon(true);
            return t;
          });
  private ScheduledFuture<?> pending;
  private boolean closed;

  private ConfigWatcher(Path file, Duration debounce, Runnable onChange) throws IOException {
    this.file = file.toAbsolutePath().normalize();
    this.debounce = debounce;
    this.onChange = onChange;
    this.watch = FileSystems.getDefault().newWatchService();
    this.file.getParent().register(watch,
        StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    this.thread = new Thread(this::loop, "fleetrun-config-watch");
    thread.setDaemon(true);
  }

  /**
   * Starts watching {@code file}.
   *
   * @throws IOException when its folder cannot be watched
   */
  static ConfigWatcher start(Path file, Duration debounce, Runnable onChange) throws IOException {
    ConfigWatcher watcher = new ConfigWatcher(file, debounce, onChange);
    watcher.thread.start();
    log.info("watching {} for changes", watcher.file);
    return watcher;
  }

  private void loop() {
    Path name = file.getFileName();
    try {
      while (true) {
        WatchKey key = watch.take();
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
          // OVERFLOW: events were lost, so the file may have changed.
          relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context());
        }
        if (relevant) {
          changed();
        }
        if (!key.reset()) {
          log.warn("{} can no longer be watched (its folder is gone); reload with SIGHUP", file);
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ClosedWatchServiceException e) {
      // close() ends the loop this way.
    }
  }

  /** (Re)starts the quiet period; the callback runs when it passes without another change. */
  private synchronized void changed() {
    if (closed) {
      return;
    }
    if (pending != null) {
      pending.cancel(false);
    }
    pending = debouncer.schedule(this::fire, debounce.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void fire() {
    try {
      onChange.run();
    } catch (RuntimeException e) {
      log.error("config reload after a change of {} failed", file, e);
    }
  }

  /**
   * Stops watching; a pending callback is dropped, one already running may finish (bounded
   * wait). Idempotent.
   */
  @Override
  public void close() {
    try {
      watch.close();
    } catch (IOException e) {
      log.debug("closing the watch service: {}", e.getMessage());
    }
    synchronized (this) {
      closed = true;
      if (pending != null) {
        pending.cancel(false);
      }
    }
    debouncer.shutdown();
    try {
      thread.join(Duration.ofSeconds(2).toMillis());
      debouncer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
