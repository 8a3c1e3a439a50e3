package io.fleetrun.exec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What may block before a run reuses a kept connection ({@link KeptConnectionRules}) runs on the
 * executor's connect threads, never on the caller's (the dispatcher's): looking the instance's
 * host name up again (up to the resolver's timeout, as a new connection's own look-up), and
 * checking kept connections against a known_hosts that changed (~2.5 ms per connection with
 * 1,000 lines: MINA matches every entry).
 */
final class ReuseChecks {
  private static final Logger LOG = LoggerFactory.getLogger(ReuseChecks.class);

  private ReuseChecks() {}

  /**
   * Calls {@code next} with the host's addresses now (a host name) or none (a literal address),
   * on a connect thread; or at once on this thread with none when nothing may block: a fresh
   * connection is wanted, no connection to the instance is kept, or the host is a literal address
   * and known_hosts did not change for its kept connections.
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
    rt.connectStarter().execute(() -> next.accept(
        lookUp ? addresses(rt, request.label(), host) : Optional.empty()));
  }

  /**
   * The addresses of {@code host} now; empty (as if not looked up) when the look-up fails: Java
   * cannot tell a name that was removed from a resolver that is down, and a DNS outage must not
   * retire every kept connection to a host name (a new connection could not even be opened then).
   * A removed name's connection still goes at {@code ssh.connectionLifetime}.
   */
  private static Optional<Set<InetAddress>> addresses(ExecRuntime rt, String label, String host) {
    try {
      return Optional.of(Set.copyOf(Arrays.asList(rt.resolver().lookup(host))));
    } catch (UnknownHostException e) {
      LOG.info("{}: {} could not be looked up again ({}); its kept connection is reused", label, host,
          e.getMessage());
      return Optional.empty();
    }
  }
}
