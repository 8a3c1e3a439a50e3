package io.fleetrun.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;

/** The JSON text of stored parameter maps and request payloads. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private Json() {}

  /** {@code values} as a JSON object, keys sorted so equal maps give equal text. */
  static String write(Map<String, String> values) {
    try {
      return MAPPER.writeValueAsString(new TreeMap<>(values));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings is always JSON", e);
    }
  }

  static Map<String, String> readStringMap(String json) {
    try {
      return MAPPER.readValue(json, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is not a map of strings: " + e.getOriginalMessage(), e);
    }
  }
}
