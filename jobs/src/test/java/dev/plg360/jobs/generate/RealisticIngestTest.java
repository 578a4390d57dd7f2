package dev.plg360.jobs.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.ProductEvents;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.common.tables.Tables.SfCommon;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.jobs.ingest.IngestJob;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A realistic world (docs/GENERATOR.md), with defects planted, landed by {@code plg360 ingest} with
 * conf/real-exports.conf: every record is accepted or quarantined, and quarantined only when a defect was planted in
 * it; Segment's context.groupId, Stripe's item prices and Salesforce's snapshot exports land where the tidy shapes do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealisticIngestTest extends SparkTestBase {

  private static final Map<String, String> WORLD = Map.of(
      "plg360.generate.shapes", "realistic",
      "plg360.generate.workspaces", "100",
      "plg360.generate.days", "45",
      "plg360.generate.workspaces-per-partition", "50",
      "plg360.generate.seed", "31");

  @TempDir
  static Path dir;

  /** The world, generated once with defects planted in one record in ten, and landed. */
  private Landed landed;

  @BeforeAll
  void generateAndIngest() throws Exception {
    startSpark();
    Map<String, String> m = new HashMap<>(WORLD);
    m.put("plg360.generate.bad-rate", "0.1");
    Generator.Result r = Generator.run(spark(), RealisticShapesTest.realExports(dir, m), dir.resolve("world").toString(), false);
    Path root = Path.of(java.net.URI.create(r.out()));
    Settings s = RealisticShapesTest.realExports(dir, Map.of("plg360.landing.dir", root.resolve("landing").toString()));
    runJob(new IngestJob(), s, r.settings().endDate());
    landed = new Landed(r, root, s, new Lake(spark(), s.lakeRoot()));
  }

  private record Landed(Generator.Result result, Path root, Settings settings, Lake lake) {}

  /**
   * Every realistic shape lands where the tidy one does: the records ingest accepts carry what the chain reads. (That
   * nothing but the planted defects is quarantined is {@link #exactlyThePlantedDefectsAreQuarantined}.)
   */
  @Test
  void everyRealisticShapeLandsWhereTheTidyOneDoes() {
    Landed l = landed;
    // Segment: every call after sign-up names its workspace, whichever place the call carries it in.
    Dataset<Row> events = l.lake().read(ProductEvents.TABLE);
    assertTrue(events.where(col("event_type").equalTo("track")).count() > 1000);
    assertEquals(0, events.where(col("event_type").isin("track", "group")
        .and(ProductEvents.WORKSPACE_ID.col().isNull())).count(), "track and group calls with no workspace");
    assertEquals(0, events.where(col("event_type").equalTo("page").and(ProductEvents.USER_ID.col().isNotNull())
        .and(ProductEvents.WORKSPACE_ID.col().isNull())).count(), "signed-in page views with no workspace");

    // Stripe: no row for a workspace that stayed free; every row has its plan, price and seats from the item.
    Set<String> stayedFree = new HashSet<>(spark().read().option("header", "true")
        .csv(l.root().resolve("truth/workspaces").toString())
        .where(col("plan_start").equalTo("free").and(col("paid_at_end").equalTo("false")))
        .select("workspace_id").as(Encoders.STRING()).collectAsList());
    assertTrue(stayedFree.size() > 25, "workspaces that stayed free: " + stayedFree.size());
    Dataset<Row> billing = l.lake().read(SubscriptionEvents.TABLE);
    Set<String> billed = new HashSet<>(billing.select(SubscriptionEvents.METADATA.col().getItem("workspace_id"))
        .as(Encoders.STRING()).collectAsList());
    billed.retainAll(stayedFree);
    assertEquals(Set.of(), billed, "free workspaces with a Stripe row");
    assertEquals(0, billing.where(SubscriptionEvents.PLAN_ID.col().isNull()
        .or(SubscriptionEvents.PLAN_AMOUNT_CENTS.col().isNull()).or(SubscriptionEvents.PLAN_INTERVAL.col().isNull())
        .or(SubscriptionEvents.QUANTITY.col().isNull())).count(), "Stripe rows without plan, price or seats");

    // Salesforce: each version is dated by its export, the end of a day.
    for (var table : List.of(Tables.SfAccounts.TABLE, Tables.SfLeads.TABLE, Tables.SfOpportunities.TABLE)) {
      assertEquals(List.of("23:59:59"), l.lake().read(table)
          .select(date_format(SfCommon.LAST_MODIFIED_AT.col(), "HH:mm:ss")).distinct().as(Encoders.STRING())
          .collectAsList(), table + ": versions dated by their export");
    }
  }

  /**
   * Exactly the planted defects are quarantined, by file, line and reason, and bronze holds every other record written:
   * every kind of defect of every source, Salesforce's snapshots' too.
   */
  @Test
  void exactlyThePlantedDefectsAreQuarantined() throws Exception {
    Landed l = landed;
    Set<String> planted = new HashSet<>();
    Map<String, Long> rejected = new HashMap<>();
    for (Row d : spark().read().option("header", "true").csv(l.root().resolve("truth/defects").toString()).collectAsList()) {
      String reason = d.getAs("expected_reason");
      if (!reason.equals(Truth.ACCEPTED_BY_INGEST)) {
        planted.add(d.getAs("file") + ":" + d.getAs("line") + ":" + reason);
        rejected.merge(d.getAs("source"), 1L, Long::sum);
      }
    }
    assertTrue(planted.size() > 100, "planted rejections: " + planted.size());
    Set<String> quarantined = new HashSet<>();
    for (Row q : l.lake().read(Quarantine.TABLE).select(Quarantine.SOURCE_FILE.col(), Quarantine.LINE.col(),
        Quarantine.REASON.col()).collectAsList()) {
      quarantined.add(q.getString(0) + ":" + q.getLong(1) + ":" + q.getString(2));
    }
    assertEquals(planted, quarantined, "quarantined = planted, by file, line and reason");
    assertEquals(written(l, rejected), bronzeRows(l), "bronze rows = records written - records rejected, per table");

    Set<String> reasons = new TreeSet<>();
    for (String p : planted) {
      if (p.startsWith("salesforce/")) {
        reasons.add(p.substring(p.lastIndexOf(':') + 1));
      }
    }
    // A replay within one export is a duplicate; a bad CreatedDate, a blank Id, a short row are rejected.
    assertEquals(Set.of("DUPLICATE", "MISSING_REQUIRED_FIELD", "UNPARSEABLE_TIMESTAMP", "WRONG_COLUMN_COUNT"), reasons);
  }

  /**
   * Stripe's changes exported as Subscription objects with their update time, landed alone with
   * conf/stripe-subscription-objects.conf, give the billing rows the Event objects give: the same subscription, time,
   * status, customer, plan, price, seats and workspace for each accepted event, and a row more for each event a
   * planted defect lost (the objects carry none).
   */
  @Test
  void stripeSubscriptionObjectsLandAsItsEventsDo() throws Exception {
    Landed l = landed;
    Map<String, String> only = new HashMap<>(Map.of("plg360.lake.root", dir.resolve("objects").toString(),
        "plg360.landing.dir", l.root().resolve("landing").toString(), "plg360.spark.shuffle-partitions", "2"));
    for (String source : Settings.named(Settings.defaults().config().getConfig("plg360.ingest.sources"))) {
      if (!source.equals("stripe")) {
        only.put("plg360.ingest.sources." + source, "null");
      }
    }
    Settings objects = Settings.load(java.util.Optional.of(Path.of("..", "conf", "stripe-subscription-objects.conf")), only);
    assertEquals(List.of("stripe-subscription"), SourceSpec.all(objects).stream().map(SourceSpec::name).toList());
    runJob(new IngestJob(), objects, l.result().settings().endDate());
    Lake lake = new Lake(spark(), objects.lakeRoot());

    Column[] state = {SubscriptionEvents.SUBSCRIPTION_ID.col(), SubscriptionEvents.EVENT_TS.col(),
        SubscriptionEvents.STATUS.col(), SubscriptionEvents.CUSTOMER_ID.col(), SubscriptionEvents.PLAN_ID.col(),
        SubscriptionEvents.PLAN_AMOUNT_CENTS.col(), SubscriptionEvents.QUANTITY.col(), SubscriptionEvents.CANCELED_AT.col(),
        SubscriptionEvents.METADATA.col().getItem("workspace_id")};
    Dataset<Row> fromObjects = lake.read(SubscriptionEvents.TABLE).select(state);
    Dataset<Row> fromEvents = l.lake().read(SubscriptionEvents.TABLE).select(state);
    JsonNode summary = new ObjectMapper().readTree(l.root().resolve("truth/summary.json").toFile());
    long written = summary.path("records_written").path("stripe-subscription").asLong();
    assertTrue(written > 50, "Subscription objects written: " + written);
    assertEquals(written, fromObjects.count(), "every object lands: the export has no defect");
    assertEquals(0, lake.read(Quarantine.TABLE).count());
    assertEquals(0, fromEvents.except(fromObjects).count(), "each event's state is an object's");
    long lost = l.lake().read(Quarantine.TABLE).where(Quarantine.SOURCE.col().equalTo("stripe")
        .and(Quarantine.REASON.col().notEqual("DUPLICATE"))).count();
    assertTrue(lost > 0, "events lost to planted defects");
    assertEquals(written - lost, fromEvents.count(), "an event each object but those the defects lost");
    assertEquals(List.of("subscription.version"), lake.read(SubscriptionEvents.TABLE)
        .select(SubscriptionEvents.EVENT_TYPE.col()).distinct().as(Encoders.STRING()).collectAsList());
  }

  /** Records written per bronze table, from the truth's summary, less those ingest must reject. */
  private Map<String, Long> written(Landed l, Map<String, Long> rejectedPerSource) throws Exception {
    JsonNode summary = new ObjectMapper().readTree(l.root().resolve("truth/summary.json").toFile());
    Map<String, Long> expected = new TreeMap<>();
    for (SourceSpec spec : SourceSpec.all(l.settings())) {
      long written = summary.path("records_written").path(spec.name()).asLong();
      assertTrue(written > 0, "records written for " + spec.name());
      expected.merge(spec.table().qualifiedName(), written - rejectedPerSource.getOrDefault(spec.name(), 0L), Long::sum);
    }
    return expected;
  }

  private Map<String, Long> bronzeRows(Landed l) {
    Map<String, Long> actual = new TreeMap<>();
    for (SourceSpec spec : SourceSpec.all(l.settings())) {
      actual.put(spec.table().qualifiedName(), l.lake().read(spec.table()).count());
    }
    return actual;
  }
}
