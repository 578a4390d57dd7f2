package dev.plg360.common.model;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.tables.ModelTables.ConversionTraining;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The conversion model as a Spark ML pipeline over the feature columns: numbers cast to double and imputed with
 * the median, counts log1p-transformed, categories one-hot encoded (the indexer puts a value not seen in training
 * last, and the encoder drops the last, so it encodes as no category),
 * everything standardised, then an elastic-net logistic regression. Its columns start with {@code _} so that they
 * never clash with a table's own.
 */
public final class ConversionPipeline {
  private ConversionPipeline() {}

  /** The label, as the double LogisticRegression takes. */
  public static final String LABEL = "_label";
  public static final String WEIGHT = "_weight";
  static final String ASSEMBLED = "_assembled";
  /** The standardised inputs of the regression, one per term. */
  public static final String SCALED = "_scaled";
  static final String PROBABILITY_VECTOR = "_probability";

  /** The regularisation of one fit. */
  public record Params(double regParam, double elasticNetParam) {}

  /**
   * The labelled rows with the label as the double the regression takes and, when {@code balance}, each class weighted
   * by the inverse of its share of the rows (both classes then weigh half).
   */
  public static Dataset<Row> withWeights(Dataset<Row> labelled, boolean balance) {
    Dataset<Row> out = labelled.withColumn(LABEL, col(ConversionTraining.LABEL.name()).cast("double"));
    if (!balance) {
      return out;
    }
    Row r = out.agg(count(lit(1)), sum(LABEL)).first();
    double n = r.getLong(0);
    double positives = r.getDouble(1);
    return out.withColumn(WEIGHT, when(col(LABEL).equalTo(1.0), lit(n / (2 * positives)))
        .otherwise(lit(n / (2 * (n - positives)))));
  }

  /** The preparation stages, without the regression: fitted once per split to search the grid. */
  public static List<PipelineStage> preparation(List<FeatureDef> features) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> select = new ArrayList<>();
    List<String> imputeIn = new ArrayList<>();
    List<String> imputeOut = new ArrayList<>();
    List<String> transform = new ArrayList<>();
    List<String> categoriesIn = new ArrayList<>();
    List<String> categoriesIdx = new ArrayList<>();
    List<String> categoriesOut = new ArrayList<>();
    List<String> assembled = new ArrayList<>();
    for (FeatureDef f : features) {
      String n = f.name();
      if (f.isCategorical()) {
        select.add("COALESCE(CAST(`" + n + "` AS STRING), '(missing)') AS `" + n + "__in`");
        categoriesIn.add(n + "__in");
        categoriesIdx.add(n + "__idx");
        categoriesOut.add(n + "__x");
      } else {
        select.add("CAST(`" + n + "` AS DOUBLE) AS `" + n + "__in`");
        imputeIn.add(n + "__in");
        imputeOut.add(n + "__imp");
        transform.add((f.kind() == FeatureDef.Kind.COUNT ? "LOG1P(GREATEST(`" + n + "__imp`, 0D))" : "`" + n + "__imp`")
            + " AS `" + n + "__x`");
      }
      assembled.add(n + "__x");
    }
    stages.add(new SQLTransformer().setStatement("SELECT *, " + String.join(", ", select) + " FROM __THIS__"));
    if (!imputeIn.isEmpty()) {
      stages.add(new Imputer().setStrategy("median").setInputCols(imputeIn.toArray(String[]::new))
          .setOutputCols(imputeOut.toArray(String[]::new)));
      stages.add(new SQLTransformer().setStatement("SELECT *, " + String.join(", ", transform) + " FROM __THIS__"));
    }
    if (!categoriesIn.isEmpty()) {
      stages.add(new StringIndexer().setInputCols(categoriesIn.toArray(String[]::new))
          .setOutputCols(categoriesIdx.toArray(String[]::new)).setHandleInvalid("keep").setStringOrderType("frequencyDesc"));
      stages.add(new OneHotEncoder().setInputCols(categoriesIdx.toArray(String[]::new))
          .setOutputCols(categoriesOut.toArray(String[]::new)).setDropLast(true));
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol(ASSEMBLED));
    stages.add(new StandardScaler().setWithMean(true).setWithStd(true).setInputCol(ASSEMBLED).setOutputCol(SCALED));
    return stages;
  }

  public static LogisticRegression regression(Params p, int maxIter, boolean weighted) {
    LogisticRegression lr = new LogisticRegression()
        .setFamily("binomial")
        .setFeaturesCol(SCALED)
        .setLabelCol(LABEL)
        .setProbabilityCol(PROBABILITY_VECTOR)
        .setRawPredictionCol("_raw")
        .setPredictionCol("_prediction")
        .setStandardization(false)
        .setRegParam(p.regParam())
        .setElasticNetParam(p.elasticNetParam())
        .setMaxIter(maxIter)
        .setTol(1e-8);
    return weighted ? lr.setWeightCol(WEIGHT) : lr;
  }

  /** Fits the whole pipeline (preparation and regression) on the rows. */
  public static PipelineModel fit(Dataset<Row> rows, List<FeatureDef> features, Params p, int maxIter, boolean weighted) {
    List<PipelineStage> stages = preparation(features);
    stages.add(regression(p, maxIter, weighted));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(rows);
  }

  public static LogisticRegressionModel regressionOf(PipelineModel model) {
    Transformer last = model.stages()[model.stages().length - 1];
    return (LogisticRegressionModel) last;
  }

  /** Adds {@code probability}: the predicted probability of the positive class, as a double. */
  public static Dataset<Row> score(PipelineModel model, Dataset<Row> rows) {
    return withProbability(model.transform(rows));
  }

  /** Adds {@code probability} to rows a fitted regression (alone or at the end of the pipeline) has transformed. */
  public static Dataset<Row> withProbability(Dataset<Row> transformed) {
    return transformed.withColumn("probability", vector_to_array(col(PROBABILITY_VECTOR), "float64").getItem(1));
  }

  /** A term of the regression: its readable name and the feature it comes from. */
  public record Term(String name, String feature) {}

  /**
   * The regression's terms in the order of its coefficients: {@code log1p(x)} for a count, {@code x} for a number,
   * {@code x = value} for a category's indicator. Read from the assembled vector's metadata of a scored frame.
   */
  public static List<Term> terms(Dataset<Row> scored, List<FeatureDef> features) {
    AttributeGroup group = AttributeGroup.fromStructField(scored.schema().apply(ASSEMBLED));
    Attribute[] attributes = group.attributes().get();
    List<Term> out = new ArrayList<>();
    for (Attribute a : attributes) {
      String name = a.name().get();
      FeatureDef f = features.stream().filter(x -> name.equals(x.name() + "__x") || name.startsWith(x.name() + "__x_"))
          .findFirst().orElseThrow(() -> new IllegalStateException("unknown model input " + name));
      String term = switch (f.kind()) {
        case COUNT -> "log1p(" + f.name() + ")";
        case CATEGORICAL -> f.name() + " = " + name.substring((f.name() + "__x_").length());
        default -> f.name();
      };
      out.add(new Term(term, f.name()));
    }
    return out;
  }

  /** The regression inputs the pipeline needs that a frame lacks, if any. */
  static Optional<String> missingColumn(Dataset<Row> rows, List<FeatureDef> features) {
    List<String> have = List.of(rows.columns());
    return features.stream().map(FeatureDef::name).filter(n -> !have.contains(n)).findFirst();
  }
}
