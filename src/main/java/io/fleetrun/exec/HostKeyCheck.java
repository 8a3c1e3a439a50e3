package io.fleetrun.exec;

import io.fleetrun.model.ErrorCode;
import io.fleetrun.model.HostKeyPolicy;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host key verification by {@link HostKeyPolicy} against an OpenSSH known_hosts file (hashed
 * entries and {@code [host]:port} included, as MINA's {@link KnownHostsServerKeyVerifier} reads
 * them). A rejection is recorded on the session, because MINA only reports a failed key exchange;
 * {@link #rejection} lets the run tell an unknown key from a changed one.
 */
final class HostKeyCheck {
  private static final Logger LOG = LoggerFactory.getLogger(HostKeyCheck.class);
  private static final AttributeKey<ErrorCode> REJECTION = new AttributeKey<>();

  private HostKeyCheck() {}

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
        return new PolicyVerifier(knownHosts, true);
      case STRICT:
      default:
        return new PolicyVerifier(knownHosts, false);
    }
  }

  /** Why the host key of {@code session} was refused, if it was. */
  static Optional<ErrorCode> rejection(ClientSession session) {
    return session == null
        ? Optional.empty()
        : Optional.ofNullable(session.getAttribute(REJECTION));
  }

  private static final class PolicyVerifier extends KnownHostsServerKeyVerifier {
    private final boolean acceptNew;

    PolicyVerifier(Path knownHosts, boolean acceptNew) {
      // The delegate decides about unknown keys: MINA then appends accepted ones to the file.
      super((session, address, key) -> acceptNew, knownHosts);
      this.acceptNew = acceptNew;
    }

    @Override
    protected boolean acceptUnknownHostKey(
        ClientSession session, SocketAddress address, PublicKey key) {
      if (!acceptNew) {
        session.setAttribute(REJECTION, ErrorCode.HostKeyUnknown);
        return false;
      }
      LOG.info(
          "adding {} key {} of {} to {}",
          KeyUtils.getKeyType(key), KeyUtils.getFingerPrint(key), address, getPath());
      return super.acceptUnknownHostKey(session, address, key);
    }

    @Override
    public boolean acceptModifiedServerKey(
        ClientSession session,
        SocketAddress address,
        KnownHostEntry entry,
        PublicKey expected,
        PublicKey actual) {
      session.setAttribute(REJECTION, ErrorCode.HostKeyMismatch);
      return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress address, PublicKey key) {
      session.setAttribute(REJECTION, ErrorCode.HostKeyMismatch);
      super.handleRevokedKey(session, address, key);
    }
  }
}
