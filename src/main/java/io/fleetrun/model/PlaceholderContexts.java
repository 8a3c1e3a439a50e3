package io.fleetrun.model;

import io.fleetrun.model.CommandWords.ShellSpotDraft;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds where placeholders stand, for {@link ScriptTemplate#unsafePlaceholders}: every place that is
 * not a bare word in ordinary argument position, and the first construct anywhere in the script
 * where bash evaluates a value as code (arithmetic, subscripts, indirection, builtins that take a
 * variable name).
 *
 * <p>A small POSIX and bash quoting scanner, not a parser: it tracks quotes ({@code '…'}, {@code
 * "…"}, {@code $'…'}, {@code $"…"}), {@code $( )}, {@code ${ }}, backquotes, comments and
 * here-documents, and the words of each simple command ({@link CommandWords}). Where it cannot
 * tell, it errs on the side of reporting.
 */
final class PlaceholderContexts {
  private static final char TOP = 'T';
  private static final char SINGLE = '\'';
  private static final char ANSI = 'A';
  private static final char DOUBLE = '"';
  private static final char SUBST = '(';
  private static final char PARAM = '{';
  private static final char BACK = '`';
  private static final char ARITH = 'M';
  private static final char ARITH_PAREN = 'P';
  private static final char ARITH_BRACKET = '[';

  /** What the scan found; see {@link ShellSpot}. */
  record Scan(Map<String, ShellSpot> unsafe, Optional<ShellSpot> evaluating) {}

  private final String s;
  private final Matcher placeholder;
  private final Deque<Character> stack = new ArrayDeque<>();
  private final Deque<CommandWords> commands = new ArrayDeque<>();
  private final HereDocuments hereDocs;
  private final Map<String, ShellSpot> unsafe = new LinkedHashMap<>();
  private ShellSpot evaluating;
  private int pos;

  private PlaceholderContexts(String content, Pattern pattern) {
    this.s = content;
    this.placeholder = pattern.matcher(content);
    this.hereDocs = new HereDocuments(content);
    stack.push(TOP);
    commands.push(newCommand(false));
  }

  static Scan scan(String content, Pattern pattern) {
    PlaceholderContexts scan = new PlaceholderContexts(content, pattern);
    scan.run();
    scan.commands.forEach(CommandWords::endCommand);
    if (scan.stack.size() > 1) {
      // A syntax error: how a shell recovers from it (where it starts reading again) is not
      // something a value's quoting can be sure of.
      scan.hazard("an unterminated quote, bracket or expansion");
    }
    return new Scan(scan.unsafe, Optional.ofNullable(scan.evaluating));
  }

  private CommandWords newCommand(boolean arrayLiteral) {
    return new CommandWords(this::hazard, arrayLiteral);
  }

  private void hazard(String where) {
    if (evaluating == null) {
      evaluating = new ShellSpot(where, lineAt(pos), ShellSpot.Fix.INTEGER);
    }
  }

  private void report(String name, String where, ShellSpot.Fix fix) {
    unsafe.putIfAbsent(name, new ShellSpot(where, lineAt(pos), fix));
  }

  private void run() {
    boolean comment = false;
    while (pos < s.length()) {
      char c = s.charAt(pos);
      char ctx = stack.peek();
      int end = placeholderEnd(pos);
      if (end > 0) {
        onPlaceholder(comment, end);
        pos = end;
        continue;
      }
      if (comment) {
        if (c != '\n') {
          pos++;
          continue;
        }
        comment = false;
      }
      if (ctx == SINGLE || ctx == ANSI) {
        commands.peek().append(c, false);
        if (ctx == ANSI && c == '\\') {
          if (placeholderEnd(pos + 1) > 0) {
            report(placeholder.group(1), "`$'…'` quoting", ShellSpot.Fix.VARIABLE);
          }
          if (pos + 1 < s.length() && s.charAt(pos + 1) == '\'') {
            // dash has no $'…': it ends the string at this quote, bash does not.
            hazard("`$'…'` holding \\' (dash and bash end it at different quotes)");
          }
          pos += 2;
          continue;
        }
        if (c == '\'') {
          stack.pop();
        }
        pos++;
        continue;
      }
      if (c == '\\') {
        if (placeholderEnd(pos + 1) > 0) {
          report(placeholder.group(1), "a backslash escape", ShellSpot.Fix.VARIABLE);
        }
        if (pos + 1 < s.length() && s.charAt(pos + 1) != '\n') {
          commands.peek().append(c, false);
          commands.peek().append(s.charAt(pos + 1), false);
        }
        pos += 2;
        continue;
      }
      if (c == '$' && pos + 1 < s.length() && dollar(s.charAt(pos + 1))) {
        continue;
      }
      if (ctx == ARITH || ctx == ARITH_PAREN || ctx == ARITH_BRACKET) {
        pos = arithmetic(c, ctx, pos);
        continue;
      }
      if (c == '`' || ctx == DOUBLE) {
        commands.peek().append(c, true);
      }
      if (c == '`') {
        if (ctx == BACK) {
          stack.pop();
        } else {
          stack.push(BACK);
        }
        pos++;
        continue;
      }
      if (ctx == DOUBLE) {
        if (c == '"') {
          stack.pop();
        }
        pos++;
        continue;
      }
      pos = unquoted(c, ctx, pos);
      if (pos < 0) {
        comment = true;
        pos = -pos;
      }
    }
  }

  private void onPlaceholder(boolean comment, int end) {
    String name = placeholder.group(1);
    String where = comment ? "a comment" : quotedContext(pos);
    if (where != null) {
      report(name, where, ShellSpot.Fix.VARIABLE);
    } else if (stack.contains(ARITH) || stack.contains(ARITH_BRACKET)) {
      report(name, "arithmetic", ShellSpot.Fix.INTEGER);
    } else if (stack.contains(PARAM)) {
      report(name, "a parameter expansion `${…}`", ShellSpot.Fix.VARIABLE);
    } else {
      Optional<ShellSpotDraft> draft = commands.peek().placeholderContext();
      draft.ifPresent(d -> report(name, d.where(), d.fix()));
    }
    commands.peek().appendPlaceholder(s.substring(pos, end));
  }

  /** Handles {@code $} followed by {@code next}; true when it consumed them. */
  private boolean dollar(char next) {
    if (next == '\'' || next == '"') {
      commands.peek().append('$', true);
      stack.push(next == '\'' ? ANSI : DOUBLE);
      pos += 2;
      return true;
    }
    if (next == '[' || s.startsWith("((", pos + 1)) {
      hazard(next == '[' ? "`$[`" : "`$((`");
      commands.peek().append('$', true);
      stack.push(next == '[' ? ARITH_BRACKET : ARITH);
      pos += next == '[' ? 2 : 3;
      return true;
    }
    if ((next != '(' && next != '{') || placeholderEnd(pos + 1) > 0) {
      return false;
    }
    commands.peek().append('$', true);
    if (next == '(') {
      stack.push(SUBST);
      commands.push(newCommand(false));
    } else {
      stack.push(PARAM);
      ShellSpot.parameterHazard(s, pos + 2).ifPresent(this::hazard);
    }
    pos += 2;
    return true;
  }

  /** One step in unquoted text; returns the next index, negated when a comment starts. */
  private int unquoted(char c, char ctx, int i) {
    CommandWords words = commands.peek();
    boolean inCommand = ctx == TOP || ctx == SUBST;
    if (ctx == SUBST && words.arrayLiteral() && ";&|<>(".indexOf(c) >= 0) {
      // bash recovers from this syntax error by skipping to the next newline, which may be inside
      // a quoted value: the rest of the value then runs as commands.
      hazard("a malformed array literal `name=( … " + c + " … )`");
    }
    switch (c) {
      case '\'' -> stack.push(SINGLE);
      case '"' -> stack.push(DOUBLE);
      case '(' -> {
        if (s.startsWith("((", i)) {
          hazard("`((`");
          stack.push(ARITH);
          return i + 2;
        }
        boolean array = inCommand && wordBefore(words);
        if (inCommand && !array) {
          // A subshell or a function's (): what follows the ) starts a new command.
          words.endCommand();
        } else if (inCommand) {
          words.endWord();
        }
        stack.push(SUBST);
        commands.push(newCommand(array));
      }
      case ')' -> {
        if (ctx == SUBST) {
          stack.pop();
          commands.pop().endCommand();
        } else if (inCommand) {
          words.endCommand(); // a case pattern
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
          if (s.startsWith("<<<", i)) {
            words.redirection();
          } else {
            words.endWord();
          }
          return hereDocs.operator(i);
        }
      }
      case '\n' -> {
        if (inCommand) {
          words.endCommand();
        }
        if (hereDocs.pending()) {
          return hereDocs.skipBodies(i + 1, this::hereDocPlaceholder);
        }
      }
      default -> {}
    }
    if (" \t\n;&|()<>".indexOf(c) < 0) {
      words.append(c, true);
    } else if (inCommand) {
      if (c == ' ' || c == '\t') {
        words.endWord();
      } else if (c == '<' || c == '>') {
        words.redirection();
      } else if (c == '&' && i > 0 && (s.charAt(i - 1) == '>' || s.charAt(i - 1) == '<')) {
        // >&2: part of a redirection
      } else if (c != '(' && c != ')' && c != '\n') {
        words.endCommand();
      }
    }
    return i + 1;
  }

  /** One step inside {@code $(( ))}, {@code (( ))} or {@code $[ ]}; returns the next index. */
  private int arithmetic(char c, char ctx, int i) {
    commands.peek().append(c, true);
    switch (c) {
      case '\'' -> stack.push(SINGLE);
      case '"' -> stack.push(DOUBLE);
      case '(' -> stack.push(ARITH_PAREN);
      case ']' -> {
        if (ctx == ARITH_BRACKET) {
          stack.pop();
        }
      }
      case ')' -> {
        if (ctx == ARITH_PAREN) {
          stack.pop();
        } else if (ctx == ARITH && s.startsWith("))", i)) {
          stack.pop();
          return i + 2;
        }
      }
      default -> {}
    }
    return i + 1;
  }

  /** The word before a {@code (} ends in {@code =}: an array literal {@code name=( … )}. */
  private static boolean wordBefore(CommandWords words) {
    return words.endsWithEquals();
  }
  /**
   * Every placeholder in a here-document body is unsafe (even a quoted delimiter's body may be fed
   * to a shell); returns its end, or -1 when none starts at {@code k}.
   */
  private int hereDocPlaceholder(int k) {
    int end = placeholderEnd(k);
    if (end > 0) {
      unsafe.putIfAbsent(
          placeholder.group(1), new ShellSpot("a here-document", lineAt(k), ShellSpot.Fix.VARIABLE));
    }
    return end;
  }

  /** Where a placeholder at {@code i} stands when that is not a bare word, else null. */
  private String quotedContext(int i) {
    char ctx = stack.peek();
    if (ctx == SINGLE) {
      return "single quotes";
    }
    if (ctx == ANSI) {
      return "`$'…'` quoting";
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

  private int lineAt(int i) {
    return ShellSpot.lineAt(s, i);
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
