package dev.plg360.common.spark;

import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;

/**
 * One value per group, or the set of them, picked the same way whatever order the rows arrive in. Spark's
 * {@code max_by} and {@code min_by} keep the first row they meet among rows tied on the ordering, and that order
 * follows partitions and files, which change from one run to the next: two runs over the same rows could name an
 * account after different workspaces. These break a tie by the value itself, so the same rows always give the same
 * pick.
 */
public final class Picks {
  private Picks() {}

  /**
   * The value of the row with the greatest {@code at}; of rows tied on it, the greatest value. Rows whose
   * {@code at} is null are not considered (null when every row's is). The value must be orderable (no maps).
   */
  public static Column latest(Column value, Column at) {
    return max_by(value, when(at.isNotNull(), struct(at, value)));
  }

  /** The value of the row with the least {@code at}; of rows tied on it, the least value. As {@link #latest}. */
  public static Column earliest(Column value, Column at) {
    return min_by(value, when(at.isNotNull(), struct(at, value)));
  }

  /** Distinct non-empty values of a column, collected per key, sorted so re-runs write the same arrays. */
  public static Column sortedSet(String column) {
    return array_sort(array_distinct(collect_set(col(column))));
  }
}
