package io.fleetrun.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** Finds the known word an operator probably meant when they typed an unknown one. */
final class Suggest {
  private Suggest() {}

  /** The candidate closest to {@code word}, if it is close enough to be a likely typo. */
  static Optional<String> closest(String word, Collection<String> candidates) {
    String w = word.toLowerCase(Locale.ROOT);
    int allowed = Math.min(2, Math.max(1, w.length() / 3));
    return candidates.stream()
        .filter(c -> distance(w, c.toLowerCase(Locale.ROOT)) <= allowed)
        .min(Comparator.comparingInt(c -> distance(w, c.toLowerCase(Locale.ROOT))));
  }

  /** {@code " (did you mean 'x'?)"}, or nothing. */
  static String didYouMean(String word, Collection<String> candidates) {
    return closest(word, candidates).map(c -> " (did you mean '" + c + "'?)").orElse("");
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
