package dev.plg360.common.quality;

/** Why a record was quarantined. The codes are stable: dashboards and alerts count them. */
public enum Reason {
  /** A JSON line that does not parse as one JSON object (including a line cut off mid-record). */
  MALFORMED_JSON,
  /** A CSV record with more or fewer fields than the file's header. */
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
  UNKNOWN_WORKSPACE
}
