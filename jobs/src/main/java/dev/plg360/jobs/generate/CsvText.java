package dev.plg360.jobs.generate;

import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;

/** RFC 4180 text of one CSV record (quotes only where needed, quotes doubled, embedded line breaks kept). */
final class CsvText {
  private final CsvWriter writer;

  CsvText() {
    CsvWriterSettings settings = new CsvWriterSettings();
    settings.getFormat().setLineSeparator("\n");
    settings.setNullValue("");
    settings.setEmptyValue("");
    settings.setNormalizeLineEndingsWithinQuotes(false);
    settings.setQuotationTriggers(',', '"', '\n', '\r');
    this.writer = new CsvWriter(settings);
  }

  String format(String[] values) {
    return writer.writeRowToString((Object[]) values);
  }
}
