package dev.plg360.jobs.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.ReasonCodes;
import dev.plg360.common.model.TrainingSet;
import dev.plg360.common.spark.Kept;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * PQL scores: the current conversion model applied to every free or trial workspace (or account) that has not
 * paid, with the features the model was trained on (its metadata's SQL, not today's configuration) over its
 * sign-up window while the label horizon runs and its latest window after ({@link TrainingSet#buildForScoring});
 * an account's score is its best workspace's, with that workspace's reasons in words.
 */
public final class PqlScoring {
  private PqlScoring() {}

  /** What {@link AccountScoring#enriched} takes per account. */
  public static final StructType COLUMNS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("pql_probability", DataTypes.DoubleType)
      .add("pql_model_version", DataTypes.StringType)
      .add("pql_workspace_id", DataTypes.StringType)
      .add("pql_window_start", DataTypes.DateType)
      .add("pql_observed_days", DataTypes.IntegerType)
      .add("pql_reasons", DataTypes.createArrayType(DataTypes.StringType));

  /** The model that scored, and the scores per account. */
  public record Result(Optional<String> version, Dataset<Row> perAccount, long entities) {}

  /** Scores with the current model (the scores kept in {@code kept}); without one, an empty frame in {@link #COLUMNS}. */
  public static Result score(SparkSession spark, ModelRegistry registry, TrainingSet.Inputs in, LocalDate asOf,
                             ModelSettings configured, ScoreSettings s, Kept kept) {
    Optional<String> current = registry.current();
    if (current.isEmpty()) {
      return new Result(Optional.empty(), none(spark), 0);
    }
    String version = current.get();
    JsonNode meta = registry.metadata(version);
    List<FeatureDef> features = featuresOf(meta);
    int observationDays = meta.path("training").path("observation_days").asInt(configured.observationDays());
    ModelSettings.Population population = ModelSettings.Population.valueOf(
        meta.path("training").path("entity_type").asText(configured.population().label()).toUpperCase(Locale.ROOT));
    ModelSettings asTrained = configured.asTrained(features, observationDays, population);
    Dataset<Row> rows = TrainingSet.buildForScoring(in, asOf, asTrained);
    Dataset<Row> perEntity = kept.keep(
        scoreRows(registry.load(version), features, rows, configured.reasonCodes(), s.reasons(), observationDays)
            .select("entity_id", "account_id", "probability", TrainingSet.WINDOW_START, "observed_days", "reasons"));
    long entities = perEntity.count();
    Dataset<Row> perAccount = perEntity.groupBy("account_id").agg(
            max_by(struct(col("probability"), col("entity_id"), col(TrainingSet.WINDOW_START), col("observed_days"), col("reasons")),
                struct(col("probability"), col("entity_id"))).as("_best"))
        .select(col("account_id"), col("_best.probability").as("pql_probability"), lit(version).as("pql_model_version"),
            (population == ModelSettings.Population.WORKSPACE ? col("_best.entity_id") : lit(null).cast("string"))
                .as("pql_workspace_id"),
            col("_best.window_start").as("pql_window_start"), col("_best.observed_days").cast("int").as("pql_observed_days"),
            col("_best.reasons").as("pql_reasons"));
    return new Result(Optional.of(version), perAccount, entities);
  }

  /** No scores, in {@link #COLUMNS}. */
  public static Dataset<Row> none(SparkSession spark) {
    return spark.createDataFrame(List.of(), COLUMNS);
  }

  /** A model's features, as its metadata records them (the SQL it was trained with). */
  public static List<FeatureDef> featuresOf(JsonNode meta) {
    List<FeatureDef> features = new ArrayList<>();
    for (JsonNode f : meta.path("features")) {
      features.add(new FeatureDef(f.path("name").asText(),
          FeatureDef.Kind.valueOf(f.path("kind").asText().toUpperCase(Locale.ROOT)), f.path("sql").asText()));
    }
    return features;
  }

  /**
   * Rows with the model's feature columns (and entity_id, signup_date, observation_date), scored: probability,
   * observed_days and reasons, the features that raise the probability most, in words.
   */
  public static Dataset<Row> scoreRows(PipelineModel model, List<FeatureDef> features, Dataset<Row> rows, int reasonCodes,
                                       Map<String, ScoreSettings.Phrase> phrases, int observationDays) {
    Dataset<Row> scored = ConversionPipeline.score(model, rows);
    Column start = List.of(rows.columns()).contains(TrainingSet.WINDOW_START) ? col(TrainingSet.WINDOW_START) : col("signup_date");
    Column window = when(start.equalTo(col("signup_date")), lit("the first " + observationDays + " days"))
        .otherwise(lit("the last " + observationDays + " days"));
    return ReasonCodes.explain(scored, model, ConversionPipeline.terms(scored, features), features, reasonCodes)
        .withColumn("observed_days", org.apache.spark.sql.functions.datediff(col("observation_date"), start))
        .withColumn("_window", window)
        .withColumn("reasons", transform(col("reasons_up"), r -> words(r, features, phrases, col("_window"))))
        .drop("_window");
  }

  /** A template with its placeholders replaced by columns: "{value} invites in {window}". */
  static Column fill(String template, Map<String, Column> values) {
    List<Column> pieces = new ArrayList<>();
    int from = 0;
    while (from < template.length()) {
      int next = -1;
      String found = null;
      for (String key : values.keySet()) {
        int at = template.indexOf(key, from);
        if (at >= 0 && (next < 0 || at < next)) {
          next = at;
          found = key;
        }
      }
      if (found == null) {
        pieces.add(lit(template.substring(from)));
        break;
      }
      pieces.add(lit(template.substring(from, next)));
      pieces.add(values.get(found));
      from = next + found.length();
    }
    return org.apache.spark.sql.functions.concat(pieces.toArray(Column[]::new));
  }

  /** A reason code (feature, value, contribution) in words, by the phrases of plg360.score.pql.reasons. */
  static Column words(Column reason, List<FeatureDef> features, Map<String, ScoreSettings.Phrase> phrases, Column window) {
    Column feature = reason.getField("feature");
    Column value = reason.getField("value");
    Column out = null;
    for (FeatureDef f : features) {
      ScoreSettings.Phrase p = phrases.get(f.name());
      Column text;
      if (p == null) {
        text = org.apache.spark.sql.functions.concat(lit(f.name() + " = "), value);
      } else if (p.template() == null) {
        text = when(value.equalTo("1"), lit(p.yes())).otherwise(lit(p.no()));
      } else {
        text = fill(p.template(), Map.of("{value}", value, "{window}", window));
      }
      out = out == null ? when(feature.equalTo(f.name()), text) : out.when(feature.equalTo(f.name()), text);
    }
    return out == null ? value : out;
  }
}
