package dev.plg360.jobs.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.FeatureDef.Kind;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.TrainingSet;
import dev.plg360.common.tables.ModelTables.Coefficients;
import dev.plg360.common.tables.ModelTables.Predictions;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.TableDef;
import dev.plg360.jobs.Cli;
import dev.plg360.jobs.generate.Generator;
import dev.plg360.jobs.generate.OracleAuc;
import dev.plg360.jobs.score.PqlScoring;
import dev.plg360.jobs.score.ScoreSettings;
import dev.plg360.testkit.SparkTestBase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer against the generator's truth. A company of 20,000 workspaces over 90 days is generated (in the
 * vendors' own export shapes, which the truth does not depend on); its truth holds every
 * workspace's planted model inputs, true probability and drawn label. Those become versions of
 * gold.conversion_training (an older one with the earlier sign-ups, then all), so that what is measured is the
 * trainer, the split, the metrics and the registry; {@link TrainingSetTest} and the demo story check that the set
 * built from raw data holds the same values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
// Among the longest classes: at the end of the order, which one test thread takes first (jobs/pom.xml).
@Order(Order.DEFAULT + 3)
class ConversionModelTest extends SparkTestBase {

  @TempDir
  static Path dir;

  /** The planted inputs, as a data scientist would declare them. */
  static final List<FeatureDef> FEATURES = List.of(
      new FeatureDef("active_days", Kind.NUMERIC, "max(1)"),
      new FeatureDef("distinct_features", Kind.NUMERIC, "max(1)"),
      new FeatureDef("invites", Kind.COUNT, "max(1)"),
      new FeatureDef("integration_connected", Kind.BINARY, "max(1)"),
      new FeatureDef("pricing_views", Kind.COUNT, "max(1)"),
      new FeatureDef("employees", Kind.COUNT, "max(1)"),
      new FeatureDef("trial", Kind.BINARY, "max(1)"),
      new FeatureDef("personal", Kind.BINARY, "max(1)"),
      new FeatureDef("decoy_uses", Kind.COUNT, "max(1)"),
      new FeatureDef("industry", Kind.CATEGORICAL, "max(1)"));

  static final LocalDate END = LocalDate.parse("2026-10-31");

  Settings settings;
  Lake lake;
  TableDef table;
  Dataset<Row> truth;
  long olderVersion;
  long allVersion;

  @BeforeAll
  void generateAndLoadTheTruth() {
    startSpark();
    settings = settings(dir, "plg360.generate.workspaces", "20000", "plg360.generate.days", "90",
        "plg360.generate.workspaces-per-partition", "10000", "plg360.generate.seed", "11",
        "plg360.generate.shapes", "realistic").withResource("plg360/real-exports.conf");
    Generator.Result g = Generator.run(spark(), settings, dir.resolve("world").toString(), false);
    assertTrue(g.oracleAuc() > 0.7, "the planted model ranks: " + g.oracleAuc());
    lake = new Lake(spark(), settings.lakeRoot());
    table = TrainingSet.table(FEATURES);
    truth = OracleAuc.truthWorkspaces(spark(), dir.resolve("world").toString()).cache();
    Dataset<Row> rows = truth.where(col("plan_start").isNotNull()).select(
        lit(Date.valueOf(END)).as("as_of"), lit("workspace").as("entity_type"), col("workspace_id").as("entity_id"),
        col("company_domain").as("account_id"), col("signup_date").cast("date").as("signup_date"), col("plan_start"),
        col("observation_point").cast("date").as("observation_date"), lit(null).cast("date").as("label_due_date"),
        when(col("label_complete"), col("converted").cast("int")).as("label"),
        lit(null).cast("timestamp").as("converted_at"),
        col("active_days").cast("double").as("active_days"), col("distinct_features").cast("double").as("distinct_features"),
        col("invites").cast("double").as("invites"), col("integration_connected").cast("double").as("integration_connected"),
        col("pricing_views").cast("double").as("pricing_views"),
        when(col("is_personal"), lit(null)).otherwise(col("employees").cast("double")).as("employees"),
        when(col("plan_start").equalTo("trial"), 1.0).otherwise(0.0).as("trial"),
        col("is_personal").cast("double").as("personal"), col("decoy_uses").cast("double").as("decoy_uses"),
        col("industry"));
    LocalDate cutoff = END.minusDays(60);
    olderVersion = lake.overwriteWithSchema(rows.where(col("signup_date").lt(Date.valueOf(cutoff))), table).version();
    allVersion = lake.overwriteWithSchema(rows, table).version();
  }

