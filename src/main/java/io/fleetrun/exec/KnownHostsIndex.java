package io.fleetrun.exec;

import io.fleetrun.exec.KnownHostsFile.Entry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.sshd.client.config.hosts.HostPatternValue;
import org.apache.sshd.client.config.hosts.HostPatternsHolder;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * The entries of one version of a known_hosts file ({@link KnownHostsFile}): those whose host
 * patterns are all plain names or {@code [name]:port} are indexed under each of them (host name
 * in lower case, port); hashed ones ({@code |1|salt|hash}) and those with a wildcard or a
 * negation ({@code *}, {@code ?}, {@code !}) can match names that cannot be listed, so every
 * check scans them. An entry is indexed under a name only after its own pattern was seen to
 * match that name, so no entry is missing from the candidates of a host it matches; {@link
 * KnownHostsFile#verdict} then applies the very rule of a full scan to each candidate.
 */
final class KnownHostsIndex {
  static final KnownHostsIndex NONE = new KnownHostsIndex(Map.of(), List.of());

  /** A host name as OpenSSH compares it (lower case), and a port (0 is 22). */
  record HostPort(String host, int port) {
    static HostPort of(String host, int port) {
      return new HostPort(asciiLowerCase(host), SshConstants.TO_EFFECTIVE_PORT.applyAsInt(port));
    }
  }

  private final Map<HostPort, List<Entry>> byHost;
  private final List<Entry> scanned;

  private KnownHostsIndex(Map<HostPort, List<Entry>> byHost, List<Entry> scanned) {
    this.byHost = byHost;
    this.scanned = scanned;
  }

  /** Indexes {@code entries} (all the lines of one version of the file). */
  static KnownHostsIndex of(List<Entry> entries) {
    Map<HostPort, List<Entry>> byHost = new HashMap<>();
    List<Entry> scanned = new ArrayList<>();
    for (Entry e : entries) {
      Optional<Set<HostPort>> hosts = plainHosts(e.entry());
      if (hosts.isEmpty()) {
        scanned.add(e);
      } else {
        hosts.get().forEach(h -> byHost.computeIfAbsent(h, k -> new ArrayList<>()).add(e));
      }
    }
    byHost.replaceAll((h, list) -> List.copyOf(list));
    return new KnownHostsIndex(Map.copyOf(byHost), List.copyOf(scanned));
  }

  /** The entries that may match a host known by any of {@code identities}, in file order. */
  List<Entry> candidates(Collection<SshdSocketAddress> identities) {
    Set<Entry> found = new TreeSet<>(Comparator.comparingInt(Entry::line));
    for (SshdSocketAddress id : identities) {
      found.addAll(byHost.getOrDefault(HostPort.of(id.getHostName(), id.getPort()), List.of()));
    }
    found.addAll(scanned);
    return List.copyOf(found);
  }

  /**
   * The names and ports {@code entry} can match, when its host patterns are all plain names or
   * {@code [name]:port}; empty when it is hashed, has a wildcard or a negation, or a pattern
   * does not match the name read from it (then it is scanned: never left out of a check).
   */
  private static Optional<Set<HostPort>> plainHosts(KnownHostEntry entry) {
    Collection<HostPatternValue> patterns = entry.getPatterns();
    String line = entry.getConfigLine();
    if (entry.getHashedEntry() != null || patterns == null || patterns.isEmpty()
        || line == null) {
      return Optional.empty();
    }
    if (line.startsWith("@")) { // the marker; MINA has split the line the same way
      line = line.substring(line.indexOf(' ') + 1).strip();
    }
    int end = line.indexOf(' ');
    String[] names = (end < 0 ? line : line.substring(0, end)).split(",", -1);
    if (names.length != patterns.size()) {
      return Optional.empty();
    }
    Set<HostPort> hosts = new HashSet<>();
    int i = 0;
    for (HostPatternValue pattern : patterns) {
      String name = names[i++];
      if (pattern.isNegated() || !HostPatternsHolder.isSpecificHostPattern(name)) {
        return Optional.empty();
      }
      String host = name;
      int port = 0;
      if (name.startsWith("[")) {
        int colon = name.lastIndexOf(':');
        if (colon < 2 || name.charAt(colon - 1) != ']') {
          return Optional.empty();
        }
        host = name.substring(1, colon - 1);
        try {
          port = Integer.parseInt(name.substring(colon + 1));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
      if (!HostPatternsHolder.isHostMatch(host, port, List.of(pattern))) {
        return Optional.empty();
      }
      hosts.add(HostPort.of(host, port));
    }
    return Optional.of(hosts);
  }

  /**
   * Lower case as OpenSSH lowers host names (ASCII letters only), as MINA's patterns compare them
   * (case-insensitive for ASCII only): names that differ only so share one index key.
   */
  private static String asciiLowerCase(String host) {
    if (host == null) {
      return "";
    }
    StringBuilder sb = null;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (sb == null) {
          sb = new StringBuilder(host);
        }
        sb.setCharAt(i, (char) (c + ('a' - 'A')));
      }
    }
    return sb == null ? host : sb.toString();
  }
}
