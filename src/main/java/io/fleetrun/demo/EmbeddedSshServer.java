package io.fleetrun.demo;

import io.fleetrun.store.PrivateFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.shell.ProcessShellFactory;

/**
 * A small SSH server on 127.0.0.1 for {@code fleetrun demo} and for tests: a fresh ed25519 host
 * key, a fresh ed25519 client key written to a folder in OpenSSH format (with a known_hosts file
 * that trusts the host key), public-key auth for that client key only (plus, if given, one
 * password for any user), and exec requests run as real {@code /bin/sh -c <command>} processes of
 * the JVM's user.
 */
public final class EmbeddedSshServer implements AutoCloseable {
  /** File names written to the folder given to {@link #start}. */
  public static final String CLIENT_KEY = "id_ed25519";
  public static final String KNOWN_HOSTS = "known_hosts";

  private final SshServer server;
  private final Path clientKey;
  private final Path knownHosts;
  private final PublicKey hostKey;

  private EmbeddedSshServer(SshServer server, Path clientKey, Path knownHosts, PublicKey hostKey) {
    this.server = server;
    this.clientKey = clientKey;
    this.knownHosts = knownHosts;
    this.hostKey = hostKey;
  }

  /** Starts a server on a free port of 127.0.0.1 that accepts only the client key. */
  public static EmbeddedSshServer start(Path dir) throws IOException {
    return start(dir, 0, Optional.empty());
  }

  /**
   * Starts a server on {@code port} of 127.0.0.1 (0: any free port).
   *
   * @param dir folder that receives {@value #CLIENT_KEY}, its {@code .pub} and
   *     {@value #KNOWN_HOSTS}; created if missing
   * @param password if present, also accepted as the password of any user
   */
  public static EmbeddedSshServer start(Path dir, int port, Optional<String> password)
      throws IOException {
    Objects.requireNonNull(password, "password");
    PrivateFiles.createFolders(dir);
    KeyPair hostKeys = generateEd25519();
    KeyPair clientKeys = generateEd25519();
    Path clientKey = writePrivateKey(clientKeys, dir.resolve(CLIENT_KEY));
    Files.writeString(dir.resolve(CLIENT_KEY + ".pub"),
        PublicKeyEntry.toString(clientKeys.getPublic()) + " fleetrun-demo\n");

    SshServer server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(port);
    server.setKeyPairProvider(KeyPairProvider.wrap(hostKeys));
    server.setPublickeyAuthenticator(
        (user, key, session) -> KeyUtils.compareKeys(clientKeys.getPublic(), key));
    password.ifPresent(secret ->
        server.setPasswordAuthenticator((user, offered, session) -> secret.equals(offered)));
    // MINA's default command factory splits on spaces; fleetrun's wrapper needs a real shell.
    server.setCommandFactory((channel, command) ->
        new ProcessShellFactory(command, List.of("/bin/sh", "-c", command)).createShell(channel));
    EmbeddedSshServer embedded =
        new EmbeddedSshServer(server, clientKey, dir.resolve(KNOWN_HOSTS), hostKeys.getPublic());
    server.start();
    String hostKeyEntry = PublicKeyEntry.toString(hostKeys.getPublic());
    Files.writeString(
        embedded.knownHosts, "[127.0.0.1]:" + server.getPort() + " " + hostKeyEntry + "\n");
    return embedded;
  }

  /**
   * Writes a new ed25519 key pair in OpenSSH format (owner read/write only) to {@code file}, for
   * a client key or for a second key that the server must refuse.
   */
  public static Path writeNewKey(Path file) throws IOException {
    return writePrivateKey(generateEd25519(), file);
  }

  public int port() {
    return server.getPort();
  }

  /** The client's private key (OpenSSH format). */
  public Path clientKey() {
    return clientKey;
  }

  /** A known_hosts file with the line {@code [127.0.0.1]:PORT ssh-ed25519 ...}. */
  public Path knownHosts() {
    return knownHosts;
  }

  public PublicKey hostKey() {
    return hostKey;
  }

  @Override
  public void close() {
    try {
      server.stop(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeyPair generateEd25519() throws IOException {
    try {
      return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot generate an ed25519 key (is BouncyCastle missing?)", e);
    }
  }

  private static Path writePrivateKey(KeyPair keys, Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(
          keys, "fleetrun-demo", (OpenSSHKeyEncryptionContext) null, out);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write private key " + file, e);
    }
    return file;
  }
}