  private TrainJob.Request request(OptionalLong version, boolean force) {
    return new TrainJob.Request(version, Optional.empty(), "entity_id", "signup_date", "label", Optional.of(FEATURES), force);
  }

  private ModelRegistry registry(Settings s) {
    return new ModelRegistry(spark(), lake.file(ModelSettings.from(s).registryDir()));
  }

  private Map<String, Double> coefficients(String version) {
    Map<String, Double> out = new HashMap<>();
    for (Row r : lake.read(Coefficients.TABLE).where(Coefficients.VERSION.col().equalTo(version)).collectAsList()) {
      out.put(r.getAs("term"), r.getAs("coefficient"));
    }
    return out;
  }

  @Test
  @Order(1)
  void learnsThePlantedModel() throws Exception {
    runJob(new TrainJob(request(OptionalLong.of(allVersion), false)), settings, END);
    ModelRegistry registry = registry(settings);
    assertEquals(Optional.of("v0001"), registry.current(), "the first model becomes current");
    Row v = lake.read(Versions.TABLE).where(Versions.VERSION.col().equalTo("v0001")).first();
    Dataset<Row> heldOut = lake.read(Predictions.TABLE).where(Predictions.VERSION.col().equalTo("v0001"));
    assertEquals(v.<Long>getAs("test_rows"), heldOut.count(), "every held-out prediction is kept");
    double oracle = OracleAuc.compute(truth.join(heldOut.select(col("entity_id").as("workspace_id")), "workspace_id"));
    double auc = v.getAs("auc_roc");
    System.out.printf("conversion model against the truth: AUC %.4f, oracle %.4f on the same %d workspaces; ECE %.4f%n",
        auc, oracle, heldOut.count(), v.<Double>getAs("ece"));
    // Within 0.01 either way: a model that ranks the held-out workspaces better than their true probabilities do by
    // more than that learnt something that is not in the behaviour (a leaking feature, a biased population).
    assertTrue(Math.abs(auc - oracle) <= 0.01, "held-out AUC " + auc + " against the oracle's " + oracle
        + " on the same workspaces");
    assertTrue(v.<Double>getAs("ece") <= 0.03, "calibrated: ECE " + v.getAs("ece"));
    assertTrue(v.<Double>getAs("top_decile_lift") > 2, "top decile lift " + v.getAs("top_decile_lift"));

    Map<String, Double> c = coefficients("v0001");
    for (String driver : List.of("active_days", "distinct_features", "log1p(invites)", "integration_connected",
        "log1p(pricing_views)", "log1p(employees)", "trial")) {
      assertTrue(c.get(driver) > 0.05, driver + " raises the odds of paying: " + c);
    }
    assertTrue(c.get("personal") < -0.05, "a personal workspace lowers them: " + c);
    // The decoy is used more in engaged workspaces, so its estimate wanders around 0 with the sample; a real effect or
    // a leak would take its odds ratio well outside 1 ± 0.1.
    double decoy = c.get("log1p(decoy_uses)");
    System.out.printf("the decoy's odds ratio: %.3f%n", Math.exp(decoy));
    assertTrue(Math.abs(Math.exp(decoy) - 1) <= 0.1, "the decoy feature, which has no effect, has an odds ratio near 1: "
        + Math.exp(decoy));
    for (String driver : List.of("active_days", "log1p(invites)", "integration_connected", "log1p(pricing_views)")) {
      assertTrue(Math.abs(c.get(driver)) > Math.abs(decoy), "the decoy is weaker than " + driver + ": " + c);
    }
    assertTrue(c.get("industry = Software") > c.get("industry = Retail"), "Software converts better than Retail: " + c);

    JsonNode meta = registry.metadata("v0001");
    assertEquals(allVersion, meta.path("training").path("delta_version").asLong(), "lineage: the Delta version trained on");
    assertEquals(10, meta.path("metrics").path("deciles").size());
    assertEquals(FEATURES.size(), meta.path("features").size());
    Row top = heldOut.orderBy(col("probability").desc()).first();
    assertFalse(top.getList(top.fieldIndex("reasons_up")).isEmpty(), "the likeliest payer has reasons");
  }

