package io.fleetrun.exec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;

/**
 * What every run of one {@link MinaSshExecutor} shares: the client, the limits, one timer thread
 * for all timeouts, and a small pool that starts connections (host name lookup and key files can
 * block, which MINA's I/O threads must never do), which also checks kept connections before
 * reuse; and a small pool that looks host names up again for kept connections ({@link
 * Resolver}), apart so that a resolver that hangs holds no connect thread; and where connect times go.
 */
record ExecRuntime(
    SshClient client,
    AsyncPermits sessions,
    AsyncPermits handshakes,
    ScheduledExecutorService timer,
    Executor connectStarter,
    Credentials credentials,
    Duration connectTimeout,
    ExecutorTuning tuning,
    Clock clock,
    Set<MinaExecution> live,
    Resolver resolver,
    Executor lookups,
    AtomicReference<SshTimings> timings) {

  /** Looks a host name up: the JVM's resolver and its cache ({@link #SYSTEM}), or a test's. */
  interface Resolver {
    Resolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] lookup(String host) throws UnknownHostException;
  }
}
