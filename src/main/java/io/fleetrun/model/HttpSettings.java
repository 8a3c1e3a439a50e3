package io.fleetrun.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The daemon's HTTP server ({@code http:} in config): where it listens and the bearer tokens it
 * accepts. It holds where each token is read from, never a token: safe to log and to print.
 *
 * @param host the address to bind (an IP literal or a name; {@code localhost} is loopback)
 * @param port the TCP port; 0 picks a free one (tests)
 * @param tokens the accepted tokens; none means the API is open to whoever reaches the address,
 *     which config allows on a loopback address only
 * @param metricsPublic whether {@code GET /metrics} is served without a token
 */
public record HttpSettings(String host, int port, List<Token> tokens, boolean metricsPublic) {
  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /** What a token may do. */
  public enum Role {
    /** Reads everything. */
    READER("reader"),
    /** Reads everything and also runs and stops (routes that come with a later version). */
    OPERATOR("operator");

    private final String configName;

    Role(String configName) {
      this.configName = configName;
    }

    /** The word used in config: {@code reader} or {@code operator}. */
    public String configName() {
      return configName;
    }

    /** Whether a holder of this role may use a route that needs {@code needed}. */
    public boolean covers(Role needed) {
      return compareTo(needed) >= 0;
    }

    public static java.util.Optional<Role> fromConfigName(String name) {
      return java.util.Arrays.stream(values()).filter(r -> r.configName.equals(name)).findFirst();
    }
  }

  /**
   * One bearer token: its name (in logs, never the value), its role and where its value is read
   * from when the server starts.
   */
  public record Token(String name, Role role, SecretRef secret) {
    public Token {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(secret, "secret");
    }
  }

  public HttpSettings {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535: " + port);
    }
    tokens = List.copyOf(tokens);
  }

  /** Settings whose {@code /metrics} needs a token. */
  public HttpSettings(String host, int port, List<Token> tokens) {
    this(host, port, tokens, false);
  }

  /** {@code host:port}, IPv6 literals in brackets: {@code [::1]:8620}. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Whether {@link #host} is a loopback address. */
  public boolean loopback() {
    return isLoopback(host);
  }

  /**
   * Whether {@code host} is a loopback address: {@code localhost}, an IPv4 literal in
   * 127.0.0.0/8, or the IPv6 loopback {@code ::1} (any spelling). Any other name is not, without
   * asking DNS: what a name resolves to may change after validation.
   */
  public static boolean isLoopback(String host) {
    String h = host.trim();
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!IPV4.matcher(h).matches() && !IPV6.matcher(h).matches()) {
      return false; // a name: never resolved here
    }
    try {
      // An IP literal: parsed, not looked up.
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
