package dev.plg360.jobs.generate;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How each vendor writes times. */
final class Formats {
  private Formats() {}

  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssX").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ISO_OFFSET =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx");

  /** Segment: 2026-05-01T10:00:00.123Z. */
  static String segment(Instant t) {
    return ISO_MILLIS.format(t);
  }

  /** The same instant written in another UTC offset, as some client libraries send it. */
  static String withOffset(Instant t, int offsetHours) {
    return ISO_OFFSET.format(t.atOffset(ZoneOffset.ofHours(offsetHours)));
  }

  /** Salesforce datetime: 2026-05-01T10:00:00.000Z. */
  static String salesforceDateTime(Instant t) {
    return ISO_MILLIS.format(t);
  }

  static String date(LocalDate d) {
    return d.toString();
  }

  /** Zendesk: 2026-05-01T10:00:00Z. */
  static String zendesk(Instant t) {
    return ISO_SECONDS.format(t);
  }

  static long epochSeconds(Instant t) {
    return t.getEpochSecond();
  }

  static long epochMillis(Instant t) {
    return t.toEpochMilli();
  }
}
