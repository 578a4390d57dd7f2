package dev.plg360.common.model;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.zip_with;

import dev.plg360.common.model.ConversionPipeline.Term;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Reason codes: why the model gives an entity its probability. A feature's contribution is the sum over its terms
 * of coefficient x standardised value: how far it moves the entity's log-odds from those of an average entity.
 * {@code reasons_up} lists the features that raise the probability most, {@code reasons_down} those that lower it
 * most, each with the feature's value as text; contributions under {@value #MIN_CONTRIBUTION} are left out.
 * Built-in array functions only, no shuffle.
 */
public final class ReasonCodes {
  private ReasonCodes() {}

  /** Contributions smaller than this (in log-odds) explain nothing and are not listed. */
  static final double MIN_CONTRIBUTION = 0.01;

  /** Adds reasons_up and reasons_down to a frame scored by the model (it has the scaled inputs and the features). */
  public static Dataset<Row> explain(Dataset<Row> scored, PipelineModel model, List<Term> terms,
                                     List<FeatureDef> features, int howMany) {
    Vector coefficients = ConversionPipeline.regressionOf(model).coefficients();
    Column[] weights = new Column[coefficients.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = lit(coefficients.apply(i));
    }
    Dataset<Row> withContributions = scored.withColumn("_contributions",
        zip_with(vector_to_array(col(ConversionPipeline.SCALED), "float64"),
            array(weights), (x, w) -> x.multiply(w)));
    List<Column> perFeature = new ArrayList<>();
    for (FeatureDef f : features) {
      int from = -1;
      int to = -1;
      for (int i = 0; i < terms.size(); i++) {
        if (terms.get(i).feature().equals(f.name())) {
          from = from < 0 ? i : from;
          to = i;
        }
      }
      if (from < 0) {
        continue;
      }
      Column sum = expr("aggregate(slice(_contributions, " + (from + 1) + ", " + (to - from + 1) + "), 0D, (a, x) -> a + x)");
      perFeature.add(struct(lit(f.name()).as("feature"), valueText(f).as("value"), sum.as("contribution")));
    }
    String top = "slice(array_sort(filter(_all, r -> r.contribution %s), (l, r) -> CASE WHEN %s THEN -1 "
        + "WHEN %s THEN 1 ELSE 0 END), 1, " + howMany + ")";
    return withContributions.withColumn("_all", array(perFeature.toArray(Column[]::new)))
        .withColumn("reasons_up", expr(String.format(top, ">= " + MIN_CONTRIBUTION, "l.contribution > r.contribution", "l.contribution < r.contribution")))
        .withColumn("reasons_down", expr(String.format(top, "<= -" + MIN_CONTRIBUTION, "l.contribution < r.contribution", "l.contribution > r.contribution")))
        .drop("_contributions", "_all");
  }

  /** The feature's value as a person reads it: 3, not 3.0; (missing) when null. */
  private static Column valueText(FeatureDef f) {
    Column text = f.isCategorical() ? col(f.name()).cast("string")
        : regexp_replace(col(f.name()).cast("string"), "\\.0$", "");
    return coalesce(text, lit("(missing)"));
  }
}
