package dev.plg360.common.quality;

/** Why a record was quarantined. The codes are stable: dashboards and alerts count them. */
public enum Reason {
  /** A JSON line that does not parse as one JSON object (including a line cut off mid-record). */
  MALFORMED_JSON,
  /**
   * A landing file that cannot be read to its end as UTF-8 text (a gzip cut off, bytes not of the compression its
   * name says): quarantined whole, as one record at line 0.
   */
  UNREADABLE_FILE,
  /** A CSV record with more or fewer fields than the file's header (or whose quoted field never closes). */
  WRONG_COLUMN_COUNT,
  /** A field the source's mapping requires is absent or blank. */
  MISSING_REQUIRED_FIELD,
  /** A timestamp field that does not parse in the configured format. */
  UNPARSEABLE_TIMESTAMP,
  /** A number, boolean, date, list or map field whose text is not of that type. */
  INVALID_VALUE,
  /** A value that parses but breaks one of the source's named expectations. */
  VALUE_OUT_OF_RANGE,
  /** A second record with the key of one already accepted (same messageId, same Id and version, ...). */
  DUPLICATE,
  /** Found by resolve: a product event for a workspace no group call, subscription or sign-up ever named. */
  UNKNOWN_WORKSPACE,
  /** Found by resolve: an email (a lead's, a recipient's, a requester's) that is not local@host.tld; no person is made of it. */
  INVALID_EMAIL,
  /** Found by resolve: a CRM account whose Website names no registrable domain, so it is matched to no company. */
  NO_DOMAIN
}
