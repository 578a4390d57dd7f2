package dev.plg360.jobs.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.ConversionPipeline.Term;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.ModelMetrics;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.ReasonCodes;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.jobs.model.ModelSelection.Fit;
import dev.plg360.jobs.model.ModelSelection.Split;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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
    TrainingSource source = TrainingSource.of(ctx, s, request);
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

  private void train(JobContext ctx, ModelSettings s, TrainingSource source, Dataset<Row> labelled, ModelRegistry registry,
                     String fingerprint) {
    long rows = labelled.count();
    ctx.metrics().read(source.table(), rows);
    Dataset<Row> weighted = ConversionPipeline.withWeights(labelled, s.balanceClasses());
    Split split = ModelSelection.split(weighted, s);
    TrainingChecks.bothClasses(split.train(), "the training cohort (signed up before " + split.validationFrom() + ")");
    TrainingChecks.bothClasses(split.validation(), "the validation cohort (signed up " + split.validationFrom() + " to "
        + split.testFrom().minusDays(1) + ")");
    TrainingChecks.bothClasses(split.test(), "the held-out cohort (signed up from " + split.testFrom() + ")");

    List<Fit> grid = ModelSelection.search(split, s);
    Fit best = ModelSelection.best(grid);
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
      TrainedVersion trained = new TrainedVersion(version, source, split, fitCount, grid, best, metrics, terms,
          ConversionPipeline.regressionOf(model), champion);
      registry.save(version, model, trained.metadata(ctx, s, fingerprint));
      trained.write(ctx, predictions);
      if (champion.promoted()) {
        registry.promote(version);
      }
    } finally {
      predictions.unpersist();
    }
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

  /** Same training rows, features, parameters and code: same model. */
  private static String fingerprint(TrainingSource source, ModelSettings s) {
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


}
