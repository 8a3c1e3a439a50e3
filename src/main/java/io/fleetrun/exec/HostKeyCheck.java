package io.fleetrun.exec;

import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.HostKeyPolicy;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host key verification by {@link HostKeyPolicy} against an OpenSSH known_hosts file (hashed
 * entries and {@code [host]:port} included), read by {@link KnownHostsFile}: a file that exists
 * but cannot be used refuses every key under every policy but {@code insecure}. A rejection is
 * recorded on the session with its reason, because MINA only reports a failed key exchange;
 * {@link #rejection} lets the run tell an unknown key from a changed one and say why.
 */
final class HostKeyCheck {
  private static final Logger LOG = LoggerFactory.getLogger(HostKeyCheck.class);
  private static final AttributeKey<Rejection> REJECTION = new AttributeKey<>();

  /**
   * Why a host key was refused.
   *
   * @param detail completes "host key of user@host:port ...", e.g. "differs from the one in ..."
   */
  record Rejection(ErrorCode code, String detail) {}

  /**
   * Whether connections opened earlier would still pass the host-key check: issue 7 wants
   * known_hosts to apply to every new run, not only to new connections.
   */
  interface Trust {
    /** What the check depends on now, cheap to get (known_hosts' inode, size, mtime). */
    Object stamp();

    /** Whether the host key {@code session} logged in with is accepted by the file as it is now. */
    boolean stillTrusted(ClientSession session);
  }

  private HostKeyCheck() {}

  /** The {@link Trust} that goes with {@link #verifier} of the same arguments. */
  static Trust trust(HostKeyPolicy policy, Path knownHosts) {
    if (policy == HostKeyPolicy.INSECURE) {
      return new Trust() {
        @Override
        public Object stamp() {
          return policy;
        }

        @Override
        public boolean stillTrusted(ClientSession session) {
          return true;
        }
      };
    }
    KnownHostsFile file = KnownHostsFile.of(knownHosts);
    return new Trust() {
      @Override
      public Object stamp() {
        return file.stamp();
      }

      @Override
      public boolean stillTrusted(ClientSession session) {
        PublicKey key = session.getServerKey();
        SocketAddress peer = session.getIoSession() == null
            ? null : session.getIoSession().getRemoteAddress();
        if (key == null || peer == null) {
          return false;
        }
        try {
          return file.check(identities(session, peer), key) == KnownHostsFile.Verdict.KNOWN;
        } catch (KnownHostsFile.Unusable e) {
          return false; // a new connection reports why
        }
      }
    };
  }

  /** The verifier for {@code policy}; known_hosts is read (and re-read when it changes) lazily. */
  static ServerKeyVerifier verifier(HostKeyPolicy policy, Path knownHosts) {
    switch (policy) {
      case INSECURE:
        return (session, address, key) -> {
          LOG.warn(
              "host key policy is insecure: accepting {} key {} of {} without checking",
              KeyUtils.getKeyType(key), KeyUtils.getFingerPrint(key), address);
          return true;
        };
      case ACCEPT_NEW:
        return new PolicyVerifier(KnownHostsFile.of(knownHosts), true);
      case STRICT:
      default:
        return new PolicyVerifier(KnownHostsFile.of(knownHosts), false);
    }
  }

  /** Why the host key of {@code session} was refused, if it was. */
  static Optional<Rejection> rejection(ClientSession session) {
    return session == null
        ? Optional.empty()
        : Optional.ofNullable(session.getAttribute(REJECTION));
  }

  /**
   * The names the host is known by: the address fleetrun connected to (the configured host
   * name) and the peer's IP address, as MINA's own verifier matched them (no DNS lookups).
   */
  private static Collection<SshdSocketAddress> identities(
      ClientSession session, SocketAddress address) {
    Collection<SshdSocketAddress> ids = new TreeSet<>(SshdSocketAddress.BY_HOST_AND_PORT);
    ids.add(SshdSocketAddress.toSshdSocketAddress(address));
    SocketAddress connect = session.getConnectAddress();
    if (connect != null) {
      ids.add(SshdSocketAddress.toSshdSocketAddress(connect));
    }
    return ids;
  }

  private static final class PolicyVerifier implements ServerKeyVerifier {
    private final KnownHostsFile file;
    private final boolean acceptNew;

    PolicyVerifier(KnownHostsFile file, boolean acceptNew) {
      this.file = file;
      this.acceptNew = acceptNew;
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress address, PublicKey key) {
      Collection<SshdSocketAddress> identities = identities(session, address);
      String fingerprint = KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
      try {
        KnownHostsFile.Verdict verdict = file.check(identities, key);
        boolean certificate = key instanceof OpenSshCertificate;
        if (verdict == KnownHostsFile.Verdict.UNKNOWN && acceptNew && !certificate) {
          boolean existed = file.exists();
          verdict = file.addIfUnknown(identities, key);
          if (verdict == KnownHostsFile.Verdict.UNKNOWN) {
            LOG.info("{} {} key {} of {} to {}", existed ? "adding" : "creating with",
                KeyUtils.getKeyType(key), KeyUtils.getFingerPrint(key), address, file.path());
            return true;
          }
        }
        switch (verdict) {
          case KNOWN:
            return true;
          case UNKNOWN:
            return reject(session, ErrorCode.HostKeyUnknown, "(" + fingerprint + ") is not in "
                + (file.exists() ? "known_hosts file " : "known_hosts file (missing) ")
                + file.path());
          case REVOKED:
            return reject(session, ErrorCode.HostKeyMismatch,
                "(" + fingerprint + ") is marked @revoked in " + file.path());
          case CHANGED:
          default:
            return reject(session, ErrorCode.HostKeyMismatch, "(" + fingerprint
                + ") differs from the one in known_hosts file " + file.path());
        }
      } catch (KnownHostsFile.Unusable e) {
        LOG.warn("refusing host key of {}: {}", address, e.getMessage());
        return reject(session, ErrorCode.HostKeyUnknown, "cannot be checked: " + e.getMessage());
      }
    }

    private static boolean reject(ClientSession session, ErrorCode code, String detail) {
      session.setAttribute(REJECTION, new Rejection(code, detail));
      return false;
    }
  }
}
