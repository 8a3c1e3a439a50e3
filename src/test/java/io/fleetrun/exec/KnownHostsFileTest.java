package io.fleetrun.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostsFileTest {
  private static final List<SshdSocketAddress> HOST =
      List.of(new SshdSocketAddress("10.0.0.5", 2222));

  @TempDir Path dir;

  private static PublicKey newKey() throws Exception {
    return KeyUtils.generateKeyPair("ssh-ed25519", 256).getPublic();
  }

  @Test
  void aSecondFirstKeyThatDiffersFromTheOneJustAddedIsAChange() throws Exception {
    KnownHostsFile file = KnownHostsFile.of(dir.resolve("known_hosts"));
    PublicKey first = newKey();

    assertThat(file.addIfUnknown(HOST, first)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.addIfUnknown(HOST, newKey())).isEqualTo(KnownHostsFile.Verdict.CHANGED);
    assertThat(file.addIfUnknown(HOST, first)).isEqualTo(KnownHostsFile.Verdict.KNOWN);

    assertThat(Files.readAllLines(file.path()))
        .containsExactly("[10.0.0.5]:2222 " + PublicKeyEntry.toString(first));
  }

  @Test
  void theStampStaysThroughOwnAppendsAndMovesWithAnyOtherEdit() throws Exception {
    KnownHostsFile file = KnownHostsFile.of(dir.resolve("stamped"));
    Object missing = file.stamp();
    file.addIfUnknown(HOST, newKey());
    file.addIfUnknown(List.of(new SshdSocketAddress("10.0.0.6", 2222)), newKey());

    assertThat(file.stamp()).isEqualTo(missing); // accept-new changes no verdict on other keys

    Files.writeString(file.path(), "# edited\n" + Files.readString(file.path()));
    Object edited = file.stamp();
    assertThat(edited).isNotEqualTo(missing);
    file.addIfUnknown(List.of(new SshdSocketAddress("10.0.0.7", 2222)), newKey());
    assertThat(file.stamp()).isEqualTo(edited);
  }

  @Test
  void anEditThatComesWhileTheDaemonAppendsStillMovesTheStamp() throws Exception {
    KnownHostsFile file = KnownHostsFile.of(dir.resolve("raced"));
    PublicKey first = newKey();
    file.addIfUnknown(HOST, first);
    Object trusted = file.stamp(); // a kept connection to HOST was checked under this
    // ssh-keygen -R HOST (a new file moved into place) while the daemon appends another host.
    file.beforeAppend = () -> {
      file.beforeAppend = () -> {};
      try {
        Path edited = Files.writeString(dir.resolve("raced.new"), "# HOST removed\n");
        Files.move(edited, file.path(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };

    file.addIfUnknown(List.of(new SshdSocketAddress("10.0.0.6", 2222)), newKey());

    assertThat(file.check(HOST, first)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.stamp()).as("the removal must not pass for the daemon's own append").isNotEqualTo(trusted);
  }

  @Test
  void oneInstancePerFileWhateverThePathLooksLike() {
    assertThat(KnownHostsFile.of(dir.resolve("a/../known_hosts")))
        .isSameAs(KnownHostsFile.of(dir.resolve("known_hosts")));
  }

  @Test
  void revokedAndOtherHostsAndWellFormedUnsupportedKeys() throws Exception {
    PublicKey key = newKey();
    String entry = PublicKeyEntry.toString(key);
    // A well-formed key of a type MINA does not know is a valid line (OpenSSH may know it).
    String unsupported = "ssh-future@example.com " + java.util.Base64.getEncoder()
        .encodeToString(blob("ssh-future@example.com"));
    Path path = Files.writeString(dir.resolve("revoked"), "other.example " + entry + "\n"
        + "[10.0.0.5]:2222 " + unsupported + "\n@revoked [10.0.0.5]:2222 " + entry + "\n");
    KnownHostsFile file = KnownHostsFile.of(path);

    assertThat(file.check(HOST, key)).isEqualTo(KnownHostsFile.Verdict.REVOKED);
    assertThat(file.check(List.of(new SshdSocketAddress("other.example", 22)), key))
        .isEqualTo(KnownHostsFile.Verdict.KNOWN);
  }

  @Test
  void anUnknownMarkerIsABadLine() throws Exception {
    Path path = Files.writeString(dir.resolve("marker"),
        "@trusted host " + PublicKeyEntry.toString(newKey()) + "\n");

    assertThatThrownBy(() -> KnownHostsFile.of(path).check(HOST, newKey()))
        .isInstanceOf(KnownHostsFile.Unusable.class)
        .hasMessageContaining(path + " line 1")
        .hasMessageContaining("@trusted");
  }

  private static List<SshdSocketAddress> at(String host, int port) {
    return List.of(new SshdSocketAddress(host, port));
  }

  private Path write(String name, String... lines) throws IOException {
    return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  /** {@code |1|salt|hash} of {@code host} on {@code port}, as ssh-keygen -H writes it. */
  private static String hashed(String host, int port) throws Exception {
    byte[] salt = new byte[20];
    new java.security.SecureRandom().nextBytes(salt);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
    mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA1"));
    byte[] hash = mac.doFinal(KnownHostHashValue.createHostPattern(host, port)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    return "|1|" + b64.encodeToString(salt) + "|" + b64.encodeToString(hash);
  }

  @Test
  void aKeyListedForAnotherHostOrPortIsNeverTrusted() throws Exception {
    PublicKey web1 = newKey();
    PublicKey web1On2222 = newKey();
    PublicKey web2 = newKey();
    KnownHostsFile file = KnownHostsFile.of(write("others",
        "web-1.example,10.0.0.1 " + PublicKeyEntry.toString(web1),
        "[web-1.example]:2222 " + PublicKeyEntry.toString(web1On2222),
        "web-2.example " + PublicKeyEntry.toString(web2)));

    assertThat(file.check(at("web-1.example", 22), web1)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("10.0.0.1", 22), web1)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("web-1.example", 22), web2))
        .isEqualTo(KnownHostsFile.Verdict.CHANGED);
    assertThat(file.check(at("web-1.example", 22), web1On2222))
        .isEqualTo(KnownHostsFile.Verdict.CHANGED);
    assertThat(file.check(at("web-1.example", 2222), web1))
        .isEqualTo(KnownHostsFile.Verdict.CHANGED);
    assertThat(file.check(at("web-1.example", 2222), web1On2222))
        .isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("web-2.example", 2222), web2))
        .isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("web-1.example.evil", 22), web1))
        .isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("web-1", 22), web1)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    // Both names of one connection: the other name's key is still a change for this one.
    assertThat(file.check(List.of(new SshdSocketAddress("web-2.example", 22),
        new SshdSocketAddress("10.0.0.1", 22)), web2)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
  }

  @Test
  void aPortInBracketsMatchesThatPortOnly() throws Exception {
    PublicKey key = newKey();
    KnownHostsFile file = KnownHostsFile.of(write("ports",
        "[db.example]:2222 " + PublicKeyEntry.toString(key),
        "[app.example]:22 " + PublicKeyEntry.toString(key)));

    assertThat(file.check(at("db.example", 2222), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("db.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("db.example", 222), key)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("app.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("app.example", 2222), key))
        .isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
  }

  @Test
  void aNegatedPatternStillExcludesAndWildcardsStillMatch() throws Exception {
    PublicKey key = newKey();
    KnownHostsFile file = KnownHostsFile.of(write("negated",
        "!bad.example,*.example " + PublicKeyEntry.toString(key),
        "db-?.internal " + PublicKeyEntry.toString(key)));

    assertThat(file.check(at("good.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("bad.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("BAD.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("db-7.internal", 22), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("db-17.internal", 22), key))
        .isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
  }

  @Test
  void aHashedEntryStillMatchesItsHostOnly() throws Exception {
    PublicKey key = newKey();
    KnownHostsFile file = KnownHostsFile.of(write("hashed",
        hashed("web-1.example", 22) + " " + PublicKeyEntry.toString(key),
        hashed("web-2.example", 2222) + " " + PublicKeyEntry.toString(key)));

    assertThat(file.check(at("web-1.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("web-2.example", 2222), key))
        .isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("web-2.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("web-3.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("web-1.example", 22), newKey()))
        .isEqualTo(KnownHostsFile.Verdict.CHANGED);
  }

  @Test
  void aRevokedKeyIsRefusedWhateverOtherLinesOfItsHostSay() throws Exception {
    PublicKey key = newKey();
    PublicKey other = newKey();
    String entry = PublicKeyEntry.toString(key);
    KnownHostsFile file = KnownHostsFile.of(write("revoked-many",
        "web-1.example " + entry,
        "@revoked WEB-1.example " + entry,
        "web-2.example " + entry,
        "@revoked *.wild " + entry,
        "web-3.wild " + entry,
        "@revoked " + hashed("web-4.example", 22) + " " + entry,
        "web-4.example " + entry,
        "web-5.example " + entry,
        "@revoked web-5.example " + PublicKeyEntry.toString(other)));

    for (String host : List.of("web-1.example", "web-3.wild", "web-4.example")) {
      assertThat(file.check(at(host, 22), key)).as(host)
          .isEqualTo(KnownHostsFile.Verdict.REVOKED);
    }
    assertThat(file.check(at("web-2.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    // A revoked line of another key: this key stays known.
    assertThat(file.check(at("web-5.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
  }

  @Test
  void hostNamesMatchWhateverTheirCaseAsInOpenSsh() throws Exception {
    PublicKey key = newKey();
    KnownHostsFile file = KnownHostsFile.of(write("case",
        "WEB-1.Example " + PublicKeyEntry.toString(key),
        "[Db.EXAMPLE]:2222 " + PublicKeyEntry.toString(key),
        "kube.example " + PublicKeyEntry.toString(key)));

    for (String host : List.of("web-1.example", "WEB-1.EXAMPLE", "Web-1.example")) {
      assertThat(file.check(at(host, 22), key)).as(host).isEqualTo(KnownHostsFile.Verdict.KNOWN);
      assertThat(file.check(at(host, 22), newKey())).as(host)
          .isEqualTo(KnownHostsFile.Verdict.CHANGED);
    }
    assertThat(file.check(at("db.example", 2222), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
    assertThat(file.check(at("db.example", 22), key)).isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    // The Kelvin sign lower-cases to k in Java, not in OpenSSH or MINA: no match either way.
    assertThat(file.check(at("\u212Aube.example", 22), key))
        .isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
  }

  @Test
  void aCertAuthorityLineKeepsItsMeaning() throws Exception {
    PublicKey key = newKey();
    KnownHostsFile file = KnownHostsFile.of(write("ca",
        "@cert-authority web-1.example " + PublicKeyEntry.toString(key),
        "@cert-authority *.example " + PublicKeyEntry.toString(key)));

    // A plain host key signed by nobody is not known through a CA line, nor changed by it.
    assertThat(file.check(at("web-1.example", 22), key))
        .isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
    assertThat(file.check(at("web-2.example", 22), newKey()))
        .isEqualTo(KnownHostsFile.Verdict.UNKNOWN);
  }

  @Test
  void aCheckLooksOnlyAtItsHostsLinesAndThoseThatCannotBeIndexed() throws Exception {
    PublicKey key = newKey();
    String entry = PublicKeyEntry.toString(key);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      sb.append("web-").append(i).append(".example,10.0.").append(i / 250).append('.')
          .append(i % 250).append(' ').append(entry).append('\n');
    }
    sb.append("*.wild ").append(entry).append('\n');
    sb.append(hashed("web-7.example", 22)).append(' ').append(entry).append('\n');
    sb.append("@revoked [WEB-7.example]:22 ").append(entry).append('\n');
    KnownHostsFile file = KnownHostsFile.of(Files.writeString(dir.resolve("big"), sb));

    List<Integer> lines = file.candidates(List.of(new SshdSocketAddress("web-7.example", 22),
        new SshdSocketAddress("10.0.0.7", 22))).stream().map(KnownHostsFile.Entry::line).toList();

    assertThat(lines).containsExactly(8, 1001, 1002, 1003);
    assertThat(file.check(at("web-7.example", 22), key))
        .isEqualTo(KnownHostsFile.Verdict.REVOKED);
    assertThat(file.check(at("10.0.0.7", 22), key)).isEqualTo(KnownHostsFile.Verdict.KNOWN);
  }

  /** The index must give the verdict of a scan of every line, for any host, port and key. */
  @Test
  void theIndexGivesTheVerdictOfAFullScan() throws Exception {
    List<PublicKey> keys = List.of(newKey(), newKey(), newKey());
    List<String> hosts = List.of("web-1.example", "WEB-2.example", "[web-1.example]:2222",
        "web-3.example,10.0.0.3", "[10.0.0.4]:22", "*.wild", "!bad.wild,*.wild", "web-?.q",
        hashed("web-5.example", 22), hashed("web-1.example", 2222), "[::1]:2222",
        "Web-6.Example,[web-6.example]:2200", "10.0.0.3");
    List<String> markers = List.of("", "", "@revoked ", "", "@cert-authority ");
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      for (int k = 0; k < keys.size(); k++) {
        if ((i + k) % 2 == 0) {
          lines.add(markers.get((i + k) % markers.size()) + hosts.get(i) + " "
              + PublicKeyEntry.toString(keys.get(k)));
        }
      }
    }
    KnownHostsFile file = KnownHostsFile.of(write("mixed", lines.toArray(String[]::new)));
    List<KnownHostsFile.Entry> all = new java.util.ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      KnownHostEntry e = KnownHostEntry.parseKnownHostEntry(lines.get(i));
      all.add(new KnownHostsFile.Entry(i + 1, e, e.getKeyEntry().resolvePublicKey(null,
          java.util.Map.of(), PublicKeyEntryResolver.UNSUPPORTED)));
    }
    List<String> names = List.of("web-1.example", "WEB-1.EXAMPLE", "web-2.example",
        "web-3.example", "10.0.0.3", "10.0.0.4", "a.wild", "bad.wild", "BAD.WILD", "web-5.q",
        "web-5.example", "::1", "web-6.example", "nowhere.example");
    int compared = 0;
    for (String name : names) {
      for (int port : List.of(22, 0, 2222, 2200)) {
        for (String second : List.of("", "10.0.0.3", "web-6.example")) {
          List<SshdSocketAddress> ids = second.isEmpty() ? at(name, port)
              : List.of(new SshdSocketAddress(name, port), new SshdSocketAddress(second, 22));
          for (PublicKey key : keys) {
            assertThat(file.check(ids, key)).as("%s with key %d", ids, keys.indexOf(key))
                .isEqualTo(KnownHostsFile.verdict(all, ids, key));
            compared++;
          }
        }
      }
    }
    assertThat(compared).isEqualTo(names.size() * 4 * 3 * keys.size());
  }

  private static byte[] blob(String type) {
    byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return java.nio.ByteBuffer.allocate(4 + name.length + 8).putInt(name.length).put(name)
        .putInt(4).putInt(42).array();
  }
}
