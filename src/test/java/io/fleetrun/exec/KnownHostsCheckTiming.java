package io.fleetrun.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * How long one host-key check takes against a known_hosts of 1,000 plain lines (what
 * ssh-keyscan writes: {@code name,address key}), as every new connection makes it. A plain
 * timing loop, not a test: run its main by hand (see the commit that added it for figures).
 */
final class KnownHostsCheckTiming {
  private KnownHostsCheckTiming() {}

  public static void main(String[] args) throws Exception {
    int lines = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Path dir = Files.createTempDirectory("known-hosts-timing");
    Path file = dir.resolve("known_hosts");
    PublicKey key = KeyUtils.generateKeyPair("ssh-ed25519", 256).getPublic();
    String entry = PublicKeyEntry.toString(key);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      sb.append("web-").append(i).append(".example.com,10.0.").append(i / 250).append('.')
          .append(i % 250).append(' ').append(entry).append('\n');
    }
    Files.writeString(file, sb);
    KnownHostsFile known = KnownHostsFile.of(file);
    int last = lines - 1;
    List<SshdSocketAddress> ids = List.of(
        new SshdSocketAddress("web-" + last + ".example.com", 22),
        new SshdSocketAddress("10.0." + last / 250 + "." + last % 250, 22));
    for (int round = 0; round < 5; round++) {
      int checks = 2000;
      long start = System.nanoTime();
      for (int i = 0; i < checks; i++) {
        if (known.check(ids, key) != KnownHostsFile.Verdict.KNOWN) {
          throw new AssertionError("not known");
        }
      }
      double micros = (System.nanoTime() - start) / 1000.0 / checks;
      System.out.printf("%d lines: %.1f us per check%n", lines, micros);
    }
    Files.delete(file);
    Files.delete(dir);
  }
}
