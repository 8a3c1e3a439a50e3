package io.fleetrun.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A request's JSON body read strictly into a record: {@code Content-Type: application/json}
 * (415 otherwise), at most {@value #MAX_BYTES} bytes (413), well-formed JSON (400), no field the
 * record lacks, no field twice, and no value of another type turned into the field's (a number
 * for a string, a string for an array): each is a 400 naming the field, as {@code
 * InvalidParameter.<field>}.
 */
final class JsonBody {
  /** The largest body taken: a run names at most a few hundred instances and parameters. */
  static final int MAX_BYTES = 64 * 1024;

  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .withCoercionConfigDefaults(c -> c.setAcceptBlankAsEmpty(false)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.String, CoercionAction.TryConvert)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.TryConvert)
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .build();

  private JsonBody() {}

  /**
   * The body of {@code ctx} as a {@code type}; an empty body (no bytes at all) reads as {@code
   * {}} when {@code emptyIsObject}, for a route whose every field may be left out.
   *
   * @throws ApiException 413, 415 or 400 as the class says
   */
  static <T> T read(Context ctx, Class<T> type, boolean emptyIsObject) {
    byte[] bytes = bytes(ctx);
    if (bytes.length == 0 && emptyIsObject) {
      bytes = "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    } else {
      String contentType = ctx.header("Content-Type");
      if (contentType == null
          || !contentType.strip().toLowerCase(Locale.ROOT).matches("application/json\\s*(;.*)?")) {
        throw new ApiException(415, "UnsupportedMediaType", "the body must be JSON, sent as Content-Type: application/json");
      }
    }
    try {
      T value = STRICT.readValue(bytes, type);
      if (value == null) {
        throw new ApiException(400, "MalformedJson", "the body must be a JSON object, not null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw field(e, "is not known here; known: " + e.getKnownPropertyIds().stream()
          .map(String::valueOf).sorted().collect(Collectors.joining(", ")));
    } catch (MismatchedInputException e) {
      if (e.getPath().isEmpty()) {
        throw new ApiException(400, "MalformedJson", "the body must be a JSON object");
      }
      throw field(e, "must be " + shape(e.getTargetType()));
    } catch (JsonMappingException e) {
      throw e.getPath().isEmpty() ? malformed(e) : field(e, "is not valid: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body's bytes, refused (413) past {@link #MAX_BYTES}, whatever Content-Length says. */
  private static byte[] bytes(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_BYTES) {
      throw tooLarge();
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw new ApiException(400, "MalformedJson", "the body could not be read: " + e.getMessage());
    }
  }

  private static ApiException tooLarge() {
    return new ApiException(413, "RequestTooLarge", "the body is larger than " + MAX_BYTES + " bytes");
  }

  private static ApiException malformed(JsonProcessingException e) {
    String where = e.getLocation() == null ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    return new ApiException(400, "MalformedJson", "the body is not valid JSON" + where + ": "
        + Guard.printable(e.getOriginalMessage()));
  }

  /** 400 for the field at the top of {@code e}'s path, the message naming its whole path. */
  private static ApiException field(JsonMappingException e, String what) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      }
    }
    String top = e.getPath().get(0).getFieldName();
    String name = Guard.printable(top == null ? "body" : top);
    return new ApiException(400, "InvalidParameter." + name, "field " + Guard.printable(path.toString()) + " " + what);
  }

  private static String shape(Class<?> type) {
    if (type == null) {
      return "of another type";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "an array of strings";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "an object of strings";
    }
    return type == String.class ? "a string" : "a " + type.getSimpleName();
  }
}
