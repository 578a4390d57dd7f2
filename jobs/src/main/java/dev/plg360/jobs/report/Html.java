package dev.plg360.jobs.report;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The few pieces of HTML the reports are made of: a page with its style inline (no external CSS, JS or fonts, so a
 * file opens offline), headings, paragraphs, tables and embedded PNG images. Every text is escaped here, so a
 * value from the lake (an error message, a segment name) is shown as text, never read as markup.
 */
final class Html {
  private Html() {}

  private static final String STYLE = """
      body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 2em auto;
             max-width: 1100px; padding: 0 1em; line-height: 1.45; }
      h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
      .sub { color: #666; margin-top: 0; } .note { color: #555; font-size: 0.92em; max-width: 800px; }
      table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.9em; }
      th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
      th { background: #f4f6f8; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      td.t { white-space: nowrap; }
      .better { color: #1a7f37; } .worse { color: #c62828; } .FAILED { color: #c62828; font-weight: bold; }
      img { display: block; max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
      nav a { margin-right: 1.2em; }
      """;

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A whole page: title, a line under it, and the body (already HTML). */
  static String page(String title, String subtitle, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
        + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n<nav><a href=\"index.html\">plg360 reports</a>"
        + "<a href=\"model-card.html\">model card</a><a href=\"run-report.html\">run report</a></nav>\n<h1>"
        + escape(title) + "</h1>\n<p class=\"sub\">" + escape(subtitle) + "</p>\n" + body + "</body>\n</html>\n";
  }

  static String h2(String text) {
    return "<h2>" + escape(text) + "</h2>\n";
  }

  static String p(String text) {
    return "<p>" + escape(text) + "</p>\n";
  }

  /** A short explanation under a chart or table: how to read it. */
  static String note(String text) {
    return "<p class=\"note\">" + escape(text) + "</p>\n";
  }

  static String link(String href, String text) {
    return "<a href=\"" + escape(href) + "\">" + escape(text) + "</a>";
  }

  static String img(byte[] png, String alt) {
    return "<img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
        + "\">\n";
  }

  /** A cell: its text, and a class (n: a right-aligned number; better, worse; a status). */
  record Cell(String text, String css) {}

  static Cell num(String text) {
    return new Cell(text, "n");
  }

  static Cell cell(String text, String css) {
    return new Cell(text, css);
  }

  /** A table; a row's values are Cells or anything else shown as text. */
  static String table(List<String> headers, List<List<?>> rows) {
    StringBuilder b = new StringBuilder("<table>\n<tr>");
    headers.forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
    b.append("</tr>\n");
    for (List<?> row : rows) {
      b.append("<tr>");
      for (Object v : row) {
        if (v instanceof Cell c) {
          b.append(c.css() == null ? "<td>" : "<td class=\"" + escape(c.css()) + "\">").append(escape(c.text()));
        } else {
          b.append("<td>").append(escape(v == null ? "" : String.valueOf(v)));
        }
        b.append("</td>");
      }
      b.append("</tr>\n");
    }
    return b.append("</table>\n").toString();
  }

  /** A time or date cell, kept on one line. */
  static Cell time(Object v) {
    return new Cell(v == null ? "-" : v instanceof java.sql.Timestamp t ? timestamp(t) : String.valueOf(v), "t");
  }

  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** A timestamp in UTC, to the second. */
  static String timestamp(java.sql.Timestamp t) {
    return SECONDS.format(t.toInstant());
  }

  static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  static String count(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }
}
