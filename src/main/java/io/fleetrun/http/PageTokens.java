package io.fleetrun.http;

import io.fleetrun.model.InstanceId;
import io.fleetrun.model.InvokeId;
import io.fleetrun.store.InvocationPageFilter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * The {@code nextToken} of a page: the sort key of the page's last row, opaque to clients
 * (base64url of a short text with a kind prefix, so a token of one list is refused by another).
 * A token only says where the next page starts; any value a client forges reads at most rows
 * its token may read anyway, and a malformed one is a 400.
 */
final class PageTokens {
  private static final String INVOCATION = "i1";
  private static final String RECORD = "r1";
  private static final String INSTANCE = "n1";

  private PageTokens() {}

  static String invocation(InvocationPageFilter.Position p) {
    return encode(INVOCATION + "|" + p.createdAt() + "|" + p.invokeId().value());
  }

  static InvocationPageFilter.Position invocation(String token) {
    String[] parts = decode(token, INVOCATION, 3);
    try {
      return new InvocationPageFilter.Position(Instant.parse(parts[1]), new InvokeId(parts[2]));
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw bad();
    }
  }

  static String record(long recordId) {
    return encode(RECORD + "|" + recordId);
  }

  static String instance(InstanceId id) {
    return encode(INSTANCE + "|" + id.value());
  }

  /** The record id a history page starts below. */
  static long recordBelow(String token) {
    String[] parts = decode(token, RECORD, 2);
    try {
      return Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      throw bad();
    }
  }

  /** The instance a latest-per-instance page starts after. */
  static InstanceId instanceAfter(String token) {
    String id = decode(token, INSTANCE, 2)[1];
    if (id.isBlank()) {
      throw bad();
    }
    return new InstanceId(id);
  }

  private static String encode(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String[] decode(String token, String kind, int parts) {
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw bad();
    }
    String[] split = text.split("\\|", -1);
    if (split.length != parts || !split[0].equals(kind) || split[parts - 1].isEmpty()) {
      throw bad();
    }
    return split;
  }

  private static ApiException bad() {
    return ApiException.badParameter("nextToken",
        "is not a token this list gave (pass nextToken back unchanged, with the same includeHistory)");
  }

}
