package dev.plg360.jobs.report;

import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The aggregates the run report draws: small results, computed in Spark so a table of any size stays there. */
final class ReportTransforms {
  private ReportTransforms() {}

  /**
   * Rows per bar of a 0-100 score: {@code bar} i (0-based) holds scores from i * 100 / bins up to the next bar's
   * start, the last bar 100 too; {@code count}. Rows without a score are left out.
   */
  static Dataset<Row> histogram(Dataset<Row> rows, Column score, int bins) {
    double width = 100.0 / bins;
    return rows.where(score.isNotNull())
        .groupBy(least(floor(score.divide(width)), lit(bins - 1)).cast("int").as("bar")).count();
  }

  /** Rows per combination of the columns' values ({@code count}), the most common first. */
  static Dataset<Row> countBy(Dataset<Row> rows, Column... by) {
    Dataset<Row> counted = rows.groupBy(by).count();
    Column[] order = new Column[by.length + 1];
    order[0] = counted.col("count").desc();
    for (int i = 0; i < by.length; i++) {
      order[i + 1] = by[i];
    }
    return counted.orderBy(order);
  }
}
