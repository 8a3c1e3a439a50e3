package io.fleetrun.exec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What may block before a run reuses a kept connection ({@link KeptConnectionRules}) runs on the
 * executor's connect threads, never on the caller's (the dispatcher's): looking the instance's
 * host name up again, and checking kept connections against a known_hosts that changed (it reads
 * the file once per change). The look-up itself runs on the executor's look-up threads and the
 * run waits for it at most {@code ssh.connectTimeout}: a resolver that hangs holds neither the
 * run nor the connect threads that every new connection needs.
 */
final class ReuseChecks {
  private static final Logger LOG = LoggerFactory.getLogger(ReuseChecks.class);

  private ReuseChecks() {}

  /**
   * Calls {@code next} with the host's addresses now (a host name) or none (a literal address,
   * or a name whose look-up failed or took longer than {@code ssh.connectTimeout}), on a connect
   * thread; or at once on this thread with none when nothing may block: a fresh connection is
   * wanted, no connection to the instance is kept, or the host is a literal address and
   * known_hosts did not change for its kept connections.
   *
   * @throws RejectedExecutionException when the executor is closed
   */
  static void beforeReuse(ExecRuntime rt, ConnectionPool pool, ExecutionRequest request,
      boolean fresh, Consumer<Optional<Set<InetAddress>>> next) {
    String host = request.instance().host();
    boolean lookUp = KeptConnectionRules.isHostName(host);
    if (fresh || !pool.keeps(request.instance())
        || (!lookUp && !pool.hostKeysChanged(request.instance()))) {
      next.accept(Optional.empty());
      return;
    }
    if (!lookUp) {
      rt.connectStarter().execute(() -> next.accept(Optional.empty()));
      return;
    }
    String label = request.label();
    AtomicBoolean decided = new AtomicBoolean();
    ScheduledFuture<?> timeout = rt.timer().schedule(() -> {
      if (decided.compareAndSet(false, true)) {
        LOG.info("{}: {} could not be looked up again within {} ms (ssh.connectTimeout); its kept"
            + " connection is reused", label, host, rt.connectTimeout().toMillis());
        goOn(rt, label, next, Optional.empty());
      }
    }, rt.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    try {
      rt.lookups().execute(() -> {
        if (decided.get()) {
          return; // its time ran out while it waited behind a look-up that hangs
        }
        Optional<Set<InetAddress>> found = addresses(rt, label, host, decided);
        if (decided.compareAndSet(false, true)) {
          timeout.cancel(false);
          goOn(rt, label, next, found);
        }
      });
    } catch (RejectedExecutionException e) {
      timeout.cancel(false);
      throw e;
    }
  }

  /** Hands {@code next} to a connect thread: neither the timer nor a look-up thread may wait. */
  private static void goOn(ExecRuntime rt, String label,
      Consumer<Optional<Set<InetAddress>>> next, Optional<Set<InetAddress>> addresses) {
    try {
      rt.connectStarter().execute(() -> next.accept(addresses));
    } catch (RejectedExecutionException e) {
      // The executor is closing: its close() ends the run.
      LOG.debug("{}: the SSH executor closed during the host name look-up", label);
    }
  }

  /**
   * The addresses of {@code host} now; empty (as if not looked up) when the look-up fails: Java
   * cannot tell a name that was removed from a resolver that is down, and a DNS outage must not
   * retire every kept connection to a host name (a new connection could not even be opened then).
   * A removed name's connection still goes at {@code ssh.connectionLifetime}.
   *
   * @param late true once the run went on without this look-up (then a failure is not news)
   */
  private static Optional<Set<InetAddress>> addresses(ExecRuntime rt, String label, String host,
      AtomicBoolean late) {
    try {
      return Optional.of(Set.copyOf(Arrays.asList(rt.resolver().lookup(host))));
    } catch (UnknownHostException e) {
      if (!late.get()) {
        LOG.info("{}: {} could not be looked up again ({}); its kept connection is reused", label,
            host, e.getMessage());
      }
      return Optional.empty();
    }
  }
}
