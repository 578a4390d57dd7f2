package dev.plg360.common.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.plg360.testkit.SparkTestBase;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

class KeptTest extends SparkTestBase {

  private Dataset<Row> sums(LongAccumulator computed) {
    return spark().range(1000)
        .map((MapFunction<Long, Long>) id -> {
          computed.add(1);
          return id;
        }, Encoders.LONG())
        .withColumn("k", col("value").mod(7))
        .groupBy("k").agg(sum("value").as("s"));
  }

  @Test
  void aKeptFrameIsComputedOnceAndLaterPlansDoNotCarryItsPlan() {
    LongAccumulator computed = spark().sparkContext().longAccumulator("computed");
    List<Row> expected = sums(spark().sparkContext().longAccumulator()).orderBy("k").collectAsList();
    try (Kept kept = new Kept()) {
      Dataset<Row> first = kept.keep(sums(computed));
      Dataset<Row> second = kept.keep(first.withColumnRenamed("s", "t"));
      Dataset<Row> joined = first.join(second, "k");
      assertEquals(expected, first.orderBy("k").collectAsList());
      assertEquals(7, joined.count());
      assertEquals(1000, computed.value(), "the rows were computed once, for all the queries that read them");
      String plan = joined.queryExecution().executedPlan().toString();
      assertFalse(plan.contains("HashAggregate") || plan.contains("InMemoryRelation"),
          "a query over kept frames shows a scan of them, not the plans they came from:\n" + plan);
    }
  }

  @Test
  void releasedAndClosedFramesAreFreed() {
    int before = spark().sparkContext().getPersistentRDDs().size();
    Kept kept = new Kept();
    Dataset<Row> a = kept.keep(sums(spark().sparkContext().longAccumulator()));
    kept.keep(sums(spark().sparkContext().longAccumulator()));
    assertEquals(before + 2, spark().sparkContext().getPersistentRDDs().size());
    kept.release(a);
    assertEquals(before + 1, spark().sparkContext().getPersistentRDDs().size());
    kept.close();
    assertEquals(before, spark().sparkContext().getPersistentRDDs().size());
  }
}
