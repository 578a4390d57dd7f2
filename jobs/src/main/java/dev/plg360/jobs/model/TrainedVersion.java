package dev.plg360.jobs.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ConversionPipeline.Term;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.ModelMetrics;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.ModelTables.Calibration;
import dev.plg360.common.tables.ModelTables.Coefficients;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import dev.plg360.common.tables.ModelTables.Predictions;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.jobs.model.ModelSelection.Fit;
import dev.plg360.jobs.model.ModelSelection.Split;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * A model version as train made it, and what is recorded of it: its metadata in the registry and its rows in the
 * model tables. {@code fitCount}: the rows the final model was fitted on (training and validation cohorts).
 */
record TrainedVersion(String version, TrainingSource source, Split split, long fitCount, List<Fit> grid, Fit best,
                      ModelMetrics metrics, List<Term> terms, LogisticRegressionModel regression, Champion champion) {

  /** The version's metadata in the registry: what it was trained on and how, its metrics and the decision. */
  ObjectNode metadata(JobContext ctx, ModelSettings s, String fingerprint) {
    ObjectNode o = ModelRegistry.JSON.createObjectNode();
    o.put("model", "conversion");
    o.put("version", version);
    o.put("trained_at", ctx.startedAt().toString());
    o.put("as_of", ctx.asOf().toString());
    o.put("run_id", ctx.runId());
    o.put("code_version", TrainJob.codeVersion());
    o.put("fingerprint", fingerprint);
    ObjectNode training = o.putObject("training");
    training.put("table", source.table());
    training.put("delta_version", source.version());
    training.put("entity_type", source.entityType());
    training.put("observation_days", s.observationDays());
    training.put("label_horizon_days", s.labelHorizonDays());
    training.put("fit_rows", fitCount);
    training.put("validation_from", split.validationFrom().toString());
    training.put("test_from", split.testFrom().toString());
    training.put("test_to", split.testTo().toString());
    ArrayNode features = o.putArray("features");
    for (FeatureDef f : s.features()) {
      features.addObject().put("name", f.name()).put("kind", f.kind().name().toLowerCase(Locale.ROOT))
          .put("sql", f.sql());
    }
    ObjectNode params = o.putObject("parameters");
    params.put("reg_param", best.params().regParam());
    params.put("elastic_net_param", best.params().elasticNetParam());
    params.put("max_iter", s.maxIter());
    params.put("class_weights", s.balanceClasses() ? "balanced" : "none");
    ArrayNode searched = params.putArray("grid");
    for (Fit f : grid) {
      searched.addObject().put("reg_param", f.params().regParam()).put("elastic_net_param", f.params().elasticNetParam())
          .put("validation_log_loss", f.validationLogLoss()).put("validation_auc_roc", f.validationAuc());
    }
    o.set("metrics", ModelRegistry.JSON.valueToTree(metrics));
    o.put("intercept", regression.intercept());
    ArrayNode coefficients = o.putArray("coefficients");
    for (Row r : coefficientRows()) {
      coefficients.addObject().put("term", r.getString(2)).put("feature", r.getString(3)).put("coefficient", r.getDouble(4))
          .put("odds_ratio", r.getDouble(5)).put("direction", r.getString(6));
    }
    ObjectNode decision = o.putObject("decision");
    decision.put("promoted", champion.promoted());
    decision.put("champion_version", champion.version().orElse(null));
    if (champion.auc().isPresent()) {
      decision.put("champion_auc_roc", champion.auc().getAsDouble());
    }
    decision.put("reason", champion.decision());
    return o;
  }

  /** version, rank, term, feature, coefficient, odds ratio, direction; strongest first, the intercept last. */
  private List<Row> coefficientRows() {
    Vector c = regression.coefficients();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> {
      int byStrength = Double.compare(Math.abs(c.apply(b)), Math.abs(c.apply(a)));
      return byStrength != 0 ? byStrength : terms.get(a).name().compareTo(terms.get(b).name());
    });
    List<Row> out = new ArrayList<>();
    int rank = 1;
    for (int i : order) {
      double w = c.apply(i);
      out.add(RowFactory.create(version, rank++, terms.get(i).name(), terms.get(i).feature(), w, Math.exp(w),
          w > 0 ? "more likely" : w < 0 ? "less likely" : "none"));
    }
    double intercept = regression.intercept();
    out.add(RowFactory.create(version, rank, "(intercept)", "(intercept)", intercept, Math.exp(intercept), "none"));
    return out;
  }

  /**
   * Writes the version's rows of gold.model_coefficients, model_calibration and model_predictions (the held-out
   * rows), then its gold.model_versions row.
   */
  void write(JobContext ctx, Dataset<Row> predictions) {
    Lake lake = ctx.lake();
    SparkSession spark = ctx.spark();
    Optional<Column> ofVersion = Optional.of(Lake.target(Versions.VERSION).equalTo(version));
    Row versionRow = RowFactory.create(version, Timestamp.from(ctx.startedAt()), Date.valueOf(ctx.asOf()), ctx.runId(),
        source.table(), source.version(), fitCount, metrics.rows(), Date.valueOf(split.testFrom()),
        Date.valueOf(split.testTo()), best.params().regParam(), best.params().elasticNetParam(), metrics.aucRoc(),
        metrics.aucPr(), metrics.logLoss(), metrics.brier(), metrics.ece(), metrics.baseRate(), metrics.topDecileRate(),
        metrics.topDecileLift(), champion.version().orElse(null), champion.auc().isPresent() ? champion.auc().getAsDouble() : null, champion.promoted(), champion.decision());
    ctx.metrics().wrote(lake.insertNew(spark.createDataFrame(coefficientRows(), Coefficients.TABLE.schema()),
        Coefficients.TABLE, ofVersion));
    List<Row> deciles = metrics.deciles().stream().map(d -> RowFactory.create(version, d.decile(), d.rows(), d.converted(),
        d.meanPredicted(), d.observedRate(), d.lift())).toList();
    ctx.metrics().wrote(lake.insertNew(spark.createDataFrame(deciles, Calibration.TABLE.schema()), Calibration.TABLE, ofVersion));
    Dataset<Row> held = predictions.select(lit(version).as(Predictions.VERSION.name()),
        lit(source.entityType()).as(Predictions.ENTITY_TYPE.name()), col(ConversionTraining.ENTITY_ID.name()),
        col(ConversionTraining.SIGNUP_DATE.name()), col(ConversionTraining.LABEL.name()).cast("int").as(Predictions.LABEL.name()),
        col("probability").as(Predictions.PROBABILITY.name()), col("decile").as(Predictions.DECILE.name()),
        col("reasons_up").as(Predictions.REASONS_UP.name()), col("reasons_down").as(Predictions.REASONS_DOWN.name()));
    ctx.metrics().wrote(lake.insertNew(held, Predictions.TABLE, ofVersion));
    // Last: a version's row says its other tables are written, so a run that finds it trains nothing and writes nothing.
    ctx.metrics().wrote(lake.insertNew(spark.createDataFrame(List.of(versionRow), Versions.TABLE.schema()),
        Versions.TABLE, ofVersion));
  }
}
