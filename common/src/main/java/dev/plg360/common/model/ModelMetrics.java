package dev.plg360.common.model;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.ntile;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import scala.Tuple2;

/**
 * How well predicted probabilities rank and match what happened: AUC-ROC, AUC-PR, log loss, Brier score,
 * calibration by decile with the expected calibration error, and the top decile's conversion rate and lift.
 */
public record ModelMetrics(long rows, double aucRoc, double aucPr, double logLoss, double brier, double ece,
                           double baseRate, double topDecileRate, double topDecileLift, List<Decile> deciles)
    implements Serializable {

  /** One tenth of the rows by predicted probability (1: the highest). */
  public record Decile(int decile, long rows, long converted, double meanPredicted, double observedRate, double lift)
      implements Serializable {}

  private static final double EPSILON = 1e-15;

  /** Adds {@code decile} (1 to 10 by probability, highest first; ties by entity id) to predictions. */
  public static Dataset<Row> withDeciles(Dataset<Row> predictions) {
    return predictions.withColumn("decile",
        ntile(10).over(Window.orderBy(col("probability").desc(), col("entity_id"))));
  }

  /** {@code predictions}: label (0/1), probability, decile (see {@link #withDeciles}). */
  public static ModelMetrics of(Dataset<Row> predictions) {
    Column y = col("label").cast("double");
    Row overall = predictions.agg(count(lit(1)), avg(y), avg(loss()), avg(pow(col("probability").minus(y), 2))).first();
    long rows = overall.getLong(0);
    double baseRate = overall.getDouble(1);
    List<Decile> deciles = new ArrayList<>();
    for (Row r : predictions.groupBy("decile").agg(count(lit(1)), sum(y), avg(col("probability")))
        .orderBy("decile").collectAsList()) {
      long n = r.getLong(1);
      double converted = r.getDouble(2);
      double observed = converted / n;
      deciles.add(new Decile(r.getInt(0), n, (long) converted, r.getDouble(3), observed, observed / baseRate));
    }
    double ece = deciles.stream().mapToDouble(d -> (double) d.rows() / rows * Math.abs(d.meanPredicted() - d.observedRate())).sum();
    BinaryClassificationMetrics auc = curves(predictions);
    double aucRoc = auc.areaUnderROC();
    double aucPr = auc.areaUnderPR();
    auc.unpersist();
    Decile top = deciles.get(0);
    return new ModelMetrics(rows, aucRoc, aucPr, overall.getDouble(2), overall.getDouble(3), ece, baseRate,
        top.observedRate(), top.lift(), deciles);
  }

  /** A row's log loss, the probability kept off 0 and 1. */
  private static Column loss() {
    Column y = col("label").cast("double");
    Column p = least(greatest(col("probability"), lit(EPSILON)), lit(1 - EPSILON));
    return y.multiply(log(p)).plus(lit(1).minus(y).multiply(log(lit(1).minus(p)))).multiply(-1);
  }

  private static BinaryClassificationMetrics curves(Dataset<Row> predictions) {
    var pairs = predictions.select(col("probability"), col("label").cast("double")).javaRDD()
        .map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1)));
    return new BinaryClassificationMetrics(pairs.rdd());
  }

  /** Log loss alone, to compare fits on the validation cohort. */
  public static double logLoss(Dataset<Row> predictions) {
    return predictions.agg(avg(loss())).first().getDouble(0);
  }

  /**
   * The ROC curve, (false positive rate, true positive rate) per threshold from (0, 0) to (1, 1), as Spark's
   * {@link BinaryClassificationMetrics} computes it for the AUC: {@code predictions} has label and probability.
   */
  public static List<double[]> rocCurve(Dataset<Row> predictions) {
    BinaryClassificationMetrics m = curves(predictions);
    List<double[]> points = m.roc().toJavaRDD().map(p -> new double[] {(Double) p._1(), (Double) p._2()}).collect();
    m.unpersist();
    return points;
  }

  /** AUC-ROC alone: {@code predictions} has label and probability. */
  public static double aucRoc(Dataset<Row> predictions) {
    return curves(predictions).areaUnderROC();
  }
}
