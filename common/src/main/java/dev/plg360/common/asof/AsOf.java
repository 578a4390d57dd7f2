package dev.plg360.common.asof;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * What a run as of a date sees: the data up to the end of that day, and a versioned table's rows as they stood
 * then. The jobs read a date this one way, so a past date rebuilt later gives the rows it gave then.
 */
public final class AsOf {
  private AsOf() {}

  /** The end of the as-of day, UTC: data strictly before it is data of the day or earlier. */
  public static Timestamp endOf(LocalDate asOf) {
    return Timestamp.from(asOf.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  /** The rows of a versioned bronze table (id, last_modified_at) as they were last modified by the as-of time. */
  public static Dataset<Row> latestVersions(Dataset<Row> versions, Column asOfEnd) {
    return versions.where(col("last_modified_at").lt(asOfEnd))
        .withColumn("rank", row_number().over(Window.partitionBy("id").orderBy(col("last_modified_at").desc())))
        .where(col("rank").equalTo(1).and(not(coalesce(col("is_deleted"), lit(false))))).drop("rank");
  }
}