  @Test
  @Order(2)
  void trainingAgainOnTheSameDataChangesNothing() throws Exception {
    runJob(new TrainJob(request(OptionalLong.of(allVersion), false)), settings, END);
    assertEquals(List.of("v0001"), registry(settings).versions());
    assertEquals(1, lake.read(Versions.TABLE).count());

    // A run killed after recording v0001 as promoted but before its pointer was written: the next run finishes it.
    ModelRegistry registry = registry(settings);
    assertTrue(new File(registry.dir().toUri().getPath(), "current").delete());
    assertEquals(Optional.empty(), registry.current());
    runJob(new TrainJob(request(OptionalLong.of(allVersion), false)), settings, END);
    assertEquals(Optional.of("v0001"), registry.current(), "the re-run makes the recorded, promoted version current");
    assertEquals(List.of("v0001"), registry.versions(), "without training it again");
  }

  @Test
  @Order(3)
  void anEarlierSnapshotGivesThatDaysModelExactly() throws Exception {
    // That day the training set held the earlier sign-ups only.
    runJob(new TrainJob(request(OptionalLong.of(olderVersion), false)), settings, END.minusDays(60));
    ModelRegistry registry = registry(settings);
    assertEquals(olderVersion, registry.metadata("v0002").path("training").path("delta_version").asLong());
    // Later, from the table's history. (Another reason-code count makes it a new run; it does not touch the fit.)
    runJob(new TrainJob(request(OptionalLong.of(olderVersion), false)), settings.with(Map.of("plg360.model.reason-codes", "4")),
        END);
    assertEquals(coefficients("v0002"), coefficients("v0003"), "the same coefficients, bit for bit");
    assertTrue(!coefficients("v0002").equals(coefficients("v0001")), "and not those of the model trained on all rows");
  }

  @Test
  @Order(4)
  void aWorseChallengerStaysOutUnlessForced() throws Exception {
    ModelRegistry registry = registry(settings);
    String champion = registry.current().orElseThrow();
    List<FeatureDef> weak = List.of(new FeatureDef("decoy_uses", Kind.COUNT, "max(1)"),
        new FeatureDef("industry", Kind.CATEGORICAL, "max(1)"));
    TrainJob.Request r = new TrainJob.Request(OptionalLong.of(allVersion), Optional.empty(), "entity_id", "signup_date",
        "label", Optional.of(weak), false);
    runJob(new TrainJob(r), settings, END);
    assertEquals(Optional.of(champion), registry.current(), "v0004 is worse on the same held-out cohort");
    JsonNode decision = registry.metadata("v0004").path("decision");
    assertFalse(decision.path("promoted").asBoolean());
    assertTrue(decision.path("reason").asText().startsWith(champion + " stays current: held-out AUC-ROC"), decision.toString());
    assertFalse(lake.read(Versions.TABLE).where(Versions.VERSION.col().equalTo("v0004")).first().<Boolean>getAs("promoted"));
    TrainJob.Request forced = new TrainJob.Request(OptionalLong.of(allVersion), Optional.empty(), "entity_id",
        "signup_date", "label", Optional.of(weak.subList(0, 1)), true);
    runJob(new TrainJob(forced), settings, END);
    assertEquals(Optional.of("v0005"), registry.current(), "--force promotes it anyway");
    assertTrue(registry.metadata("v0005").path("decision").path("reason").asText().startsWith("promoted by --force"));
  }

