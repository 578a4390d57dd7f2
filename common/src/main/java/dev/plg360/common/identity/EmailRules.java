package dev.plg360.common.identity;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;

/**
 * Email normalisation as Spark expressions (no UDF): trimmed and lower-cased; plus-addressing folded
 * ({@code ana+trial@acme.io} is {@code ana@acme.io}); dots in Gmail local parts folded and googlemail.com read as
 * gmail.com. An address that is not {@code local@host.tld} normalises to null.
 */
public final class EmailRules {
  private EmailRules() {}

  private static final String SHAPE = "^[^@\\s]+@[^@\\s]+\\.[^@\\s.]+$";
  private static final String GMAIL = "gmail.com";

  public static Column isValid(Column raw) {
    return trim(raw).rlike(SHAPE);
  }

  public static Column normalize(Column raw) {
    Column e = lower(trim(raw));
    Column host = regexp_replace(substring_index(e, "@", -1), "^googlemail\\.com$", GMAIL);
    Column local = regexp_replace(substring_index(e, "@", 1), "\\+.*$", "");
    Column folded = when(host.equalTo(GMAIL), regexp_replace(local, "\\.", "")).otherwise(local);
    return when(isValid(raw), concat(folded, lit("@"), host));
  }

  /** The host part of a normalised address. */
  public static Column host(Column normalized) {
    return regexp_extract(normalized, "@(.+)$", 1);
  }
}
