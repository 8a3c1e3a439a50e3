package io.fleetrun.exec;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * When a kept connection stops taking new runs although it is alive: what it was made under no
 * longer holds. It is older than {@code ssh.connectionLifetime}; known_hosts changed and no longer
 * accepts the host key it logged in with (host-key checks apply to every new run, not only to new
 * connections); or its host is a name that now resolves to other addresses than the one it is
 * connected to. Such a connection is retired: it closes once its runs end.
 */
final class KeptConnectionRules {
  private final Duration lifetime;
  private final HostKeyCheck.Trust trust;
  private final Clock clock;

  KeptConnectionRules(Duration lifetime, HostKeyCheck.Trust trust, Clock clock) {
    this.lifetime = lifetime;
    this.trust = trust;
    this.clock = clock;
  }

  Instant now() {
    return clock.instant();
  }

  /** Whether a connection that started opening at {@code opened} is too old for a new run. */
  boolean expired(Instant opened, Instant now) {
    return !now.isBefore(opened.plus(lifetime));
  }

  /** How long a connection that started opening at {@code opened} may still take runs. */
  Duration lifeLeft(Instant opened, Instant now) {
    Duration left = Duration.between(now, opened.plus(lifetime));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** What the host-key check depends on now; cheap (a stat of known_hosts). */
  Object hostKeysNow() {
    return trust.stamp();
  }

  /** Whether known_hosts as it is now still accepts the host key of {@code session}; reads it. */
  boolean stillTrusted(ClientSession session) {
    return trust.stillTrusted(session);
  }

  /**
   * Why a connection that started opening at {@code opened}, checked against known_hosts
   * {@code checkedUnder}, connected to {@code peer}, takes no new run; empty when it may.
   *
   * @param addresses what its host name resolves to now; empty when not looked up (a literal
   *     address, or no need)
   */
  Optional<String> unfit(Instant opened, Object checkedUnder, Optional<InetAddress> peer,
      Instant now, Object hostKeys, Optional<Set<InetAddress>> addresses) {
    if (expired(opened, now)) {
      return Optional.of("it is older than ssh.connectionLifetime " + lifetime);
    }
    if (!checkedUnder.equals(hostKeys)) {
      return Optional.of("known_hosts changed since its host key was checked");
    }
    if (addresses.isPresent() && peer.isPresent() && !addresses.get().contains(peer.get())) {
      return Optional.of("its host name no longer resolves to " + peer.get().getHostAddress());
    }
    return Optional.empty();
  }

  /** The address {@code session} is connected to. */
  static Optional<InetAddress> peer(ClientSession session) {
    SocketAddress remote = session.getIoSession() == null
        ? null : session.getIoSession().getRemoteAddress();
    return remote instanceof InetSocketAddress inet && inet.getAddress() != null
        ? Optional.of(inet.getAddress()) : Optional.empty();
  }

  /** Whether {@code host} is a name (looked up by DNS), not a literal IPv4 or IPv6 address. */
  static boolean isHostName(String host) {
    return !SshdSocketAddress.isIPv4Address(host) && !SshdSocketAddress.isIPv6Address(host);
  }
}
