package dev.plg360.jobs;

import static org.apache.spark.sql.functions.explode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.identity.Domains;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.CustomerTimeline;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.common.tables.ModelTables;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.ProductEvents;
import dev.plg360.common.tables.Tables.Workspaces;
import dev.plg360.jobs.c360.Build360Job;
import dev.plg360.jobs.c360.Build360Settings;
import dev.plg360.jobs.c360.SignalTransforms;
import dev.plg360.testkit.SparkTestBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import picocli.CommandLine;

/**
 * The README's first command on a small company, as a story ({@link StoryWorld}): the demo as of an earlier day, then
 * as of the last generated day (identity, gold tables and signals checked against the generator's truth), then that
 * earlier day rebuilt (the same rows), then the demo again (nothing changes). The story's two demos are shared with
 * the other whole-chain tests; this class works on a copy of the demo's folder, so what it writes stays here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
// Its demos start PostgreSQL on the story's port, as KillAndRerunTest's activate does; first, so that the story is
// made early and the two never wait on each other (jobs/pom.xml runs classes two at a time).
@Order(1)
@ResourceLock(StoryWorld.POSTGRES_PORT)
class DemoCommandTest extends SparkTestBase {

  static final LocalDate END = StoryWorld.END;
  static final LocalDate EARLIER = StoryWorld.EARLIER;

  @TempDir
  static Path dir;

  StoryWorld story;
  Lake lake;
  Map<TableDef, List<String>> earlierSnapshot = new HashMap<>();

  @BeforeAll
  void copyTheStory() {
    startSpark();
    story = StoryWorld.get(spark());
    StoryWorld.copy(story.demo(), dir.resolve("demo"));
    lake = new Lake(spark(), dir.resolve("demo/lake").toString());
  }

  private String demo(String... extra) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new DemoCommand());
    cli.setOut(new PrintWriter(out));
    List<String> args = new ArrayList<>(List.of("--dir", dir.resolve("demo").toString()));
    args.addAll(StoryWorld.COMPANY);
    args.addAll(List.of(extra));
    assertEquals(0, cli.execute(args.toArray(String[]::new)), out.toString());
    return out.toString();
  }

  private List<String> snapshot(TableDef table, LocalDate asOf) {
    return snapshot(lake, table, asOf);
  }

  private static List<String> snapshot(Lake lake, TableDef table, LocalDate asOf) {
    Column[] key = table.key().stream().map(c -> c.col()).toArray(Column[]::new);
    return lake.read(table).where(Snapshot.AS_OF.col().equalTo(java.sql.Date.valueOf(asOf))).orderBy(key).toJSON()
        .collectAsList();
  }

  @Test
  @Order(1)
  void runsAsOfAnEarlierDay() {
    String out = story.output(StoryWorld.EARLIER_RUN);
    Lake then = new Lake(spark(), story.afterEarlier().resolve("lake").toString());
    assertTrue(out.contains("Generating a company of 120 workspaces"), out);
    assertTrue(out.contains("no model after") && out.contains("fewer than plg360.model.min-training-rows"),
        "two weeks earlier too few workspaces have a label; the demo says so and goes on:\n" + out);
    assertTrue(out.contains("No PQL scores") && out.contains("Leads by status"), "and scores without PQL:\n" + out);
    for (TableDef t : List.of(Account360.TABLE, User360.TABLE, Workspace360.TABLE)) {
      List<String> rows = snapshot(then, t, EARLIER);
      assertTrue(rows.size() > 50, t + " has " + rows.size() + " rows as of " + EARLIER);
      earlierSnapshot.put(t, rows);
    }
    // The company's exports run to END and were all landed: the earlier day's snapshot must not see past its day.
    java.sql.Date day = java.sql.Date.valueOf(EARLIER);
    Dataset<Row> workspaces = then.read(Workspace360.TABLE).where(Snapshot.AS_OF.col().equalTo(day));
    assertTrue(workspaces.where(functions.to_date(Workspace360.CREATED_AT.col()).gt(day)).isEmpty(),
        "no workspace created after the as-of day is in its snapshot");
    Dataset<Row> people = then.read(User360.TABLE).where(Snapshot.AS_OF.col().equalTo(day));
    assertTrue(people.where(functions.to_date(User360.FIRST_SEEN_AT.col()).gt(day)).isEmpty(),
        "nor any person first seen after it");
    assertTrue(lake.read(Workspace360.TABLE).where(Snapshot.AS_OF.col().equalTo(java.sql.Date.valueOf(END))
        .and(functions.to_date(Workspace360.CREATED_AT.col()).gt(day))).count() > 0,
        "while the last day's snapshot has workspaces created since: the check above can fail");
  }

  @Test
  @Order(2)
  void runsTheChainAndShowsTheResult() throws Exception {
    String out = story.output(StoryWorld.END_RUN);
    assertTrue(out.contains("Using the company generated before"), out);
    for (String shown : new String[] {"ingest", "resolve", "build360", "bronze.product_events", "silver.accounts",
        "gold.account_360", "Quarantine", "MALFORMED_JSON", "people linked by EMAIL_DOMAIN"}) {
      assertTrue(out.contains(shown), "the summary shows " + shown + ":\n" + out);
    }
    long events = lake.read(ProductEvents.TABLE).count();
    assertTrue(events > 1000 && lake.read(People.TABLE).count() > 100, events + " events");
    assertIdentityMatchesTheTruth();
    assertTrue(out.contains("Conversion model v0001") && out.contains("(oracle "), "the model beside the oracle:\n" + out);
    assertTrue(out.contains("Top 10 free and trial accounts by PQL score") && out.contains("REMARKET TRASH"),
        "the best accounts to call and the leads by status:\n" + out);
    assertTrainingSetMatchesTheTruth();
    assertTrue(out.contains("Write-back to PostgreSQL (embedded server"), out);
    assertTrue(out.contains("upserted"), "the scores of the day went to PostgreSQL:\n" + out);
    Path card = story.lake().resolve("reports/model-card.html");
    assertTrue(out.contains(card.toString()) && Files.readString(card).contains("<title>Conversion model card v0001</title>"),
        "the demo ends with the model card it wrote:\n" + out);
    assertTargetHoldsTheScores(out);
    assertTrue(lake.read(CustomerTimeline.TABLE).where(CustomerTimeline.EVENT_DATE.col().gt(java.sql.Date.valueOf(END))).isEmpty(),
        "the timeline holds nothing after the as-of day");
    assertEquals(5, lake.read(CustomerTimeline.TABLE).select(CustomerTimeline.SOURCE.col()).distinct().count(),
        "product, marketing, sales, support and billing touches");
    for (TableDef t : List.of(Account360.TABLE, Workspace360.TABLE, User360.TABLE, CustomerTimeline.TABLE, Signals.TABLE)) {
      Map<String, String> comments = new HashMap<>();
      for (Row r : spark().sql("DESCRIBE TABLE " + t.qualifiedName()).collectAsList()) {
        if (r.getString(0).startsWith("#")) {
          break;
        }
        comments.put(r.getString(0), r.getString(2));
      }
      for (var c : t.columns()) {
        assertEquals(c.comment(), comments.get(c.name()), "DESCRIBE TABLE " + t + " shows the comment of " + c.name());
      }
    }
  }

  @Test
  @Order(3)
  void rebuildingAnEarlierDayGivesTheRowsItGaveThen() throws Exception {
    Settings settings = settings(dir.resolve("demo"));
    runJob(new Build360Job(), settings, EARLIER);
    for (TableDef t : earlierSnapshot.keySet()) {
      List<String> again = snapshot(t, EARLIER);
      List<String> before = earlierSnapshot.get(t);
      List<String> differing = new ArrayList<>(again);
      differing.removeAll(before);
      assertEquals(before.size(), again.size(), t + ": row count");
      assertTrue(differing.isEmpty(), t + ": " + differing.size() + " rows differ, e.g. " + differing.stream().limit(2).toList());
    }
    assertEquals(2, lake.read(Account360.TABLE).select(Snapshot.AS_OF.col()).distinct().count(), "two snapshots kept");
  }

  @Test
  @Order(4)
  void signalsFindWhatWasPlanted() {
    Map<String, String> personOfUser = new HashMap<>();
    for (Row r : lake.read(People.TABLE).select(explode(People.USER_IDS.col()), People.PERSON_ID.col()).collectAsList()) {
      personOfUser.put(r.getString(0), r.getString(1));
    }
    Map<String, String> accountOfWorkspace = new HashMap<>();
    for (Row r : snapshotFrame(Workspace360.TABLE).select(Workspace360.WORKSPACE_ID.col(), Workspace360.ACCOUNT_ID.col())
        .collectAsList()) {
      accountOfWorkspace.put(r.getString(0), r.getString(1));
    }
    Set<String> plantedSpikes = new HashSet<>();
    for (Row r : truth("invite_spikes")) {
      plantedSpikes.add(personOfUser.get(r.<String>getAs("user_id")) + "|" + r.getAs("day"));
    }
    // A planted surge runs from its start to the last day: found when its account fires a surge in that window; a
    // surge fired anywhere else, an earlier one of the same account too, is noise.
    Map<String, java.time.LocalDate> surgeStart = new HashMap<>();
    for (Row r : truth("surges")) {
      surgeStart.merge(accountOfWorkspace.get(r.<String>getAs("workspace_id")),
          java.time.LocalDate.parse(r.getAs("start_date")), (a, b) -> a.isBefore(b) ? a : b);
    }
    Set<String> plantedNearCap = new HashSet<>();
    for (Row r : truth("near_cap")) {
      plantedNearCap.add(r.getAs("workspace_id"));
    }
    Set<String> spikes = fired(SignalTransforms.INVITE_SPIKE, Signals.PERSON_ID, true);
    List<String> surges = fired(SignalTransforms.ACTIVITY_SURGE, Signals.ACCOUNT_ID, true).stream().sorted().toList();
    Set<String> surgesFound = new HashSet<>();
    for (String f : surges) {
      String account = f.substring(0, f.indexOf('|'));
      java.time.LocalDate day = java.time.LocalDate.parse(f.substring(f.indexOf('|') + 1));
      if (surgeStart.containsKey(account) && !day.isBefore(surgeStart.get(account))) {
        surgesFound.add(account);
      }
    }
    Set<String> nearCap = new HashSet<>(lake.read(Signals.TABLE)
        .where(Signals.SIGNAL_TYPE.col().equalTo(SignalTransforms.CAP_APPROACHING)
            .and(Signals.SUBJECT.col().equalTo("api-calls-per-month")))
        .select(Signals.WORKSPACE_ID.col()).as(org.apache.spark.sql.Encoders.STRING()).collectAsList());

    Measure spike = Measure.of(plantedSpikes, spikes);
    Measure surge = new Measure(surgeStart.size(), surges.size(), surgesFound.size());
    Measure cap = Measure.of(plantedNearCap, nearCap);
    System.out.printf("signals against the truth: invite spikes %s; surges %s; api-call caps %s%n", spike, surge, cap);
    assertTrue(plantedSpikes.size() >= 3 && surgeStart.size() >= 3 && plantedNearCap.size() >= 3, "enough planted");
    assertTrue(spike.recall() >= 0.9 && spike.precision() >= 0.9, "invite spikes: " + spike);
    assertTrue(surge.recall() >= 0.8 && surge.precision() >= 0.5, "surges: " + surge);
    assertTrue(cap.recall() >= 0.9 && cap.precision() >= 0.9, "near-cap workspaces: " + cap);

    // Milestones: only those configured as worth a seller's attention, at most one a workspace a week.
    List<String> meaningful = Build360Settings.from(settings(dir.resolve("demo"))).signals().milestones();
    List<Row> milestones = lake.read(Signals.TABLE).where(Signals.SIGNAL_TYPE.col().equalTo(SignalTransforms.MILESTONE_REACHED))
        .select(Signals.WORKSPACE_ID.col(), Signals.SUBJECT.col(), Signals.SIGNAL_DATE.col()).collectAsList();
    Map<String, Integer> perWeek = new HashMap<>();
    for (Row r : milestones) {
      assertTrue(meaningful.contains(r.getString(1)), r + " is not among " + meaningful);
      perWeek.merge(r.getString(0) + " " + r.getDate(2).toLocalDate().with(java.time.DayOfWeek.MONDAY), 1, Integer::sum);
    }
    assertTrue(milestones.size() >= 20, milestones.size() + " milestones");
    assertEquals(List.of(), perWeek.entrySet().stream().filter(e -> e.getValue() > 1).toList(), "one a workspace a week");
  }

  /** Recall and precision of fired signals against planted ones. */
  record Measure(int planted, int fired, int found) {
    static Measure of(Set<String> planted, Set<String> fired) {
      Set<String> both = new HashSet<>(planted);
      both.retainAll(fired);
      return new Measure(planted.size(), fired.size(), both.size());
    }

    double recall() {
      return planted == 0 ? 0 : (double) found / planted;
    }

    double precision() {
      return fired == 0 ? 0 : (double) found / fired;
    }

    @Override
    public String toString() {
      return String.format("%d planted, %d fired, %d found: recall %.2f, precision %.2f", planted, fired, found, recall(),
          precision());
    }
  }

  private Dataset<Row> snapshotFrame(TableDef t) {
    return lake.read(t).where(Snapshot.AS_OF.col().equalTo(java.sql.Date.valueOf(END)));
  }

  private List<Row> truth(String table) {
    return spark().read().option("header", "true").csv(dir.resolve("demo/truth/" + table).toString()).collectAsList();
  }

  private Set<String> fired(String type, dev.plg360.common.tables.Col subject, boolean withDay) {
    Column key = withDay ? org.apache.spark.sql.functions.concat_ws("|", subject.col(), Signals.SIGNAL_DATE.col().cast("string"))
        : subject.col();
    return new HashSet<>(lake.read(Signals.TABLE).where(Signals.SIGNAL_TYPE.col().equalTo(type)).select(key)
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  /** The day's scores against what the generator planted, and seat penetration by hand for one account. */
  @Test
  @Order(5)
  void scoresCarryWhatWasPlanted() {
    Dataset<Row> scores = lake.read(AccountScores.TABLE);
    assertEquals(snapshotFrame(Account360.TABLE).count(), scores.count(), "a score row per account of the day");
    assertTrue(scores.where(AccountScores.PQL_SCORE.col().isNotNull().and(AccountScores.PLAN_KIND.col().equalTo("paid")))
        .isEmpty(), "no paid account has a PQL score");
    assertTrue(scores.where(AccountScores.PQL_SCORE.col().isNotNull()).count() > 20, "free and trial accounts are scored");

    // The score job builds a workspace's features as training does: an unpaid workspace past its observation point
    // is scored on the same window as its row of gold.conversion_training, so its PQL score is that row's probability.
    ModelRegistry registry = new ModelRegistry(spark(), lake.file("models/conversion"));
    Dataset<Row> pending = lake.read(ModelTables.ConversionTraining.TABLE)
        .where(ModelTables.ConversionTraining.LABEL.col().isNull().and(ModelTables.ConversionTraining.CONVERTED_AT.col().isNull()));
    Map<String, Double> expected = new HashMap<>();
    for (Row r : ConversionPipeline.score(registry.load(registry.current().orElseThrow()), pending)
        .select("entity_id", "probability").collectAsList()) {
      expected.put(r.getString(0), Math.round(r.getDouble(1) * 1000) / 10.0);
    }
    List<Row> single = scores.join(snapshotFrame(Account360.TABLE).where(Account360.WORKSPACES.col().equalTo(1))
            .select(Account360.ACCOUNT_ID.col()), "account_id")
        .where(AccountScores.PQL_WORKSPACE_ID.col().isin(expected.keySet().toArray())).collectAsList();
    assertTrue(single.size() >= 5, single.size() + " one-workspace accounts to compare");
    for (Row r : single) {
      assertEquals(expected.get(r.<String>getAs("pql_workspace_id")), r.<Double>getAs("pql_score"), r.toString());
    }

    Set<String> plantedJunk = new HashSet<>();
    long planted = 0;
    for (Row r : spark().read().csv(dir.resolve("demo/truth/defects").toString()).collectAsList()) {
      if ("junk_lead".equals(r.getString(0))) {
        plantedJunk.add(r.getString(5));
        planted++;
      }
    }
    List<Row> trash = lake.read(LeadScores.TABLE).where(LeadScores.REMARKET_REASON.col().equalTo("TRASH")).collectAsList();
    assertTrue(planted >= 1, "the company has junk leads");
    assertEquals(planted, trash.stream().filter(r -> plantedJunk.contains(r.<String>getAs("name"))).count(),
        "every planted junk lead is REMARKET/TRASH: " + trash);
    assertEquals(planted, trash.size(), "and nothing else is: " + trash);

    Map<String, List<String>> recent = new HashMap<>();
    Map<String, List<String>> capsNear = new HashMap<>();
    for (Row r : scores.select(AccountScores.ACCOUNT_ID.col(), AccountScores.RECENT_SIGNALS.col(), AccountScores.CAPS_NEAR.col())
        .collectAsList()) {
      recent.put(r.getString(0), r.getList(1));
      capsNear.put(r.getString(0), r.getList(2));
    }
    Map<String, String> accountOf = new HashMap<>();
    for (Row r : snapshotFrame(Workspace360.TABLE).select(Workspace360.WORKSPACE_ID.col(), Workspace360.ACCOUNT_ID.col())
        .collectAsList()) {
      accountOf.put(r.getString(0), r.getString(1));
    }
    // A near-cap workspace's API calls stand at 85-98% of its cap on the last day: its account lists that meter.
    Set<String> nearCapPlanted = new HashSet<>();
    Set<String> nearCapShown = new HashSet<>();
    for (Row r : truth("near_cap")) {
      String ws = r.getAs("workspace_id");
      nearCapPlanted.add(ws);
      if (capsNear.getOrDefault(accountOf.get(ws), List.of()).stream().anyMatch(c -> c.startsWith("api-calls-per-month of " + ws + " at"))) {
        nearCapShown.add(ws);
      }
    }
    Measure nearCap = Measure.of(nearCapPlanted, nearCapShown);
    Measure surging = carried(truth("surges"), accountOf, recent, SignalTransforms.ACTIVITY_SURGE);
    System.out.printf("accounts carrying the planted state or signal: near cap %s; surging %s%n", nearCap, surging);
    assertTrue(nearCap.recall() >= 0.9, "near-cap workspaces show in their account's caps_near: " + nearCap);
    assertTrue(surging.recall() >= 0.75, "surging accounts carry ACTIVITY_SURGE: " + surging);

    // Seat penetration of the account with the most people among those with headcounts and bought seats, by hand.
    Row a = snapshotFrame(Account360.TABLE).where(Account360.DEPARTMENT_HEADCOUNTS.col().isNotNull()
            .and(dev.plg360.common.tables.GoldTables.Billing.SEATS_BOUGHT.col().gt(0)))
        .orderBy(Account360.PEOPLE.col().desc(), Account360.ACCOUNT_ID.col()).first();
    String id = a.getAs("account_id");
    long active = snapshotFrame(User360.TABLE).where(User360.ACCOUNT_ID.col().equalTo(id)
        .and(dev.plg360.common.tables.GoldTables.Activity.ACTIVE_DAYS_28D.col().gt(0))).count();
    Map<String, String> heads = a.getJavaMap(a.fieldIndex("department_headcounts"));
    long addressable = 0;
    for (String d : List.of("engineering", "product", "design")) {
      addressable += heads.containsKey(d) ? Long.parseLong(heads.get(d)) : 0;
    }
    Row s = scores.where(AccountScores.ACCOUNT_ID.col().equalTo(id)).first();
    assertEquals(active, s.<Long>getAs("seats_active"), id + ": active people of user_360");
    assertEquals(Math.round(10000.0 * active / a.<Long>getAs("seats_bought")) / 10000.0, s.<Double>getAs("seat_utilisation"), 1e-9, id);
    assertEquals(Math.round(10000.0 * active / a.<Long>getAs("employees")) / 10000.0, s.<Double>getAs("employee_penetration"), 1e-9, id);
    assertEquals(addressable, s.<Long>getAs("addressable_headcount"), id + " " + heads);
    assertEquals(Math.round(10000.0 * active / addressable) / 10000.0, s.<Double>getAs("addressable_penetration"), 1e-9, id);
    assertEquals(Math.max(0, addressable - active), s.<Long>getAs("whitespace_seats"), id);
  }

  /** Of the planted workspaces' accounts, how many have the signal type among their current signals. */
  private static Measure carried(List<Row> planted, Map<String, String> accountOf, Map<String, List<String>> recent, String type) {
    Set<String> accounts = new HashSet<>();
    Set<String> carrying = new HashSet<>();
    for (Row r : planted) {
      String account = accountOf.get(r.<String>getAs("workspace_id"));
      accounts.add(account);
      if (recent.getOrDefault(account, List.of()).contains(type)) {
        carrying.add(account);
      }
    }
    return Measure.of(accounts, carrying);
  }

  @Test
  @Order(7)
  void runningItAgainChangesNothing() {
    long events = lake.read(ProductEvents.TABLE).count();
    long signals = lake.read(Signals.TABLE).count();
    List<String> accounts = snapshot(Account360.TABLE, END);
    Map<TableDef, Long> scoreVersions = Map.of(AccountScores.TABLE, lake.version(AccountScores.TABLE),
        LeadScores.TABLE, lake.version(LeadScores.TABLE));
    Map<String, String> hashes = LakeHash.of(spark(), lake.root());
    String out = demo();
    Map<String, String> again = LakeHash.of(spark(), lake.root());
    assertEquals("", LakeHash.differences(spark(), lake.root(), hashes, lake.root(), again),
        "a second run of the same day leaves every table's content (and the model registry) as the first left it");
    assertTrue(out.contains("Using the company generated before"), out);
    assertEquals(events, lake.read(ProductEvents.TABLE).count(), "a second demo adds no event");
    assertEquals(signals, lake.read(Signals.TABLE).count(), "nor a signal");
    assertEquals(accounts, snapshot(Account360.TABLE, END), "and the day's snapshot is the same");
    for (TableDef t : List.of(AccountScores.TABLE, LeadScores.TABLE)) {
      assertEquals(scoreVersions.get(t), lake.version(t), t + ": scoring the same day again commits nothing");
      long v = scoreVersions.get(t);
      assertTrue(spark().read().format("delta").option("readChangeFeed", "true").option("startingVersion", v)
          .load(lake.path(t)).where("_commit_version > " + v).isEmpty(), t + ": its change feed has nothing new");
    }
    assertTrue(out.contains("0 rows delivered: nothing changed since the last delivery"), out);
    assertTargetHoldsTheScores(out);
    assertEquals(24, lake.read(JobRuns.TABLE).where(JobRuns.STATUS.col().equalTo("SUCCEEDED")).count(),
        "three demos (each a run) of seven jobs (the first one's train failed: too few labels) and one rebuild, each logged");
    assertEquals(1, lake.read(Versions.TABLE).count(), "and no second model: the same data trains the same one");
  }

  /** {@code plg360 report} on the demo's lake: the card is the current model's, with the AUC training stored. */
  @Test
  @Order(8)
  void reportShowsTheDemosModelAndRun() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Cli());
    cli.setOut(new PrintWriter(out));
    Path reports = dir.resolve("demo/reports");
    assertEquals(0, cli.execute("report", "-D", "plg360.lake.root=" + dir.resolve("demo/lake"), "--out", reports.toString()),
        out.toString());
    Row current = lake.read(Versions.TABLE).where(Versions.VERSION.col().equalTo("v0001")).first();
    String auc = String.format(Locale.ROOT, "%.3f", current.<Double>getAs(Versions.AUC_ROC.name()));
    String card = Files.readString(reports.resolve("model-card.html"));
    assertTrue(card.contains("<title>Conversion model card v0001</title>")
        && card.contains("<tr><td>AUC-ROC</td><td class=\"n\">" + auc + "</td>"), "v0001 with AUC-ROC " + auc + ":\n" + card);
    String runs = Files.readString(reports.resolve("run-report.html"));
    assertTrue(runs.contains("<td>ingest</td>") && runs.contains("<td>activate</td>") && runs.contains("MALFORMED_JSON"),
        "the demo's runs and quarantine:\n" + runs);
  }

  /**
   * Every notebook of notebooks/, executed headless by Debian's Jupyter on the demo's lake, calling the command line
   * through a launcher on the test classpath. The experiment notebook trains its challenger in a sandbox copy of
   * what train writes, so the lake's current model stays v0001 whatever the challenger scores.
   */
  @Test
  @Order(9)
  void notebooksRunOnTheDemo() throws Exception {
    Path work = Files.createDirectories(dir.resolve("notebooks"));
    Path executed = Files.createDirectories(work.resolve("executed"));
    // The experiment trains on the demo's small company: it needs the model settings the demo ran with.
    StringBuilder conf = new StringBuilder();
    List<String> company = StoryWorld.COMPANY;
    for (int i = 0; i + 1 < company.size(); i++) {
      if (company.get(i).equals("-D") && company.get(i + 1).startsWith("plg360.model.")) {
        conf.append(company.get(i + 1).replaceFirst("=", " = ")).append('\n');
      }
    }
    Path confFile = Files.writeString(work.resolve("model.conf"), conf);
    List<String> notebooks;
    try (var files = Files.list(Path.of("..", "notebooks"))) {
      notebooks = files.map(Path::toString).filter(f -> f.endsWith(".ipynb")).sorted().toList();
    }
    assertTrue(notebooks.size() >= 4, "the four notebooks: " + notebooks);
    // Two nbconvert processes side by side: the feature experiment (it trains), and the others (queries). Most of a
    // notebook's time is a plg360 JVM starting, which keeps one core busy, not two.
    String experimentNotebook = notebooks.stream().filter(n -> n.endsWith("02-feature-experiment.ipynb")).findFirst()
        .orElseThrow();
    List<List<String>> groups = List.of(List.of(experimentNotebook),
        notebooks.stream().filter(n -> !n.equals(experimentNotebook)).toList());
    long started = System.nanoTime();
    List<Process> running = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      List<String> cmd = new ArrayList<>(List.of("jupyter", "nbconvert", "--to", "notebook", "--execute",
          "--output-dir", executed.toString(), "--ExecutePreprocessor.timeout=600",
          "--ExecutePreprocessor.kernel_name=python3"));
      cmd.addAll(groups.get(g));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(work.resolve("nbconvert-" + g + ".log").toFile());
      // Debian's Jupyter and its python3 kernel (/usr/bin/python3), not another Python first on the PATH.
      pb.environment().put("PATH", "/usr/bin:/bin:" + System.getenv("PATH"));
      pb.environment().put("PLG360", CliProcess.launcher(work).toString());
      pb.environment().put("PLG360_LAKE_ROOT", dir.resolve("demo/lake").toString());
      pb.environment().put("PLG360_CONF", confFile.toString());
      pb.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
      running.add(pb.start());
    }
    for (int g = 0; g < running.size(); g++) {
      Process nbconvert = running.get(g);
      boolean finished = nbconvert.waitFor(15, java.util.concurrent.TimeUnit.MINUTES);
      if (!finished) {
        nbconvert.destroyForcibly();
      }
      String log = Files.readString(work.resolve("nbconvert-" + g + ".log"));
      assertTrue(finished && nbconvert.exitValue() == 0, "nbconvert failed on " + groups.get(g) + ":\n" + log);
    }
    System.out.printf("notebooks: %d executed in %d s%n", notebooks.size(), (System.nanoTime() - started) / 1_000_000_000L);

    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    Map<String, String> outputs = new HashMap<>();
    for (String nb : notebooks) {
      String name = Path.of(nb).getFileName().toString();
      StringBuilder text = new StringBuilder();
      int images = 0;
      for (var cell : json.readTree(executed.resolve(name).toFile()).path("cells")) {
        for (var output : cell.path("outputs")) {
          images += output.path("data").has("image/png") ? 1 : 0;
          output.path("text").forEach(t -> text.append(t.asText()));
          output.path("data").path("text/plain").forEach(t -> text.append(t.asText()));
        }
      }
      assertTrue(images > 0, name + " draws its charts");
      outputs.put(name, text.toString());
    }
    String experiment = outputs.get("02-feature-experiment.ipynb");
    assertTrue(experiment.contains("v0002 (+ invites_first_7d)") && experiment.contains("v0001 (current)")
        && experiment.contains("current model of the real lake: v0001"), "both versions compared:\n" + experiment);
    assertEquals(1, lake.read(Versions.TABLE).count(), "the challenger went to the sandbox, not to the demo's lake");
    assertEquals("v0001", new ModelRegistry(spark(), lake.file("models/conversion")).current().orElseThrow());
    String top = lake.read(AccountScores.TABLE).where(AccountScores.PQL_SCORE.col().isNotNull())
        .orderBy(AccountScores.PQL_SCORE.col().desc(), AccountScores.ACCOUNT_ID.col()).first().getAs("account_id");
    assertTrue(outputs.get("03-account-drill-down.ipynb").contains("account: " + top), "the drill-down defaults to " + top);
  }

  /** The embedded PostgreSQL holds a row for every account score, lead score and signal of the lake. */
  private void assertTargetHoldsTheScores(String out) {
    for (TableDef t : List.of(AccountScores.TABLE, LeadScores.TABLE, Signals.TABLE)) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("plg360\\." + t.name() + " +([\\d,]+) rows in PostgreSQL")
          .matcher(out);
      assertTrue(m.find(), t + " in PostgreSQL:\n" + out);
      assertEquals(lake.read(t).count(), Long.parseLong(m.group(1).replace(",", "")), t + ": rows in PostgreSQL");
    }
  }

  /**
   * The training set built from the raw exports against the generator's truth: every label, and the planted model's
   * inputs as the default features count them. Planted defects drop a few records, so a few workspaces may differ.
   */
  private void assertTrainingSetMatchesTheTruth() {
    Map<String, Row> planted = new HashMap<>();
    for (Row r : truth("workspaces")) {
      planted.put(r.getAs("workspace_id"), r);
    }
    List<Row> rows = lake.read(ModelTables.ConversionTraining.TABLE).collectAsList();
    Map<String, Integer> differences = new HashMap<>();
    int labelled = 0;
    int compared = 0;
    for (Row r : rows) {
      Row t = planted.get(r.<String>getAs("entity_id"));
      if (t == null) {
        continue; // a workspace id that only a planted defect made up
      }
      compared++;
      if (!r.isNullAt(r.fieldIndex("label"))) {
        labelled++;
        assertEquals("true", t.getAs("label_complete"), r.getAs("entity_id") + " is labelled only once its horizon passed");
        differences.merge("label", r.<Integer>getAs("label") == ("true".equals(t.getAs("converted")) ? 1 : 0) ? 0 : 1, Integer::sum);
      }
      for (String[] pair : new String[][] {{"active_days", "active_days"}, {"invites", "invites"},
          {"integration_connected", "integration_connected"}, {"pricing_page_views", "pricing_views"},
          {"template_uses", "decoy_uses"}}) {
        double expected = "integration_connected".equals(pair[1]) ? ("true".equals(t.getAs(pair[1])) ? 1 : 0)
            : Double.parseDouble(t.getAs(pair[1]));
        differences.merge(pair[0], r.<Double>getAs(pair[0]) == expected ? 0 : 1, Integer::sum);
      }
    }
    assertTrue(labelled >= 30 && compared > labelled, labelled + " labelled of " + compared);
    assertEquals(0, differences.get("label"), "every label is the generator's");
    // The population: every workspace that started free or on a trial and was observed by the day, those that paid
    // later too (a free workspace has no Stripe record until its first paid subscription). Planted defects may lose a
    // few.
    java.util.Set<String> inSet = new HashSet<>();
    rows.forEach(r -> inSet.add(r.getAs("entity_id")));
    List<String> missing = planted.values().stream()
        .filter(t -> t.getAs("plan_start") != null && !java.time.Instant.parse(t.getAs("observation_point"))
            .isAfter(END.atStartOfDay(java.time.ZoneOffset.UTC).toInstant()))
        .map(t -> t.<String>getAs("workspace_id")).filter(w -> !inSet.contains(w)).sorted().toList();
    assertTrue(missing.size() <= compared / 20, missing.size() + " of the planted population missing: " + missing);
    for (Map.Entry<String, Integer> d : differences.entrySet()) {
      assertTrue(d.getValue() <= compared / 20, d.getValue() + " of " + compared + " workspaces differ in " + d.getKey()
          + " from the planted inputs: " + differences);
    }
  }

  /**
   * Identity against the companies the generator planted: at least 97 % of workspaces and 85 % of free-mail users
   * on their company (or on a personal account where they have none), and no user whose email the lake holds at a
   * business domain anywhere else. A workspace whose every group call a planted defect broke is unknown to the lake,
   * and counts as wrong.
   */
  private void assertIdentityMatchesTheTruth() {
    Map<String, String> workspaceCompany = new HashMap<>();
    for (Row r : truth("workspaces")) {
      workspaceCompany.put(r.getAs("workspace_id"), "true".equals(r.getAs("is_personal")) ? "personal" : r.getAs("company_domain"));
    }
    Map<String, String> resolvedWorkspace = new HashMap<>();
    for (Row r : lake.read(Workspaces.TABLE).select(Workspaces.WORKSPACE_ID.col(), Workspaces.ACCOUNT_ID.col()).collectAsList()) {
      resolvedWorkspace.put(r.getString(0), company(r.getString(1)));
    }
    long rightWorkspaces = workspaceCompany.entrySet().stream()
        .filter(e -> e.getValue().equals(resolvedWorkspace.get(e.getKey()))).count();

    Map<String, Row> planted = new HashMap<>();
    for (Row r : truth("users")) {
      planted.put(r.getAs("user_id"), r);
    }
    int freeMail = 0;
    int rightFreeMail = 0;
    List<String> wrongBusiness = new ArrayList<>();
    List<Row> resolved = lake.read(People.TABLE).select(explode(People.USER_IDS.col()).as("user_id"), People.ACCOUNT_ID.col(),
        People.PERSON_ID.col(), People.IS_FREE_MAIL.col()).collectAsList();
    for (Row r : resolved) {
      Row t = planted.get(r.getString(0));
      String expected = "true".equals(t.getAs("is_personal")) ? "personal" : t.getAs("company_domain");
      boolean right = expected.equals(company(r.getString(1)));
      String email = t.getAs("email");
      if (email != null && Domains.isFreeMail(email.substring(email.indexOf('@') + 1))) {
        freeMail++;
        rightFreeMail += right ? 1 : 0;
      }
      boolean business = !r.isNullAt(3) && !r.getBoolean(3) && r.getString(2).contains("@");
      if (business && !right) {
        wrongBusiness.add(r.getString(2) + " -> " + r.getString(1) + ", not " + expected);
      }
    }
    String measured = String.format("workspaces %d of %d on their company, free-mail users %d of %d", rightWorkspaces,
        workspaceCompany.size(), rightFreeMail, freeMail);
    System.out.println("identity against the truth: " + measured + ", business-email users wrong: " + wrongBusiness.size());
    assertEquals(planted.size(), resolved.size(), "every product user is a person");
    assertTrue(rightWorkspaces >= 0.97 * workspaceCompany.size(), measured);
    assertTrue(freeMail >= 20 && rightFreeMail >= 0.85 * freeMail, measured);
    assertEquals(List.of(), wrongBusiness, "no user with a business-domain email on another company");
  }

  /** An account id as the truth names companies: its domain, or "personal". */
  private static String company(String accountId) {
    return accountId == null ? null : accountId.startsWith(IdentityRules.PERSONAL_PREFIX) ? "personal" : accountId;
  }
}
