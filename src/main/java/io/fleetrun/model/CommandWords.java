package io.fleetrun.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The words of one simple command as {@link PlaceholderContexts} reads them, enough to tell where a
 * placeholder stands: the command name, a bash builtin that evaluates its arguments as code or as
 * variable names, an array subscript. Words keep their quotes; a word is marked active when the
 * shell expands something in it ({@code $} or a backquote outside single quotes), as a value held
 * in a variable then reaches the builtin.
 */
final class CommandWords {
  /** Builtins that run an argument as code, or evaluate a subscript in a variable NAME argument. */
  static final Set<String> EVALUATING =
      Set.of(
          "eval", "trap", ".", "source", "let", "unset", "read", "getopts", "mapfile", "readarray",
          "wait", "alias", "compgen", "complete", "enable", "bind", "fc", "hash");

  /**
   * Variables whose value the shell evaluates (prompts and {@code BASH_ENV}/{@code ENV} run
   * command substitutions; {@code RANDOM}, {@code OPTIND}, ... are assigned as arithmetic) or that
   * choose code to run ({@code PATH}, {@code LD_*}).
   */
  private static final Pattern SPECIAL_VARIABLE =
      Pattern.compile(
          "(?:PS[0-4]|PROMPT_COMMAND|BASH_ENV|ENV|RANDOM|SRANDOM|OPTIND|HISTCMD|SECONDS|LINENO"
              + "|EPOCHSECONDS|EPOCHREALTIME|TMOUT|HISTSIZE|HISTFILESIZE|COLUMNS|LINES|MAILCHECK"
              + "|FUNCNEST|PATH|SHELLOPTS|BASHOPTS|GLOBIGNORE|EXECIGNORE|BASH_[A-Z0-9_]*"
              + "|LD_[A-Z0-9_]*)(?:\\[[^\\]]*])?\\+?=.*",
          Pattern.DOTALL);
  private static final Set<String> DECLARING =
      Set.of("declare", "typeset", "local", "export", "readonly");
  private static final Set<String> KEYWORDS =
      Set.of("if", "then", "else", "elif", "do", "while", "until", "{", "}", "!", "coproc");
  private static final Set<String> PREFIXES = Set.of("command", "builtin", "exec", "time");
  private static final Pattern ASSIGNMENT =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\[[^\\]]*])?\\+?=.*", Pattern.DOTALL);
  private static final Pattern SUBSCRIPTED =
      Pattern.compile("(?:[A-Za-z_][A-Za-z0-9_]*|\\(?)\\[([^\\]]*)].*", Pattern.DOTALL);
  private static final Pattern OPEN_SUBSCRIPT =
      Pattern.compile(".*(?:[A-Za-z0-9_]|^|\\()\\[[^\\]]*", Pattern.DOTALL);
  private static final Pattern SAFE_SUBSCRIPT = Pattern.compile("[0-9]+|[@*]");
  private static final Pattern EVALUATING_OPTION = Pattern.compile("[-+][A-Za-z]*[aAin][A-Za-z]*");

  private final Consumer<String> hazards;
  private final StringBuilder word = new StringBuilder();
  private boolean active;
  private boolean redirect;
  private final List<String> words = new ArrayList<>();
  private final List<Boolean> activeWords = new ArrayList<>();
  private final boolean arrayLiteral;

  /**
   * @param hazards told each evaluating construct found (its description), as it is found
   * @param arrayLiteral the words are the elements of {@code name=( … )}, not a command
   */
  CommandWords(Consumer<String> hazards, boolean arrayLiteral) {
    this.hazards = hazards;
    this.arrayLiteral = arrayLiteral;
  }

  /** These words are the elements of {@code name=( … )}. */
  boolean arrayLiteral() {
    return arrayLiteral;
  }

  /** Adds a character of the current word; {@code expanding} when the shell expands it there. */
  void append(char c, boolean expanding) {
    word.append(c);
    if (expanding && (c == '$' || c == '`')) {
      active = true;
    }
  }

  void appendPlaceholder(String text) {
    word.append(text);
  }

  /** The word being read so far ends with {@code =} (so a {@code (} opens an array literal). */
  boolean endsWithEquals() {
    return word.length() > 0 && word.charAt(word.length() - 1) == '=';
  }

  /** A redirection operator: the next word is a file name, not part of the command. */
  void redirection() {
    if (word.toString().matches("[0-9]*")) {
      word.setLength(0);
    }
    endWord();
    redirect = true;
  }

  void endWord() {
    if (word.isEmpty()) {
      return;
    }
    String w = word.toString();
    boolean wasActive = active;
    word.setLength(0);
    active = false;
    if (redirect) {
      redirect = false;
      return;
    }
    if (w.equals("[[")) {
      hazards.accept("`[[`");
    }
    // PATH=$PATH:/opt/bin is common and evaluates nothing: only the direct placeholder is refused.
    if (wasActive
        && SPECIAL_VARIABLE.matcher(w).matches()
        && !w.startsWith("PATH")
        && !w.startsWith("LD_")
        && (words.isEmpty() || declaring())) {
      hazards.accept("an assignment to `" + w.substring(0, w.indexOf('=')) + "`");
    }
    if (arrayLiteral || (words.isEmpty() && ASSIGNMENT.matcher(w).matches())) {
      var sub = SUBSCRIPTED.matcher(w);
      if (sub.matches() && !SAFE_SUBSCRIPT.matcher(sub.group(1)).matches()) {
        hazards.accept("an array subscript `" + w.substring(0, w.indexOf(']') + 1) + "`");
      }
      return;
    }
    if (words.isEmpty() && KEYWORDS.contains(w)) {
      return;
    }
    words.add(w);
    activeWords.add(wasActive);
    checkArgument(w, wasActive);
  }

  void endCommand() {
    endWord();
    words.clear();
    activeWords.clear();
    redirect = false;
  }

  private void checkArgument(String w, boolean wasActive) {
    int name = commandIndex();
    if (name < 0 || name == words.size() - 1) {
      if (name >= 0 && bare(words.get(name)).equals("let")) {
        hazards.accept("`let`");
      }
      return;
    }
    String command = bare(words.get(name));
    String previous = words.get(words.size() - 2);
    if (DECLARING.contains(command)) {
      if (EVALUATING_OPTION.matcher(bare(w)).matches()) {
        hazards.accept("`" + command + " " + w + "`");
      }
      int eq = w.indexOf('=');
      String namePart = eq < 0 ? w : w.substring(0, eq);
      boolean anywhere = command.equals("declare") || command.equals("typeset");
      if (wasActive && (anywhere || namePart.contains("$") || namePart.contains("`"))) {
        hazards.accept("`" + command + "` with an expanded argument");
      }
    } else if (wasActive
        && (EVALUATING.contains(command)
            || (isOption(previous, "-v")
                && (command.equals("printf") || command.equals("test") || command.equals("["))))) {
      hazards.accept("`" + command + "` with an expanded argument");
    }
  }

  /**
   * Where a placeholder that starts here would stand, when that is not an ordinary argument: the
   * command name, an array subscript, an argument a builtin evaluates.
   */
  Optional<ShellSpotDraft> placeholderContext() {
    String sofar = word.toString();
    if (OPEN_SUBSCRIPT.matcher(sofar).matches() && (arrayLiteral || sofar.indexOf('[') > 0 || sofar.startsWith("["))) {
      return Optional.of(new ShellSpotDraft("an array subscript", ShellSpot.Fix.INTEGER));
    }
    if (arrayLiteral) {
      return Optional.empty();
    }
    int name = commandIndex();
    if (SPECIAL_VARIABLE.matcher(sofar).matches() && (words.isEmpty() || declaring())) {
      return Optional.of(
          draft("an assignment to `" + sofar.substring(0, sofar.indexOf('=')) + "`, which the shell evaluates"));
    }
    if (name < 0) {
      if (words.isEmpty() && ASSIGNMENT.matcher(sofar).matches()) {
        return Optional.empty();
      }
      return Optional.of(new ShellSpotDraft("the command name position", ShellSpot.Fix.NOT_THERE));
    }
    String command = bare(words.get(name));
    String previous = words.get(words.size() - 1);
    boolean first = name == words.size() - 1;
    if (activeWords.get(name)) {
      // "$v eval {{s}}": an unquoted expansion may vanish or split; the real command is unknown.
      return Optional.of(draft("a command whose name is an expansion (`" + command + "`)"));
    }
    boolean optionsMayChange = activeWords.subList(name + 1, words.size()).contains(true);
    if (optionsMayChange
        && (command.equals("printf") || command.equals("test") || command.equals("[")
            || DECLARING.contains(command))) {
      // "test $x {{s}}": the expansion could be -v (x={{a}}), so the value becomes a name.
      return Optional.of(draft("`" + command + "` after an expanded argument, which could be -v"));
    }
    if (EVALUATING.contains(command)) {
      return Optional.of(draft("an argument of `" + command + "`"));
    }
    if (command.equals("printf") && (isOption(previous, "-v") || sofar.startsWith("-v"))) {
      return Optional.of(draft("the variable name after `printf -v`"));
    }
    if (command.equals("printf") && first) {
      return Optional.of(draft("the format of `printf` (use a fixed one: printf '%s\\n' {{…}})"));
    }
    if ((command.equals("test") || command.equals("["))
        && (isOption(previous, "-v") || (name < words.size() - 1 && previous.contains("{{")))) {
      return Optional.of(draft("an operand of `" + command + " -v`, or after another value"));
    }
    if (DECLARING.contains(command)) {
      boolean options = words.subList(name + 1, words.size()).stream().anyMatch(w -> bare(w).startsWith("-"));
      boolean valuePart = sofar.indexOf('=') > 0;
      if (command.equals("declare") || command.equals("typeset") || options || !valuePart) {
        return Optional.of(draft("a name or an attribute of `" + command + "`"));
      }
    }
    return Optional.empty();
  }

  private boolean declaring() {
    int name = commandIndex();
    return name >= 0 && DECLARING.contains(words.get(name));
  }

  private static ShellSpotDraft draft(String where) {
    return new ShellSpotDraft(where, ShellSpot.Fix.NOT_THERE);
  }

  private static boolean isOption(String w, String option) {
    return bare(w).equals(option);
  }

  /** {@code w} without quote characters: {@code \eval} and {@code 'eval'} run eval too. */
  private static String bare(String w) {
    return w.replaceAll("[\\\\'\"]", "");
  }

  /** Index of the command name in {@link #words}, after {@code command}/{@code exec} prefixes. */
  private int commandIndex() {
    int i = 0;
    while (i < words.size() && PREFIXES.contains(bare(words.get(i)))) {
      i++;
      while (i < words.size() && bare(words.get(i)).startsWith("-")) {
        // exec -a NAME: the option takes the next word
        i += words.get(i).equals("-a") ? 2 : 1;
      }
    }
    return i < words.size() ? i : -1;
  }

  /** A context before its line is known. */
  record ShellSpotDraft(String where, ShellSpot.Fix fix) {}
}
