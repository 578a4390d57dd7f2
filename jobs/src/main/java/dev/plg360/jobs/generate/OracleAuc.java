package dev.plg360.jobs.generate;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * The oracle AUC: how well the planted probabilities rank the realised labels, over workspaces whose label
 * horizon (observation window plus label horizon) ended by the end date. The ceiling a trained model can reach.
 */
public final class OracleAuc {
  private OracleAuc() {}

  static final StructType WORKSPACES_SCHEMA = schema();

  private static StructType schema() {
    StructType s = new StructType();
    for (String c : Truth.WORKSPACES) {
      s = s.add(c, switch (c) {
        case "true_probability" -> DataTypes.DoubleType;
        case "converted", "label_complete", "is_personal", "integration_connected", "paid_at_end" -> DataTypes.BooleanType;
        default -> DataTypes.StringType;
      });
    }
    return s;
  }

  /** The truth's workspaces table of a generated folder (docs/GENERATOR.md), typed. */
  public static Dataset<Row> truthWorkspaces(SparkSession spark, String generatedDir) {
    return spark.read().option("header", "true").schema(WORKSPACES_SCHEMA)
        .csv(new org.apache.hadoop.fs.Path(generatedDir, "truth/workspaces").toString());
  }

  /** AUC-ROC of true_probability against converted, for label_complete rows; NaN without both classes. */
  public static double compute(Dataset<Row> workspaces) {
    Dataset<Row> labelled = workspaces.where(col("label_complete"))
        .select(col("true_probability"), col("converted").cast(DataTypes.DoubleType));
    var pairs = labelled.javaRDD().map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1)));
    long positives = labelled.where(col("converted").equalTo(1.0)).count();
    long all = labelled.count();
    if (positives == 0 || positives == all) {
      return Double.NaN;
    }
    return new BinaryClassificationMetrics(pairs.rdd()).areaUnderROC();
  }
}
