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
 * Looks an instance's host name up again before a run may reuse a kept connection to it, so a
 * connection to an address the name no longer has takes no run ({@link KeptConnectionRules}).
 * A look-up can block up to the resolver's timeout, as a new connection's own would: it runs on
 * the executor's connect threads, never on the caller's (the dispatcher's).
 */
final class HostLookup {
  private static final Logger LOG = LoggerFactory.getLogger(HostLookup.class);

  private HostLookup() {}

  /**
   * Calls {@code next} with the host's addresses now, on a connect thread; or at once on this
   * thread with none when no look-up is needed: a fresh connection is wanted, the host is a
   * literal address, or no connection to the instance is kept.
   *
   * @throws RejectedExecutionException when the executor is closed
   */
  static void beforeReuse(ExecRuntime rt, ConnectionPool pool, ExecutionRequest request,
      boolean fresh, Consumer<Optional<Set<InetAddress>>> next) {
    String host = request.instance().host();
    if (fresh || !KeptConnectionRules.isHostName(host) || !pool.keeps(request.instance())) {
      next.accept(Optional.empty());
      return;
    }
    rt.connectStarter().execute(
        () -> next.accept(Optional.of(addresses(rt, request.label(), host))));
  }

  /** The addresses of {@code host} now; none when it does not resolve any more. */
  private static Set<InetAddress> addresses(ExecRuntime rt, String label, String host) {
    try {
      return Set.copyOf(Arrays.asList(rt.resolver().lookup(host)));
    } catch (UnknownHostException e) {
      LOG.debug("{}: {} does not resolve any more: {}", label, host, e.getMessage());
      return Set.of();
    }
  }
}
