package io.fleetrun.model;

/**
 * Text a target controls (its output, a server's disconnect message, a parameter value), made safe
 * to print for a person: every control character is shown escaped, so a target cannot send escape
 * sequences (colours, cursor moves, OSC 52 clipboard writes, a terminal's title), ring the bell,
 * overwrite a line with {@code \r}, or reorder text with bidi overrides.
 */
public final class TerminalText {
  private TerminalText() {}

  /**
   * {@code text} with newline and tab kept and every other control character escaped: {@code \e}
   * for ESC, {@code \r}, {@code \b}, {@code \x07} for the other C0 ones and DEL, {@code \u009b}
   * for C1 ones, and {@code \u202e} for the invisible format characters (bidi embeddings,
   * overrides and isolates, zero-width marks, the BOM). A backslash itself is left as is, so the
   * escapes are a display, not a reversible encoding; {@code --raw} is for the bytes.
   */
  public static String visible(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String escaped = escape(c);
      if (escaped == null) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      out.append(escaped);
    }
    return out == null ? text : out.toString();
  }

  private static String escape(char c) {
    if (c == '\n' || c == '\t') {
      return null;
    }
    if (c == 0x1b) {
      return "\\e";
    }
    if (c == '\r') {
      return "\\r";
    }
    if (c == '\b') {
      return "\\b";
    }
    if (c < 0x20 || c == 0x7f) {
      return String.format("\\x%02x", (int) c);
    }
    if ((c >= 0x80 && c < 0xa0) || invisibleFormat(c)) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }

  /** Bidi controls and zero-width characters, which change how the text around them shows. */
  private static boolean invisibleFormat(char c) {
    return (c >= 0x200b && c <= 0x200f)
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x061c
        || c == 0xfeff;
  }
}
