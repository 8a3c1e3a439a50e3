package io.fleetrun.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds placeholders that do not stand as a bare shell word. {@link ScriptTemplate#render} inserts
 * a value single-quoted, which keeps it literal only where the shell does quote removal on it:
 * inside {@code "…"}, {@code '…'}, a here-document body, a comment, after a backslash or a
 * {@code $}, the quotes are text and the value escapes.
 *
 * <p>A small POSIX quoting scanner, not a parser: it tracks quotes, {@code $( )}, {@code ${ }},
 * backquotes, comments and here-documents. Where it cannot tell, it errs on the side of reporting
 * (anything nested in double quotes or backquotes is reported, even inside {@code $( )}).
 */
final class PlaceholderContexts {
  private static final char TOP = 'T';
  private static final char SINGLE = '\'';
  private static final char DOUBLE = '"';
  private static final char SUBST = '(';
  private static final char PARAM = '{';
  private static final char BACK = '`';

  private final String s;
  private final Matcher placeholder;
  private final Deque<Character> stack = new ArrayDeque<>();
  private final List<HereDoc> pending = new ArrayList<>();
  private final Map<String, String> unsafe = new LinkedHashMap<>();

  private record HereDoc(String delimiter, boolean stripTabs) {}

  private PlaceholderContexts(String content, Pattern pattern) {
    this.s = content;
    this.placeholder = pattern.matcher(content);
    stack.push(TOP);
  }

  /** Unsafe placeholder names, in order of first unsafe use, each with where it stands. */
  static Map<String, String> unsafe(String content, Pattern pattern) {
    PlaceholderContexts scan = new PlaceholderContexts(content, pattern);
    scan.run();
    return scan.unsafe;
  }

  private void run() {
    boolean comment = false;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      char ctx = stack.peek();
      int end = placeholderEnd(i);
      if (end > 0) {
        String where = comment ? "a comment" : quotedContext(i);
        if (where != null) {
          unsafe.putIfAbsent(placeholder.group(1), where);
        }
        i = end;
        continue;
      }
      if (comment) {
        if (c != '\n') {
          i++;
          continue;
        }
        comment = false;
      }
      if (ctx == SINGLE) {
        if (c == '\'') {
          stack.pop();
        }
        i++;
        continue;
      }
      if (c == '\\') {
        int escapedEnd = placeholderEnd(i + 1);
        if (escapedEnd > 0) {
          unsafe.putIfAbsent(placeholder.group(1), "a backslash escape");
          i = escapedEnd;
        } else {
          i += 2;
        }
        continue;
      }
      if (c == '$'
          && i + 1 < s.length()
          && (s.charAt(i + 1) == '(' || s.charAt(i + 1) == '{')
          && placeholderEnd(i + 1) < 0) {
        stack.push(s.charAt(i + 1) == '(' ? SUBST : PARAM);
        i += 2;
        continue;
      }
      if (c == '`') {
        if (ctx == BACK) {
          stack.pop();
        } else {
          stack.push(BACK);
        }
        i++;
        continue;
      }
      if (ctx == DOUBLE) {
        if (c == '"') {
          stack.pop();
        }
        i++;
        continue;
      }
      i = unquoted(c, ctx, i);
      if (i < 0) {
        comment = true;
        i = -i;
      }
    }
  }

  /** One step in unquoted text; returns the next index, negated when a comment starts. */
  private int unquoted(char c, char ctx, int i) {
    switch (c) {
      case '\'' -> stack.push(SINGLE);
      case '"' -> stack.push(DOUBLE);
      case '(' -> stack.push(SUBST);
      case ')' -> {
        if (ctx == SUBST) {
          stack.pop();
        }
      }
      case '}' -> {
        if (ctx == PARAM) {
          stack.pop();
        }
      }
      case '#' -> {
        if (ctx != PARAM && (i == 0 || " \t\n;&|()<>".indexOf(s.charAt(i - 1)) >= 0)) {
          return -(i + 1);
        }
      }
      case '<' -> {
        if (s.startsWith("<<", i)) {
          return hereDocOperator(i);
        }
      }
      case '\n' -> {
        if (!pending.isEmpty()) {
          return hereDocBodies(i + 1);
        }
      }
      default -> {}
    }
    return i + 1;
  }

  /** Reads {@code <<[-] word}; a here-string {@code <<<} is skipped. */
  private int hereDocOperator(int i) {
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
   * Skips the bodies of the pending here-documents, which start at {@code from}; every
   * placeholder in them is unsafe (even a quoted delimiter's body may be fed to a shell).
   */
  private int hereDocBodies(int from) {
    int pos = from;
    for (HereDoc doc : pending) {
      while (pos < s.length()) {
        int eol = s.indexOf('\n', pos);
        int lineEnd = eol < 0 ? s.length() : eol;
        String line = s.substring(pos, lineEnd);
        String compared = doc.stripTabs() ? line.replaceFirst("^\t+", "") : line;
        for (int k = pos; k < lineEnd; k++) {
          int end = placeholderEnd(k);
          if (end > 0) {
            unsafe.putIfAbsent(placeholder.group(1), "a here-document");
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

  /** Where a placeholder at {@code i} stands when that is not a bare word, else null. */
  private String quotedContext(int i) {
    char ctx = stack.peek();
    if (ctx == SINGLE) {
      return "single quotes";
    }
    if (stack.contains(DOUBLE)) {
      return "double quotes";
    }
    if (stack.contains(BACK)) {
      return "backquotes";
    }
    if (i > 0 && s.charAt(i - 1) == '$') {
      return "'$' quoting";
    }
    return null;
  }

  /** End of the placeholder starting exactly at {@code i} (group 1 set), or -1. */
  private int placeholderEnd(int i) {
    if (i + 1 >= s.length() || s.charAt(i) != '{' || s.charAt(i + 1) != '{') {
      return -1;
    }
    placeholder.region(i, s.length());
    return placeholder.lookingAt() ? placeholder.end() : -1;
  }
}
