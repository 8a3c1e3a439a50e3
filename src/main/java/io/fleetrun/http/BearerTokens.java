package io.fleetrun.http;

import io.fleetrun.model.HttpSettings;
import io.fleetrun.model.HttpSettings.Role;
import io.fleetrun.model.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The bearer tokens the server takes, kept as SHA-256 digests: a presented token is hashed and
 * compared with every digest by {@link MessageDigest#isEqual}, so neither its length nor the
 * position of its first wrong byte shows in the time an answer takes. Values are read once, when
 * the server starts; nothing here logs or prints one.
 */
final class BearerTokens {
  /** Shortest token taken: shorter ones could be guessed. */
  static final int MIN_LENGTH = 16;
  private static final String SCHEME = "bearer ";

  /**
   * Who a request is from: the name of the token it presented (empty when no token is configured:
   * an anonymous reader) and that token's role.
   */
  record Caller(Optional<String> token, Role role) {
    /** Every request of a server without tokens. */
    static final Caller ANONYMOUS = new Caller(Optional.empty(), Role.READER);

    /** The token's name, or {@code anonymous}: for messages and log lines. */
    String name() {
      return token.orElse("anonymous");
    }
  }

  private record Known(byte[] digest, Caller caller) {}

  private final List<Known> known;
  private final boolean open;

  private BearerTokens(List<Known> known, boolean open) {
    this.known = List.copyOf(known);
    this.open = open;
  }

  /**
   * Reads the value of each token where its reference says.
   *
   * @throws IllegalStateException naming the token (never its value) when one cannot be read, is
   *     shorter than {@value #MIN_LENGTH} characters, or has the value of another token
   */
  static BearerTokens read(List<HttpSettings.Token> tokens, Function<String, String> environment) {
    List<Known> known = new ArrayList<>();
    for (HttpSettings.Token t : tokens) {
      String value;
      try {
        value = Secrets.read(t.secret(), environment, "token file").strip();
      } catch (Secrets.UnavailableException e) {
        throw new IllegalStateException("http token " + t.name() + ": " + e.getMessage());
      }
      if (value.length() < MIN_LENGTH) {
        throw new IllegalStateException("http token " + t.name() + " (" + t.secret() + ") is "
            + (value.isEmpty() ? "empty" : "shorter than " + MIN_LENGTH + " characters")
            + "; make one with: openssl rand -hex 32");
      }
      byte[] digest = sha256(value);
      for (Known k : known) {
        if (MessageDigest.isEqual(k.digest(), digest)) {
          throw new IllegalStateException("http tokens " + k.caller().name() + " and " + t.name()
              + " have the same value; give each its own");
        }
      }
      known.add(new Known(digest, new Caller(Optional.of(t.name()), t.role())));
    }
    return new BearerTokens(known, tokens.isEmpty());
  }

  /**
   * No token is configured (allowed on loopback only): every request is a reader, named {@code
   * anonymous}.
   */
  boolean open() {
    return open;
  }

  /**
   * The caller an {@code Authorization} header names: empty when it is missing, not {@code
   * Bearer <token>}, or a token not configured.
   */
  Optional<Caller> caller(String authorization) {
    if (open) {
      return Optional.of(Caller.ANONYMOUS);
    }
    if (authorization == null || authorization.length() <= SCHEME.length()
        || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return Optional.empty();
    }
    String presented = authorization.substring(SCHEME.length()).strip();
    if (presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = sha256(presented);
    Caller match = null;
    for (Known k : known) { // every digest is compared, a match or not
      if (MessageDigest.isEqual(k.digest(), digest)) {
        match = k.caller();
      }
    }
    return Optional.ofNullable(match);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
