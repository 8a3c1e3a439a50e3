package io.fleetrun.cli;

import io.fleetrun.model.TerminalText;
import java.util.ArrayList;
import java.util.List;

/** A plain text table with columns as wide as their widest cell. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    rows.add(header);
  }

  /** Adds a row; cells may hold text a target controls, which is shown with controls escaped. */
  void row(String... cells) {
    String[] visible = new String[cells.length];
    for (int c = 0; c < cells.length; c++) {
      visible[c] = TerminalText.visible(cells[c]);
    }
    rows.add(visible);
  }

  @Override
  public String toString() {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        out.append(c == columns - 1 ? row[c] : String.format("%-" + (width[c] + 2) + "s", row[c]));
      }
      out.append(System.lineSeparator());
    }
    return out.toString();
  }
}
