package dev.plg360.jobs.generate;

import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import dev.plg360.common.io.Csv;

/**
 * RFC 4180 text of one CSV record (quotes only where needed, or around every field as Salesforce reports and Data
 * Loader write them; quotes doubled, embedded line breaks kept).
 */
final class CsvText {
  private final CsvWriter writer;

  CsvText() {
    this(false);
  }

  CsvText(boolean quoteAll) {
    CsvWriterSettings settings = Csv.settings("\n");
    settings.setQuoteAllFields(quoteAll);
    this.writer = new CsvWriter(settings);
  }

  String format(String[] values) {
    return writer.writeRowToString((Object[]) values);
  }
}
