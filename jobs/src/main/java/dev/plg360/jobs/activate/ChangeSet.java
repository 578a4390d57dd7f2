package dev.plg360.jobs.activate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * What a target must do to catch up with a Delta table: per key, the row as it is now, or its delete. From the
 * change data feed since the version delivered, or the whole table for a full delivery.
 */
final class ChangeSet {
  private ChangeSet() {}

  /** The extra column: true for a key to delete, false for a row to upsert. */
  static final String DELETE = "_delete";

  private static final String CHANGE_TYPE = "_change_type";
  private static final String COMMIT_VERSION = "_commit_version";

  /**
   * The last change of each key in a change data feed: its insert or update post-image, or its delete. Within one
   * commit a delete and an insert of a key (a rewrite) leave the insert.
   */
  static Dataset<Row> latest(Dataset<Row> feed, TableDef t) {
    Column isDelete = col(CHANGE_TYPE).equalTo("delete");
    WindowSpec lastFirst = Window.partitionBy(t.key().stream().map(Col::col).toArray(Column[]::new))
        .orderBy(col(COMMIT_VERSION).desc(), isDelete.asc());
    List<Column> out = new ArrayList<>(t.columns().stream().map(Col::col).toList());
    out.add(isDelete.as(DELETE));
    return feed.where(col(CHANGE_TYPE).isin("insert", "update_postimage", "delete"))
        .withColumn("_last", row_number().over(lastFirst))
        .where(col("_last").equalTo(1))
        .select(out.toArray(Column[]::new));
  }

  /** Every row of the table at a version, to upsert. */
  static Dataset<Row> whole(Lake lake, TableDef t, long version) {
    List<Column> out = new ArrayList<>(t.columns().stream().map(Col::col).toList());
    out.add(lit(false).as(DELETE));
    return lake.readVersion(t, version).select(out.toArray(Column[]::new));
  }
}
