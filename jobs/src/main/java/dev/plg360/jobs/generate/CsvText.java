package dev.plg360.jobs.generate;

import com.univocity.parsers.csv.CsvWriter;
import dev.plg360.common.io.Csv;

/** RFC 4180 text of one CSV record (quotes only where needed, quotes doubled, embedded line breaks kept). */
final class CsvText {
  private final CsvWriter writer;

  CsvText() {
    this.writer = new CsvWriter(Csv.settings("\n"));
  }

  String format(String[] values) {
    return writer.writeRowToString((Object[]) values);
  }
}
