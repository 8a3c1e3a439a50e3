package io.fleetrun.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The here-documents {@link PlaceholderContexts} meets: {@code <<[-] word} operators on a line,
 * then their bodies after the line's newline.
 */
final class HereDocuments {
  private final String s;
  private final List<HereDoc> pending = new ArrayList<>();

  private record HereDoc(String delimiter, boolean stripTabs) {}

  HereDocuments(String content) {
    this.s = content;
  }

  boolean pending() {
    return !pending.isEmpty();
  }

  /** Reads {@code <<[-] word} at {@code i}; a here-string {@code <<<} is skipped. */
  int operator(int i) {
    int j = i + 2;
    if (j < s.length() && s.charAt(j) == '<') {
      return j + 1;
    }
    boolean strip = j < s.length() && s.charAt(j) == '-';
    if (strip) {
      j++;
    }
    while (j < s.length() && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
      j++;
    }
    StringBuilder word = new StringBuilder();
    while (j < s.length() && " \t\n;&|<>()".indexOf(s.charAt(j)) < 0) {
      char w = s.charAt(j++);
      if (w != '\'' && w != '"' && w != '\\') {
        word.append(w);
      }
    }
    if (word.length() > 0) {
      pending.add(new HereDoc(word.toString(), strip));
    }
    return j;
  }

  /**
   * Skips the bodies of the pending here-documents, which start at {@code from}, and returns where
   * the script goes on.
   *
   * @param placeholderAt called at every index of a body: the end of the placeholder starting
   *     there (which it reports), or -1
   */
  int skipBodies(int from, IntUnaryOperator placeholderAt) {
    int pos = from;
    for (HereDoc doc : pending) {
      while (pos < s.length()) {
        int eol = s.indexOf('\n', pos);
        int lineEnd = eol < 0 ? s.length() : eol;
        String line = s.substring(pos, lineEnd);
        String compared = doc.stripTabs() ? line.replaceFirst("^\t+", "") : line;
        for (int k = pos; k < lineEnd; k++) {
          int end = placeholderAt.applyAsInt(k);
          if (end > 0) {
            k = end - 1;
          }
        }
        pos = lineEnd + 1;
        if (compared.equals(doc.delimiter())) {
          break;
        }
      }
    }
    pending.clear();
    return Math.min(pos, s.length());
  }
}