  /** Each bad training set: a clear error naming the problem, no version written, the current model untouched. */
  @Test
  @Order(5)
  void aTrainingSetThatCannotMakeAModelFailsAndWritesNothing() throws Exception {
    ModelRegistry registry = registry(settings);
    List<String> before = registry.versions();
    Optional<String> current = registry.current();
    Dataset<Row> rows = lake.readVersion(table, allVersion);
    Map<String, Dataset<Row>> bad = Map.of(
        "has no labelled row", rows.withColumn("label", lit(null).cast("int")),
        "has no rows: no entity signed up", rows.limit(0),
        "fewer than plg360.model.min-training-rows", rows.where(col("label").isNotNull()).limit(3),
        "have label 0", rows.where(col("label").equalTo(0)),
        "feature trial is constant", rows.withColumn("trial", lit(1.0)),
        "feature invites is null in every labelled row", rows.withColumn("invites", lit(null).cast("double")));
    for (Map.Entry<String, Dataset<Row>> e : bad.entrySet()) {
      e.getValue().createOrReplaceTempView("bad_set");
      TrainJob.Request r = new TrainJob.Request(OptionalLong.empty(), Optional.of("bad_set"), "entity_id", "signup_date",
          "label", Optional.of(FEATURES), false);
      TrainingException t = assertThrows(TrainingException.class, () -> runJob(new TrainJob(r), settings, END));
      assertTrue(t.getMessage().contains(e.getKey()), "expected '" + e.getKey() + "' in: " + t.getMessage());
    }
    Path featureSet = dir.resolve("broken.conf");
    Files.writeString(featureSet, "features { invites_first_7d { kind = count, sql = \"sum(IF(day < 7, events, 0)\" } }\n");
    assertEquals(2, Cli.execute("train", "-D", "plg360.lake.root=" + settings.lakeRoot(), "--feature-set", featureSet.toString()),
        "an expression that does not parse is a configuration error");
    assertEquals(before, registry.versions(), "no version written");
    assertEquals(current, registry.current(), "the current model untouched");
  }

  /**
   * PQL scores as the score job computes them, with the model trained on the earlier sign-ups only (v0002): the
   * later sign-ups it never saw, ranked by score, and the top tenth's realised conversion against the base rate.
   */
  @Test
  @Order(6)
  void pqlScoresOfAnEarlierModelFindWhoPaidLater() {
    ModelRegistry registry = registry(settings);
    JsonNode meta = registry.metadata("v0002");
    Dataset<Row> later = lake.readVersion(table, allVersion)
        .where(col("signup_date").geq(Date.valueOf(END.minusDays(60))).and(col("label").isNotNull()));
    List<Row> ranked = PqlScoring.scoreRows(registry.load("v0002"), PqlScoring.featuresOf(meta), later, 3,
            ScoreSettings.from(settings).reasons(), meta.path("training").path("observation_days").asInt())
        .orderBy(col("probability").desc(), col("entity_id")).select("probability", "label", "reasons").collectAsList();
    int top = ranked.size() / 10;
    double base = ranked.stream().mapToInt(r -> r.getInt(1)).average().orElseThrow();
    double topRate = ranked.subList(0, top).stream().mapToInt(r -> r.getInt(1)).average().orElseThrow();
    System.out.printf("PQL top decile of %,d later sign-ups: %.3f paid against %.3f, lift %.2f%n", ranked.size(), topRate,
        base, topRate / base);
    assertTrue(ranked.size() > 1000, ranked.size() + " later sign-ups with a label");
    assertTrue(topRate / base > 2.0, "the top tenth by PQL paid " + topRate + " against " + base);
    assertTrue(ranked.subList(0, top).stream().anyMatch(r -> r.getList(2).contains("connected an integration")),
        "reasons are in words: " + ranked.get(0));
  }
}
