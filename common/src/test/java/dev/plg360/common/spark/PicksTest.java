package dev.plg360.common.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max_by;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.plg360.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class PicksTest extends SparkTestBase {
  private static final StructType SCHEMA = new StructType().add("g", DataTypes.StringType)
      .add("at", DataTypes.IntegerType).add("v", DataTypes.StringType);

  /** Group a: two rows tied on the latest at, one earliest, one without at (the greatest value); group b: no at. */
  private static final List<Row> ROWS = List.of(
      RowFactory.create("a", 5, "x"), RowFactory.create("a", 5, "y"), RowFactory.create("a", 1, "w"),
      RowFactory.create("a", 1, "v"), RowFactory.create("a", null, "z"), RowFactory.create("b", null, "u"));

  /** The rows in this order, in one partition, so that an order-dependent pick shows it. */
  private Dataset<Row> inOrder(List<Row> rows) {
    return spark().createDataFrame(rows, SCHEMA).coalesce(1);
  }

  private List<Row> picks(Dataset<Row> rows) {
    return rows.groupBy("g").agg(Picks.latest(col("v"), col("at")).as("latest"),
        Picks.earliest(col("v"), col("at")).as("earliest")).orderBy("g").collectAsList();
  }

  @Test
  void tiesGoToTheValueWhateverTheOrderOfTheRows() {
    List<Row> reversed = new ArrayList<>(ROWS);
    Collections.reverse(reversed);
    List<Row> expected = List.of(RowFactory.create("a", "y", "v"), RowFactory.create("b", null, null));
    assertEquals(expected, picks(inOrder(ROWS)));
    assertEquals(expected, picks(inOrder(reversed)));
    assertEquals(expected, picks(spark().createDataFrame(ROWS, SCHEMA).repartition(3)));
  }

  @Test
  void theseRowsMakeSparksOwnMaxByDependOnTheirOrder() {
    // What Picks is for: without a tie-break, the first of the tied rows met wins.
    List<Row> reversed = new ArrayList<>(ROWS);
    Collections.reverse(reversed);
    assertNotEquals(inOrder(ROWS).where("g = 'a'").agg(max_by(col("v"), col("at"))).first(),
        inOrder(reversed).where("g = 'a'").agg(max_by(col("v"), col("at"))).first());
  }
}
