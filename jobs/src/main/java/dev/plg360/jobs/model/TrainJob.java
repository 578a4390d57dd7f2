package dev.plg360.jobs.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.ConversionPipeline.Params;
import dev.plg360.common.model.ConversionPipeline.Term;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.ModelMetrics;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.ReasonCodes;
import dev.plg360.common.model.TrainingSet;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.ModelTables.Calibration;
import dev.plg360.common.tables.ModelTables.Coefficients;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import dev.plg360.common.tables.ModelTables.Predictions;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.TableDef;
import io.delta.tables.DeltaTable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code plg360 train}: fits the conversion model on the labelled rows of a training set, evaluates it on the
 * newest sign-up cohort, and registers it as a new version; it becomes current if it is not worse than the current
 * one on the same cohort (docs/MODEL.md).
 *
 * <p>By default it first builds gold.conversion_training as of the date and trains on the Delta version that holds
 * it. {@code --training-version} trains on an earlier version instead (time travel), and {@code --table} on any
 * table with an id, a sign-up date, a label and feature columns. A training set that cannot make a model (empty,
 * one class, a constant or empty feature) fails the run before anything is written. Training twice on the same
 * data, features, parameters and code registers one version: the second run finds it and writes nothing.
 */
public final class TrainJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  /** What to train on, when not the configured training set as of the date. */
  public record Request(OptionalLong trainingVersion, Optional<String> table, String idColumn, String dateColumn,
                        String labelColumn, Optional<List<FeatureDef>> features, boolean force) {
    public static Request defaults() {
      return new Request(OptionalLong.empty(), Optional.empty(), ConversionTraining.ENTITY_ID.name(),
          ConversionTraining.SIGNUP_DATE.name(), ConversionTraining.LABEL.name(), Optional.empty(), false);
    }
  }

  /** The rows trained on and where they come from. */
  private record Source(Dataset<Row> rows, String table, long version, String entityType) {
    String describe() {
      return version < 0 ? table : table + " version " + version;
    }
  }

  /** The three cohorts of the time-based split, by sign-up day. */
  record Split(Dataset<Row> train, Dataset<Row> validation, Dataset<Row> beforeTest, Dataset<Row> test,
               LocalDate validationFrom, LocalDate testFrom, LocalDate testTo) {}

  /** One point of the regularisation grid, fitted on the training cohort and scored on the validation cohort. */
  record Fit(Params params, double validationLogLoss, double validationAuc) {}

  private final Request request;

  public TrainJob(Request request) {
    this.request = request;
  }

  @Override
  public String name() {
    return "train";
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    ModelSettings s = ModelSettings.from(ctx.settings());
    if (request.features().isPresent()) {
      s = s.withFeatures(request.features().get());
    }
    Source source = source(ctx, s);
    ModelRegistry registry = new ModelRegistry(ctx.spark(), ctx.lake().file(s.registryDir()));
    String fingerprint = fingerprint(source, s);
    for (String v : registry.versions()) {
      if (!fingerprint.equals(registry.metadata(v).path("fingerprint").asText())) {
        continue;
      }
      Optional<Row> recorded = recorded(ctx.lake(), v);
      if (recorded.isPresent()) {
        LOG.info("model {} was trained on {} version {} with these features and parameters; nothing to train",
            v, source.table(), source.version());
        if (recorded.get().<Boolean>getAs(Versions.PROMOTED.name()) && isNewerThanCurrent(registry, v)) {
          LOG.warn("model {} was promoted by a run that stopped before making it current; making it current", v);
          registry.promote(v);
        }
        return;
      }
      LOG.warn("model {} was saved by a run that failed before recording it; training it again", v);
      registry.delete(v);
    }
    // One partition in id order: Spark sums partitions' partial results in the order their tasks finish, so only
    // one partition gives the same coefficients every time (with the Java BLAS: SparkSessions). Training sets are
    // small (a row per sign-up).
    Dataset<Row> labelled = TrainingChecks.labelled(source.rows(), s, source.describe())
        .orderBy(ConversionTraining.ENTITY_ID.name())
        .coalesce(1)
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      train(ctx, s, source, labelled, registry, fingerprint);
    } finally {
      labelled.unpersist();
    }
  }

  private void train(JobContext ctx, ModelSettings s, Source source, Dataset<Row> labelled, ModelRegistry registry,
                     String fingerprint) {
    long rows = labelled.count();
    ctx.metrics().read(source.table(), rows);
    Dataset<Row> weighted = ConversionPipeline.withWeights(labelled, s.balanceClasses());
    Split split = split(weighted, s);
    TrainingChecks.bothClasses(split.train(), "the training cohort (signed up before " + split.validationFrom() + ")");
    TrainingChecks.bothClasses(split.validation(), "the validation cohort (signed up " + split.validationFrom() + " to "
        + split.testFrom().minusDays(1) + ")");
    TrainingChecks.bothClasses(split.test(), "the held-out cohort (signed up from " + split.testFrom() + ")");

    List<Fit> grid = search(split, s);
    Fit best = best(grid);
    Dataset<Row> fitRows = split.beforeTest();
    long fitCount = fitRows.count();
    PipelineModel model = ConversionPipeline.fit(fitRows, s.features(), best.params(), s.maxIter(), s.balanceClasses());
    Dataset<Row> scored = ConversionPipeline.score(model, split.test());
    List<Term> terms = ConversionPipeline.terms(scored, s.features());
    Dataset<Row> predictions = ModelMetrics.withDeciles(
        ReasonCodes.explain(scored, model, terms, s.features(), s.reasonCodes())).cache();
    try {
      ModelMetrics metrics = ModelMetrics.of(predictions);
      Champion champion = Champion.compare(registry, split.test(), metrics.aucRoc(), s.promoteAucTolerance(), request.force());
      String version = registry.nextVersion();
      LOG.info("model {}: held-out AUC-ROC {} on {} rows (champion: {}); {}", version, String.format("%.4f", metrics.aucRoc()),
          metrics.rows(), champion.version().orElse("none"), champion.decision());
      ObjectNode metadata = metadata(ctx, s, source, version, fingerprint, split, fitCount, grid, best, metrics,
          terms, ConversionPipeline.regressionOf(model), champion);
      registry.save(version, model, metadata);
      writeTables(ctx, version, source, split, fitCount, best, metrics, terms, ConversionPipeline.regressionOf(model),
          champion, predictions);
      if (champion.promoted()) {
        registry.promote(version);
      }
    } finally {
      predictions.unpersist();
    }
  }

  /** The rows to train on: the table given, an earlier version of the training set, or the set built now. */
  private Source source(JobContext ctx, ModelSettings s) {
    Lake lake = ctx.lake();
    if (request.table().isPresent()) {
      String name = request.table().get();
      lake.registerExisting();
      SparkSession spark = ctx.spark();
      if (!spark.catalog().tableExists(name)) {
        throw new TrainingException("table " + name + " does not exist");
      }
      long version;
      try {
        version = DeltaTable.forName(spark, name).history(1).first().getLong(0);
      } catch (Exception notDelta) {
        version = -1;
      }
      Dataset<Row> rows = spark.table(name);
      for (String c : List.of(request.idColumn(), request.dateColumn(), request.labelColumn())) {
        if (!List.of(rows.columns()).contains(c)) {
          throw new TrainingException("table " + name + " has no column " + c + " (its columns: " + String.join(", ", rows.columns()) + ")");
        }
      }
      Dataset<Row> renamed = rows
          .withColumn(ConversionTraining.ENTITY_ID.name(), col(request.idColumn()).cast("string"))
          .withColumn(ConversionTraining.SIGNUP_DATE.name(), col(request.dateColumn()).cast("date"))
          .withColumn(ConversionTraining.LABEL.name(), col(request.labelColumn()).cast("int"));
      return new Source(renamed, name, version, "row");
    }
    TableDef table = TrainingSet.table(s.features());
    long version;
    if (request.trainingVersion().isPresent()) {
      version = request.trainingVersion().getAsLong();
      long latest = lake.version(table);
      if (version < 0 || version > latest) {
        throw new TrainingException(table + " has no version " + version + " (latest: " + latest + ")");
      }
    } else {
      version = FeaturesJob.write(ctx, s);
    }
    Dataset<Row> rows = lake.readVersion(table, version);
    String entityType = rows.select(ConversionTraining.ENTITY_TYPE.name()).as(Encoders.STRING())
        .distinct().collectAsList().stream().findFirst().orElse(s.population().label());
    return new Source(rows, table.qualifiedName(), version, entityType);
  }

  /** The version's row in gold.model_versions, if the run that trained it got past writing its tables. */
  private static Optional<Row> recorded(Lake lake, String version) {
    if (!lake.exists(Versions.TABLE)) {
      return Optional.empty();
    }
    return lake.read(Versions.TABLE).where(Versions.VERSION.col().equalTo(version)).collectAsList().stream().findFirst();
  }

  private static boolean isNewerThanCurrent(ModelRegistry registry, String version) {
    return registry.current().map(current -> ModelRegistry.number(version) > ModelRegistry.number(current)).orElse(true);
  }

  /** Splits by sign-up day: the newest test-share of rows held out, the validation-share before them, the rest. */
  static Split split(Dataset<Row> labelled, ModelSettings s) {
    String day = ConversionTraining.SIGNUP_DATE.name();
    List<Row> perDay = labelled.groupBy(day).count().orderBy(col(day).desc()).collectAsList();
    if (perDay.size() < 3) {
      throw new TrainingException("the labelled rows signed up on " + perDay.size() + " day(s); a time-based split needs at least 3");
    }
    long total = perDay.stream().mapToLong(r -> r.getLong(1)).sum();
    // Exact decimals: the shares are decimal settings, and in binary 0.1 + 0.2 times 10 rows is just over 3 rows.
    BigDecimal testRows = BigDecimal.valueOf(s.testShare()).multiply(BigDecimal.valueOf(total));
    BigDecimal testAndValidationRows = BigDecimal.valueOf(s.testShare()).add(BigDecimal.valueOf(s.validationShare()))
        .multiply(BigDecimal.valueOf(total));
    LocalDate testFrom = null;
    LocalDate validationFrom = null;
    long seen = 0;
    for (int i = 0; i < perDay.size(); i++) {
      LocalDate d = perDay.get(i).getDate(0).toLocalDate();
      seen += perDay.get(i).getLong(1);
      BigDecimal seenRows = BigDecimal.valueOf(seen);
      boolean last = i == perDay.size() - 1;
      if (testFrom == null && (seenRows.compareTo(testRows) >= 0 || i == perDay.size() - 3)) {
        testFrom = d;
      } else if (testFrom != null && validationFrom == null && (seenRows.compareTo(testAndValidationRows) >= 0
          || i == perDay.size() - 2 || last)) {
        validationFrom = d;
      }
    }
    LocalDate testTo = perDay.get(0).getDate(0).toLocalDate();
    Column date = col(day);
    return new Split(labelled.where(date.lt(Date.valueOf(validationFrom))),
        labelled.where(date.geq(Date.valueOf(validationFrom)).and(date.lt(Date.valueOf(testFrom)))),
        labelled.where(date.lt(Date.valueOf(testFrom))), labelled.where(date.geq(Date.valueOf(testFrom))),
        validationFrom, testFrom, testTo);
  }

  /** Fits the regression for every grid point on the training cohort and scores the validation cohort. */
  static List<Fit> search(Split split, ModelSettings s) {
    List<PipelineStage> stages = ConversionPipeline.preparation(s.features());
    PipelineModel prepared = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(split.train());
    Dataset<Row> train = prepared.transform(split.train()).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> validation = prepared.transform(split.validation()).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Fit> out = new ArrayList<>();
      for (double reg : s.regParams()) {
        for (double enet : s.elasticNetParams()) {
          if (reg == 0 && enet > 0 && out.stream().anyMatch(f -> f.params().regParam() == 0)) {
            continue; // without regularisation the L1 share changes nothing
          }
          Params p = new Params(reg, enet);
          LogisticRegressionModel lr = ConversionPipeline.regression(p, s.maxIter(), s.balanceClasses()).fit(train);
          Dataset<Row> scored = ConversionPipeline.withProbability(lr.transform(validation));
          Fit f = new Fit(p, ModelMetrics.logLoss(scored), ModelMetrics.aucRoc(scored));
          LOG.info("regParam {} elasticNetParam {}: validation log loss {}, AUC-ROC {}", reg, enet,
              String.format("%.5f", f.validationLogLoss()), String.format("%.4f", f.validationAuc()));
          out.add(f);
        }
      }
      return out;
    } finally {
      train.unpersist();
      validation.unpersist();
    }
  }

  /**
   * The grid point to train the model with: the lowest validation log loss. Of points with the same log loss, the
   * first in grid order (the order {@link #search} fits them: regParams, then elasticNetParams, as configured).
   *
   * @throws NoSuchElementException if the grid is empty
   */
  static Fit best(List<Fit> grid) {
    if (grid.isEmpty()) {
      throw new NoSuchElementException("the grid has no points");
    }
    // A loop, not Stream.min: its Javadoc does not say which of equal elements it returns, and the tie rule is ours.
    // Only a strictly lower loss replaces the best so far, so the first tied point stays; Double.compare as before.
    Fit best = grid.get(0);
    for (Fit f : grid) {
      if (Double.compare(f.validationLogLoss(), best.validationLogLoss()) < 0) {
        best = f;
      }
    }
    return best;
  }

  /** Same training rows, features, parameters and code: same model. */
  private static String fingerprint(Source source, ModelSettings s) {
    ObjectNode o = ModelRegistry.JSON.createObjectNode();
    o.put("table", source.table());
    o.put("version", source.version());
    o.put("code", codeVersion());
    o.set("features", ModelRegistry.JSON.valueToTree(s.features()));
    o.put("population", s.population().label());
    o.put("observation_days", s.observationDays());
    o.put("label_horizon_days", s.labelHorizonDays());
    o.put("test_share", s.testShare());
    o.put("validation_share", s.validationShare());
    o.set("reg_params", ModelRegistry.JSON.valueToTree(s.regParams()));
    o.set("elastic_net_params", ModelRegistry.JSON.valueToTree(s.elasticNetParams()));
    o.put("max_iter", s.maxIter());
    o.put("balance_classes", s.balanceClasses());
    o.put("reason_codes", s.reasonCodes());
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(o.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String codeVersion() {
    String v = TrainJob.class.getPackage().getImplementationVersion();
    return v == null ? "development build" : v;
  }

  private static ObjectNode metadata(JobContext ctx, ModelSettings s, Source source, String version, String fingerprint,
                                     Split split, long fitCount, List<Fit> grid, Fit best, ModelMetrics m,
                                     List<Term> terms, LogisticRegressionModel lr, Champion champion) {
    ObjectNode o = ModelRegistry.JSON.createObjectNode();
    o.put("model", "conversion");
    o.put("version", version);
    o.put("trained_at", ctx.startedAt().toString());
    o.put("as_of", ctx.asOf().toString());
    o.put("run_id", ctx.runId());
    o.put("code_version", codeVersion());
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
    o.set("metrics", ModelRegistry.JSON.valueToTree(m));
    o.put("intercept", lr.intercept());
    ArrayNode coefficients = o.putArray("coefficients");
    for (Row r : coefficientRows(version, terms, lr)) {
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
  private static List<Row> coefficientRows(String version, List<Term> terms, LogisticRegressionModel lr) {
    Vector c = lr.coefficients();
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
    out.add(RowFactory.create(version, rank, "(intercept)", "(intercept)", lr.intercept(), Math.exp(lr.intercept()), "none"));
    return out;
  }

  private void writeTables(JobContext ctx, String version, Source source, Split split, long fitCount, Fit best,
                           ModelMetrics m, List<Term> terms, LogisticRegressionModel lr, Champion champion,
                           Dataset<Row> predictions) {
    Lake lake = ctx.lake();
    SparkSession spark = ctx.spark();
    Optional<Column> ofVersion = Optional.of(Lake.target(Versions.VERSION).equalTo(version));
    Row versionRow = RowFactory.create(version, Timestamp.from(ctx.startedAt()), Date.valueOf(ctx.asOf()), ctx.runId(),
        source.table(), source.version(), fitCount, m.rows(), Date.valueOf(split.testFrom()), Date.valueOf(split.testTo()),
        best.params().regParam(), best.params().elasticNetParam(), m.aucRoc(), m.aucPr(), m.logLoss(), m.brier(), m.ece(),
        m.baseRate(), m.topDecileRate(), m.topDecileLift(), champion.version().orElse(null),
        champion.auc().isPresent() ? champion.auc().getAsDouble() : null, champion.promoted(), champion.decision());
    ctx.metrics().wrote(lake.insertNew(spark.createDataFrame(coefficientRows(version, terms, lr), Coefficients.TABLE.schema()),
        Coefficients.TABLE, ofVersion));
    List<Row> deciles = m.deciles().stream().map(d -> RowFactory.create(version, d.decile(), d.rows(), d.converted(),
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

  /** The current version, and whether the new one replaces it. */
  record Champion(Optional<String> version, OptionalDouble auc, boolean promoted, String decision) {

    static Champion compare(ModelRegistry registry, Dataset<Row> test, double newAuc, double tolerance, boolean force) {
      Optional<String> current = registry.current();
      if (current.isEmpty()) {
        return new Champion(current, OptionalDouble.empty(), true, "promoted: there was no current model");
      }
      String v = current.get();
      double auc;
      String on;
      try {
        auc = ModelMetrics.aucRoc(ConversionPipeline.score(registry.load(v), test));
        on = "on the same held-out cohort";
      } catch (Exception cannotScore) { // e.g. its features are not all in this training set (an AnalysisException)
        JsonNode recorded = registry.metadata(v).path("metrics").path("aucRoc");
        auc = recorded.asDouble(Double.NaN);
        on = "on its own held-out cohort (it cannot score this one: " + FeatureDef.firstLine(cannotScore.getMessage()) + ")";
      }
      String compared = String.format("held-out AUC-ROC %.4f against %s's %.4f %s, tolerance %.4f", newAuc, v, auc, on, tolerance);
      boolean better = !(newAuc < auc - tolerance);
      if (better) {
        return new Champion(current, OptionalDouble.of(auc), true, "promoted: " + compared);
      }
      if (force) {
        return new Champion(current, OptionalDouble.of(auc), true, "promoted by --force although worse: " + compared);
      }
      return new Champion(current, OptionalDouble.of(auc), false, v + " stays current: " + compared);
    }
  }
}
