package dev.plg360.common.io;

import com.univocity.parsers.csv.CsvWriterSettings;

/**
 * CSV as plg360 writes it (univocity-parsers, the library Spark's own CSV source uses): RFC 4180, a comma between
 * fields, double quotes only where a field needs them (a comma, a quote, a line break), quotes doubled inside, line
 * breaks inside a field kept as they are, and an empty field for a null.
 */
public final class Csv {
  private Csv() {}

  /** Writer settings with records ended by {@code lineSeparator} ({@code "\r\n"} for RFC 4180 files, else "\n"). */
  public static CsvWriterSettings settings(String lineSeparator) {
    CsvWriterSettings s = new CsvWriterSettings();
    s.getFormat().setLineSeparator(lineSeparator);
    s.setNullValue("");
    s.setEmptyValue("");
    s.setNormalizeLineEndingsWithinQuotes(false);
    s.setQuotationTriggers(',', '"', '\n', '\r');
    return s;
  }
}
