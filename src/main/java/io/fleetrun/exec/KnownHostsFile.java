package io.fleetrun.exec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * An OpenSSH known_hosts file, read strictly: a file that exists but cannot be read, is not
 * UTF-8 text, or holds one line that is not a known_hosts entry is {@link Unusable}, never an
 * empty list (MINA's own verifier logs such problems and carries on with what it could read,
 * which under accept-new meant accepting and appending any key). There is one instance per file
 * in the JVM ({@link #of}); it serializes check-and-append with a lock of its own plus a
 * {@link FileChannel#lock() file lock}, so that neither two runs of this daemon nor another
 * fleetrun process append a first key twice. Parsed contents are reused while the file's size,
 * modification time and inode stay the same, with plain host names indexed ({@link
 * KnownHostsIndex}) so that a check looks at the lines that may match, not at all of them.
 */
final class KnownHostsFile {
  private static final Map<Path, KnownHostsFile> FILES = new ConcurrentHashMap<>();
  private static final Set<String> MARKERS = Set.of("revoked", "cert-authority");
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /** What the file says about one host key. */
  enum Verdict { KNOWN, UNKNOWN, CHANGED, REVOKED }

  /** The file exists but fleetrun cannot use it; the message names the file and the reason. */
  static final class Unusable extends Exception {
    Unusable(String message) {
      super(message);
    }
  }

  /** One parsed line: its number, MINA's entry, and the key it holds. */
  record Entry(int line, KnownHostEntry entry, PublicKey key) {}

  private record Stamp(Object fileKey, long size, FileTime modified) {}

  private record Cached(Stamp stamp, KnownHostsIndex entries) {}

  private final Path path;
  private final ReentrantLock appendLock = new ReentrantLock();
  private volatile Cached cached;
  /** The stamp after each append of ours, mapped to the stamp the file had before them all. */
  private final Map<Object, Object> ownAppends = new ConcurrentHashMap<>();
  /** Test hook: runs inside {@link #addIfUnknown}, after its first look at the file. */
  volatile Runnable beforeAppend = () -> {};

  private KnownHostsFile(Path path) {
    this.path = path;
  }

  /** The one instance for {@code path} in this JVM. */
  static KnownHostsFile of(Path path) {
    return FILES.computeIfAbsent(path.toAbsolutePath().normalize(), KnownHostsFile::new);
  }

  Path path() {
    return path;
  }

  /** Whether the file exists (as anything: a folder in its place is {@link Unusable} later). */
  boolean exists() {
    return Files.exists(path);
  }

  /**
   * What identifies the file's content now without reading it, up to this daemon's own appends:
   * inode, size and modification time, where a stamp after an append of ours stands for the
   * stamp before it (an accept-new line for a host unknown until then changes no verdict on any
   * other key). Equal stamps mean the same verdicts; a missing or unreadable file has its own.
   */
  Object stamp() {
    Object now = rawStamp();
    return ownAppends.getOrDefault(now, now);
  }

  private Object rawStamp() {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime());
    } catch (NoSuchFileException e) {
      return "missing";
    } catch (IOException e) {
      return "unreadable: " + e.getClass().getSimpleName();
    }
  }

  /** What the file says about {@code key} of a host known by any of {@code identities}. */
  Verdict check(Collection<SshdSocketAddress> identities, PublicKey key) throws Unusable {
    return verdict(entries().candidates(identities), identities, key);
  }

  /** The lines a check for {@code identities} looks at, for tests. */
  List<Entry> candidates(Collection<SshdSocketAddress> identities) throws Unusable {
    return entries().candidates(identities);
  }

  /**
   * Appends {@code key} for {@code identities} unless the file, re-read under the locks, knows
   * the host by now; returns {@link Verdict#UNKNOWN} when it appended, else what the file says.
   * Creates a missing file (0600) and its missing folders (0700).
   */
  Verdict addIfUnknown(Collection<SshdSocketAddress> identities, PublicKey key) throws Unusable {
    appendLock.lock();
    try {
      Object beforeRaw = rawStamp();
      Object before = ownAppends.getOrDefault(beforeRaw, beforeRaw);
      beforeAppend.run();
      createParents();
      try (FileChannel channel = FileChannel.open(path, Set.of(StandardOpenOption.CREATE,
              StandardOpenOption.READ, StandardOpenOption.WRITE), OWNER_ONLY_FILE);
          var lock = channel.lock()) {
        byte[] bytes = readAll(channel);
        Verdict verdict = verdict(parse(bytes), identities, key);
        if (verdict == Verdict.UNKNOWN) {
          boolean needsNewline = bytes.length > 0 && bytes[bytes.length - 1] != '\n';
          String line = (needsNewline ? "\n" : "") + line(identities, key) + "\n";
          byte[] appended = line.getBytes(StandardCharsets.UTF_8);
          channel.write(ByteBuffer.wrap(appended), bytes.length);
          channel.force(false);
          cached = null;
          Object after = rawStamp();
          if (appendedAlone(beforeRaw, bytes.length, appended.length, after)) {
            ownAppends.put(after, before);
          }
        }
        return verdict;
      }
    } catch (IOException e) {
      throw new Unusable("cannot add to " + describe(e));
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Whether the file went from {@code before} to {@code after} by our append of {@code appended}
   * bytes to the {@code read} bytes we read alone: same file (or one we created), no other edit
   * between. Otherwise (ssh-keygen -R moved a new file into place meanwhile, say) the new stamp
   * must not stand for the old one, or a kept connection would never be checked against it.
   */
  private static boolean appendedAlone(Object before, long read, long appended, Object after) {
    if (!(after instanceof Stamp a) || a.size() != read + appended) {
      return false;
    }
    if (before instanceof Stamp b) {
      return b.fileKey() != null && b.fileKey().equals(a.fileKey()) && b.size() == read;
    }
    return "missing".equals(before) && read == 0;
  }

  private KnownHostsIndex entries() throws Unusable {
    Stamp stamp;
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      if (attributes.isDirectory()) {
        throw new Unusable("known_hosts file " + path + " is a directory");
      }
      stamp = new Stamp(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
    } catch (NoSuchFileException e) {
      return KnownHostsIndex.NONE;
    } catch (IOException e) {
      throw new Unusable("cannot read " + describe(e));
    }
    Cached known = cached;
    if (known != null && known.stamp().equals(stamp)) {
      return known.entries();
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return KnownHostsIndex.NONE;
    } catch (IOException e) {
      throw new Unusable("cannot read " + describe(e));
    }
    KnownHostsIndex entries = KnownHostsIndex.of(parse(bytes));
    cached = new Cached(stamp, entries);
    return entries;
  }

  /** Every non-blank, non-comment line must be an entry with a key MINA can decode. */
  private List<Entry> parse(byte[] bytes) throws Unusable {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Unusable("known_hosts file " + path + " is not UTF-8 text");
    }
    List<Entry> entries = new ArrayList<>();
    int number = 0;
    for (String raw : text.split("\n", -1)) {
      number++;
      int comment = raw.indexOf(PublicKeyEntry.COMMENT_CHAR);
      String line = (comment < 0 ? raw : raw.substring(0, comment)).strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        KnownHostEntry entry = KnownHostEntry.parseKnownHostEntry(line);
        if (entry == null || entry.getKeyEntry() == null) {
          throw new IllegalArgumentException("no key");
        }
        if (entry.getMarker() != null && !MARKERS.contains(entry.getMarker())) {
          throw new IllegalArgumentException("unknown marker @" + entry.getMarker());
        }
        checkKeyBlob(entry.getKeyEntry());
        PublicKey key = entry.getKeyEntry()
            .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.UNSUPPORTED);
        entries.add(new Entry(number, entry, Objects.requireNonNull(key, "no key")));
      } catch (Exception e) {
        throw new Unusable("known_hosts file " + path + " line " + number
            + " is not a known_hosts entry (" + e.getMessage() + ")");
      }
    }
    return List.copyOf(entries);
  }

  /**
   * An OpenSSH key blob starts with its own type name; MINA keeps a key of a type it does not
   * know as an opaque one, so without this check any three words would pass as an entry.
   */
  private static void checkKeyBlob(PublicKeyEntry key) {
    byte[] data = key.getKeyData();
    String type = key.getKeyType();
    int length = data == null || data.length < 4 ? -1
        : ByteBuffer.wrap(data, 0, 4).getInt();
    if (length < 1 || length > data.length - 4
        || !type.equals(new String(data, 4, length, StandardCharsets.US_ASCII))) {
      throw new IllegalArgumentException("the key data is not a " + type + " key");
    }
  }

  /**
   * OpenSSH's rules, as MINA applied them: a matching {@code @revoked} line with this key
   * refuses it; a matching plain line with this key accepts it; a matching plain line with any
   * other key (of any type) means the key changed. Host certificates are never known here.
   * {@code entries} are all the file's entries or the {@link KnownHostsIndex#candidates} of {@code
   * identities}: the same verdict (each is still matched here, the same way).
   */
  static Verdict verdict(
      List<Entry> entries, Collection<SshdSocketAddress> identities, PublicKey key) {
    boolean otherKey = false;
    boolean same = false;
    for (Entry e : entries) {
      if (identities.stream().noneMatch(
          id -> e.entry().isHostMatch(id.getHostName(), id.getPort()))) {
        continue;
      }
      boolean equal = KeyUtils.compareKeys(e.key(), key);
      String marker = e.entry().getMarker();
      if ("revoked".equals(marker) && equal) {
        return Verdict.REVOKED;
      } else if (marker == null) {
        same |= equal;
        otherKey |= !equal;
      }
    }
    return same ? Verdict.KNOWN : otherKey ? Verdict.CHANGED : Verdict.UNKNOWN;
  }

  /** {@code [host]:port key} (plain {@code host} on port 22), one pattern per identity. */
  private static String line(Collection<SshdSocketAddress> identities, PublicKey key)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    for (SshdSocketAddress id : identities) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(KnownHostHashValue.createHostPattern(id.getHostName(), id.getPort()));
    }
    return PublicKeyEntry.appendPublicKeyEntry(sb.append(' '), key).toString();
  }

  private void createParents() throws IOException {
    Path parent = path.getParent();
    if (parent == null || Files.isDirectory(parent)) {
      return;
    }
    // Top-down, so every folder fleetrun creates is owner-only like OpenSSH's ~/.ssh.
    List<Path> missing = new ArrayList<>();
    for (Path p = parent; p != null && !Files.exists(p); p = p.getParent()) {
      missing.add(0, p);
    }
    for (Path p : missing) {
      try {
        Files.createDirectory(p, OWNER_ONLY_DIR);
      } catch (FileAlreadyExistsException e) {
        // created meanwhile by someone else: fine
      }
    }
  }

  private static byte[] readAll(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size > Integer.MAX_VALUE - 16) {
      throw new IOException("file too large");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    long position = 0;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position);
      if (read < 0) {
        break;
      }
      position += read;
    }
    return buffer.array();
  }

  private String describe(IOException e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (reason.startsWith(path.toString())) {
      reason = reason.substring(path.toString().length()).replaceFirst("^:\\s*", "");
    }
    return "known_hosts file " + path + ": " + (reason.isEmpty() ? e.getClass().getSimpleName()
        : reason);
  }
}
