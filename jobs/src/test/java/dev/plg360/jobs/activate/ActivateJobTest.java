package dev.plg360.jobs.activate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.ScoreTables;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.SyncState;
import dev.plg360.jobs.Cli;
import dev.plg360.testkit.SparkTestBase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Activation against a real PostgreSQL server (embedded, started once for the class; one target schema per test).
 * The score tables are written with the same Lake.sync the score job uses, so their change data feed is the real one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// Among the longest classes: at the end of the order, which one test thread takes first (jobs/pom.xml).
@Order(Order.DEFAULT + 4)
class ActivateJobTest extends SparkTestBase {
  private static final LocalDate DAY = LocalDate.parse("2026-10-01");

  @TempDir
  static Path dir;

  private Path pgData;
  private int port;
  private EmbeddedPostgresServer pg;

  @BeforeAll
  void startPostgres() throws IOException {
    pgData = dir.resolve("pg");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    pg = EmbeddedPostgresServer.start(pgData, port);
    assertEquals(port, pg.port());
  }

  @AfterAll
  void stopPostgres() {
    if (pg != null) {
      pg.close();
    }
  }

  /** A lake of its own and a target schema of its own. */
  private Settings settings(String name, String... more) {
    List<String> kv = new ArrayList<>(List.of("plg360.activate.jdbc.url", pg.jdbcUrl(),
        "plg360.activate.jdbc.user", EmbeddedPostgresServer.USER, "plg360.activate.jdbc.schema", name,
        "plg360.activate.jdbc.retry-wait", "50ms"));
    kv.addAll(List.of(more));
    return settings(dir.resolve(name), kv.toArray(String[]::new));
  }

  // ---------------------------------------------------------------- the score tables

  private static List<String> reasons(int i) {
    return i % 5 == 0 ? List.of() : List.of("connected an integration", i + " invites, \"fast\"", "line\nbreak; and, comma");
  }

  /** Thirty accounts of every kind of value: nulls, arrays with commas and quotes, dates, several or no CRM Ids. */
  private Dataset<Row> accounts(int changed, double bump) {
    var b = frame(AccountScores.TABLE.schema());
    for (int i = 0; i < 30; i++) {
      List<String> crm = i % 3 == 0 ? List.of() : i == 1 ? List.of("001A0000001", "001A0000002") : List.of(String.format("001B%07d", i));
      double pql = (i % 7 == 0) ? Double.NaN : 3.1 * i;
      b.row(ScoreTables.AS_OF, Date.valueOf(DAY.plusDays(bump == 0 ? 0 : 1)), AccountScores.ACCOUNT_ID, String.format("acc%02d.io", i),
          AccountScores.NAME, i == 0 ? "=HYPERLINK(\"http://x.io\",\"Acme\")" : i == 3 ? "-2+3 Acme" : "Acme " + i + ", Inc.",
          AccountScores.DOMAIN, i % 7 == 0 ? null : String.format("acc%02d.io", i),
          AccountScores.IS_PERSONAL, i % 7 == 0, AccountScores.CRM_ACCOUNT_IDS, crm, "plan", i % 4 == 0 ? "pro" : "free",
          AccountScores.PLAN_KIND, i % 4 == 0 ? "paid" : "free", AccountScores.PQL_SCORE, Double.isNaN(pql) ? null : pql,
          AccountScores.PQL_TIER, Double.isNaN(pql) ? null : "B", AccountScores.PQL_WINDOW_START, Date.valueOf(DAY.minusDays(i)),
          AccountScores.PQL_OBSERVED_DAYS, i % 15, AccountScores.PQL_REASONS, reasons(i), AccountScores.ICP_SCORE, 10.0 * (i % 10) + (i < changed ? bump : 0),
          AccountScores.ICP_TIER, "C", AccountScores.ICP_REASONS, List.of("+25 target industry"), AccountScores.SEGMENT, "top_free_trial",
          AccountScores.EMPLOYEES, i % 6 == 0 ? null : 1000L * i, AccountScores.ADDRESSABLE_PENETRATION, i % 2 == 0 ? null : i / 60.0,
          AccountScores.STRONGEST_SIGNAL_DATE, i % 2 == 0 ? Date.valueOf(DAY) : null, AccountScores.RECENT_SIGNALS, List.of());
    }
    return b.build();
  }

  private Dataset<Row> leads(int count) {
    var b = frame(LeadScores.TABLE.schema());
    for (int i = 0; i < count; i++) {
      b.row(ScoreTables.AS_OF, Date.valueOf(DAY), LeadScores.LEAD_ID, String.format("00Q%012d", i), LeadScores.EMAIL,
          "p" + i + "@acc.io", LeadScores.NAME, "O'Brien \"Bo\" " + i, LeadScores.LEAD_STATUS, i % 2 == 0 ? "REMARKET" : "OPEN_PLG",
          LeadScores.REMARKET_REASON, i % 2 == 0 ? "TRASH" : null, LeadScores.ACTIVATED, i % 3 == 0, LeadScores.QUALIFIED, null,
          AccountScores.PQL_SCORE, i * 1.5, AccountScores.PQL_REASONS, reasons(i));
    }
    return b.build();
  }

  private Dataset<Row> signals() {
    var b = frame(Signals.TABLE.schema());
    for (int i = 0; i < 10; i++) {
      b.row(Signals.SIGNAL_ID, "sig" + i, Signals.SIGNAL_DATE, Date.valueOf(DAY), Signals.SIGNAL_TYPE, "INVITE_SPIKE",
          Signals.STRENGTH, i * 0.5, Signals.DETECTED_AT, Timestamp.valueOf("2026-10-01 06:0" + i + ":00"), Signals.RUN_ID, "build360-x");
    }
    return b.build();
  }

  private Lake score(Settings s, Dataset<Row> accounts, Dataset<Row> leads) {
    Lake lake = new Lake(spark(), s.lakeRoot());
    lake.sync(accounts, AccountScores.TABLE, List.of(ScoreTables.AS_OF));
    lake.sync(leads, LeadScores.TABLE, List.of(ScoreTables.AS_OF));
    return lake;
  }

  private Lake world(Settings s) {
    Lake lake = score(s, accounts(0, 0), leads(20));
    lake.insertNew(signals(), Signals.TABLE, java.util.Optional.empty());
    return lake;
  }

  /** The world, delivered once. */
  private Lake delivered(Settings s) throws Exception {
    Lake lake = world(s);
    activate(s);
    return lake;
  }

  private ActivateJob activate(Settings s) throws Exception {
    return activate(s, false, ActivateJob.Checkpoints.NONE);
  }

  private ActivateJob activate(Settings s, boolean full, ActivateJob.Checkpoints checkpoints) throws Exception {
    ActivateJob job = new ActivateJob(full, checkpoints);
    runJob(job, s, DAY);
    return job;
  }

  private static Map<String, ActivateJob.Delivery> byTable(ActivateJob job) {
    return job.deliveries().stream().collect(Collectors.toMap(d -> d.table().qualifiedName(), d -> d));
  }

  // ---------------------------------------------------------------- the target

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(pg.jdbcUrl(), pg.connectionProperties());
  }

  private long count(String sql) throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The target table's catalog columns, as Spark reads them over JDBC. */
  private Dataset<Row> target(String schema, TableDef t) {
    return spark().read().jdbc(pg.jdbcUrl(), schema + "." + t.name(), pg.connectionProperties())
        .select(t.columns().stream().map(Col::col).toArray(Column[]::new));
  }

  /** The target holds exactly the table's rows, value for value, and each key once. */
  private void assertTargetEqualsSource(String schema, Lake lake, TableDef t) throws SQLException {
    Dataset<Row> source = lake.read(t);
    Dataset<Row> target = target(schema, t);
    assertEquals(source.count(), count("SELECT count(*) FROM " + schema + "." + t.name()), t + ": rows");
    assertTrue(Lake.sameRows(source, target), t + ": the target differs from the source:\n"
        + source.exceptAll(target).showString(5, 0, false) + target.exceptAll(source).showString(5, 0, false));
  }

  private void assertAllDelivered(String schema, Lake lake) throws SQLException {
    for (TableDef t : List.of(AccountScores.TABLE, LeadScores.TABLE, Signals.TABLE)) {
      assertTargetEqualsSource(schema, lake, t);
    }
  }

  /** A plain run sends the accounts again, records the current versions, and the target equals the lake. */
  private void assertNextRunCatchesUp(Settings s, Lake lake, String schema, long accounts, String why) throws Exception {
    assertEquals(accounts, byTable(activate(s)).get("gold.account_scores").upserted(), why);
    assertEquals(lake.version(AccountScores.TABLE), stateVersion(lake, AccountScores.TABLE));
    assertAllDelivered(schema, lake);
  }

  private Long stateVersion(Lake lake, TableDef t) {
    List<Row> rows = lake.read(SyncState.TABLE).where(SyncState.SOURCE_TABLE.col().equalTo(t.qualifiedName()))
        .select(SyncState.DELIVERED_VERSION.col()).collectAsList();
    return rows.isEmpty() ? null : rows.get(0).getLong(0);
  }

  // ---------------------------------------------------------------- tests

  @Test
  void deliversEverythingThenNothingThenExactlyWhatChanged() throws Exception {
    Settings s = settings("first");
    Lake lake = world(s);

    ActivateJob firstJob = new ActivateJob(false);
    String firstRun = runJob(firstJob, s, DAY).runId();
    Map<String, ActivateJob.Delivery> first = byTable(firstJob);
    assertEquals(30, first.get("gold.account_scores").upserted());
    assertEquals(20, first.get("gold.lead_scores").upserted());
    assertEquals(10, first.get("gold.signals").upserted());
    assertEquals("full", first.get("gold.account_scores").mode(), "a target never delivered to gets the whole table");
    assertAllDelivered("first", lake);
    assertTypesCommentsAndNulls();
    assertEquals(lake.version(AccountScores.TABLE), stateVersion(lake, AccountScores.TABLE));

    long stateVersion = lake.version(SyncState.TABLE);
    ActivateJob again = activate(s);
    for (ActivateJob.Delivery d : again.deliveries()) {
      assertEquals("none", d.mode(), d.describe());
      assertEquals(0, d.upserted() + d.deleted());
    }
    assertTrue(again.deliveries().get(0).describe().contains("nothing sent"));
    assertEquals(stateVersion, lake.version(SyncState.TABLE), "nothing delivered, nothing recorded");

    // A re-score that changes five accounts, drops one account and two leads, and adds a signal.
    score(s, accounts(5, 2.0).where(AccountScores.ACCOUNT_ID.col().notEqual("acc29.io")), leads(18));
    lake.insertNew(signals().union(frame(Signals.TABLE.schema()).row(Signals.SIGNAL_ID, "sig-new",
        Signals.SIGNAL_TYPE, "ACTIVITY_SURGE").build()), Signals.TABLE, java.util.Optional.empty());
    ActivateJob thirdJob = new ActivateJob(false);
    String thirdRun = runJob(thirdJob, s, DAY).runId();
    Map<String, ActivateJob.Delivery> third = byTable(thirdJob);
    assertEquals("changes", third.get("gold.account_scores").mode());
    assertEquals(5, third.get("gold.account_scores").upserted());
    assertEquals(1, third.get("gold.account_scores").deleted());
    assertEquals(0, third.get("gold.lead_scores").upserted());
    assertEquals(2, third.get("gold.lead_scores").deleted());
    assertEquals(1, third.get("gold.signals").upserted());
    assertEquals(5, count("SELECT count(*) FROM first.account_scores WHERE plg360_version = "
        + lake.version(AccountScores.TABLE)), "exactly the five changed rows came with the new version");
    assertAllDelivered("first", lake);

    Path crm = Path.of(lake.root(), "exports", "crm");
    assertCrmFilesOfFiveChangedAccounts(crm.resolve(thirdRun));
    assertCrmFilesOfEveryLead(crm.resolve(firstRun));
  }

  @Test
  void aChangeFeedVacuumedAwaySendsTheWholeTableInstead() throws Exception {
    Settings s = settings("vacuumed");
    Lake lake = delivered(s);
    score(s, accounts(5, 2.0), leads(20));
    // As if activate had been off past the retention: the change data of the versions since is gone. In a session of
    // its own, so that no other test's session goes without Delta's check meanwhile.
    SparkSession unchecked = spark().newSession();
    unchecked.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    unchecked.sql("VACUUM delta.`" + lake.path(AccountScores.TABLE) + "` RETAIN 0 HOURS");
    ActivateJob.Delivery d = byTable(activate(s)).get("gold.account_scores");
    assertEquals("full", d.mode(), d.describe());
    assertEquals(30, d.upserted());
    assertAllDelivered("vacuumed", lake);
  }

  /**
   * Accounts 0-4 changed: 0 and 3 have no Salesforce Id, 1 has two; 29 was dropped, so its Account's plg360 fields are
   * emptied, as are the fields whose score went away (a null, no reasons); leads 18 and 19 were dropped.
   */
  private static void assertCrmFilesOfFiveChangedAccounts(Path folder) throws IOException {
    List<String[]> accounts = csv(folder.resolve(CrmFiles.ACCOUNTS));
    assertEquals(List.of("Id", "PQL_Score__c", "PQL_Reasons__c", "ICP_Score__c", "ICP_Tier__c", "PLG_Segment__c",
        "Seat_Penetration__c"), List.of(accounts.get(0)));
    assertEquals(List.of("001A0000001", "001A0000002", "001B0000002", "001B0000004", "001B0000029"),
        accounts.stream().skip(1).map(r -> r[0]).toList());
    String[] acc2 = accounts.stream().filter(r -> r[0].equals("001B0000002")).findFirst().orElseThrow();
    assertEquals(3.1 * 2, Double.parseDouble(acc2[1]), 1e-9);
    assertEquals("connected an integration; 2 invites, \"fast\"; line\nbreak; and, comma", acc2[2]);
    assertEquals(10.0 * 2 + 2.0, Double.parseDouble(acc2[3]), 1e-9);
    assertEquals(CrmFiles.CLEARED, acc2[6], "no seat penetration (null): the field is emptied, not left as it was");
    String[] acc1 = accounts.stream().filter(r -> r[0].equals("001A0000001")).findFirst().orElseThrow();
    assertEquals("3.1", acc1[1]);
    assertEquals(List.of(CrmFiles.CLEARED, CrmFiles.CLEARED, CrmFiles.CLEARED, CrmFiles.CLEARED, CrmFiles.CLEARED,
        CrmFiles.CLEARED), List.of(accounts.get(5)).subList(1, 7), "acc29.io is no longer scored: every field emptied");

    List<String[]> noId = csv(folder.resolve(CrmFiles.NO_CRM_ID));
    assertEquals(Set.of("acc00.io", "acc03.io"), noId.stream().skip(1).map(r -> r[0]).collect(Collectors.toSet()));
    assertEquals(Set.of("'=HYPERLINK(\"http://x.io\",\"Acme\")", "'-2+3 Acme"),
        noId.stream().skip(1).map(r -> r[1]).collect(Collectors.toSet()), "a name a spreadsheet would run is text");
    String[] acc0 = noId.stream().filter(r -> r[0].equals("acc00.io")).findFirst().orElseThrow();
    assertEquals(List.of("", CrmFiles.CLEARED, CrmFiles.CLEARED), List.of(acc0[2], acc0[3], acc0[4]),
        "acc00.io: no website (left empty for a person), no PQL score and no reasons (emptied)");
    assertEquals(List.of("-0.5", "'-x", "'@SUM(A1)", "'\tx", "a=b"),
        java.util.stream.Stream.of("-0.5", "-x", "@SUM(A1)", "\tx", "a=b").map(CrmFiles::inert).toList());

    List<String[]> leads = csv(folder.resolve(CrmFiles.LEADS));
    assertEquals(3, leads.size(), "no lead changed; two were dropped");
    for (String[] dropped : leads.subList(1, 3)) {
      assertEquals(java.util.Collections.nCopies(7, CrmFiles.CLEARED), List.of(dropped).subList(1, dropped.length),
          "every field of a dropped lead is emptied: " + List.of(dropped));
    }
    assertEquals(List.of(String.format("00Q%012d", 18), String.format("00Q%012d", 19)),
        leads.stream().skip(1).map(r -> r[0]).toList());
  }

  /** The first delivery wrote every lead, keyed by its Lead Id. */
  private static void assertCrmFilesOfEveryLead(Path folder) throws IOException {
    List<String[]> leads = csv(folder.resolve(CrmFiles.LEADS));
    assertEquals(List.of("Id", "Lead_Status__c", "Remarket_Reason__c"), List.of(leads.get(0)).subList(0, 3));
    assertEquals(java.util.stream.IntStream.range(0, 20).mapToObj(i -> String.format("00Q%012d", i)).collect(Collectors.toSet()),
        leads.stream().skip(1).map(r -> r[0]).collect(Collectors.toSet()));
    assertEquals(20, leads.size() - 1);
  }

  /** Proper SQL types, a comment on every column, a primary key; nulls and instants as they were. */
  private void assertTypesCommentsAndNulls() throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT column_name, format_type(atttypid, atttypmod), col_description(attrelid, attnum) FROM information_schema.columns "
            + "JOIN pg_attribute ON attrelid = 'first.account_scores'::regclass AND attname = column_name "
            + "WHERE table_schema = 'first' AND table_name = 'account_scores'")) {
      while (rs.next()) {
        types.put(rs.getString(1), rs.getString(2));
        assertFalse(rs.getString(3) == null || rs.getString(3).isBlank(), rs.getString(1) + " has a comment");
      }
    }
    assertEquals("date", types.get("as_of"));
    assertEquals("double precision", types.get("pql_score"));
    assertEquals("integer", types.get("pql_observed_days"));
    assertEquals("bigint", types.get("employees"));
    assertEquals("boolean", types.get("is_personal"));
    assertEquals("text[]", types.get("pql_reasons"));
    assertEquals("timestamp with time zone", types.get("plg360_synced_at"));
    assertEquals(1, count("SELECT count(*) FROM pg_index WHERE indisprimary AND indrelid = 'first.account_scores'::regclass"));
    assertEquals(1, count("SELECT count(*) FROM first.account_scores WHERE pql_score IS NULL AND domain IS NULL "
        + "AND account_id = 'acc07.io'"), "nulls stay null");
    assertEquals(1, count("SELECT count(*) FROM first.signals WHERE detected_at = '2026-10-01 06:03:00+00'"),
        "timestamps arrive as the same instant");
  }

  @Test
  void aDatabaseStoppedMidSyncLosesNothingOnceRestarted() throws Exception {
    Settings s = settings("outage", "plg360.activate.jdbc.batch-size", "7", "plg360.activate.jdbc.retries", "1");
    Lake lake = world(s);
    ActivateJob.Checkpoints stopAfterTwoBatches = (point, t, batch) -> {
      if (point == ActivateJob.Point.BATCH_COMMITTED && t.equals(AccountScores.TABLE) && batch == 2) {
        pg.close();
      }
    };
    try {
      DeliveryException e = assertThrows(DeliveryException.class, () -> activate(s, false, stopAfterTwoBatches));
      assertTrue(e.getMessage().contains("refused 7 changes of outage.account_scores 2 times"), e.getMessage());
      assertEquals(null, stateVersion(lake, AccountScores.TABLE), "nothing recorded as delivered");
    } finally {
      pg = EmbeddedPostgresServer.start(pgData, port);
    }
    assertEquals(14, count("SELECT count(*) FROM outage.account_scores"), "the two committed batches survived the restart");
    assertNextRunCatchesUp(s, lake, "outage", 30, "every account again: none was recorded as delivered");
  }

  @Test
  void aRunKilledBetweenTheTargetAndTheStateCommitsEndsTheSameWithoutDuplicates() throws Exception {
    Settings s = settings("killed");
    Lake lake = delivered(s);
    long delivered = stateVersion(lake, AccountScores.TABLE);
    score(s, accounts(5, 1.0), leads(20));
    ActivateJob.Checkpoints kill = (point, t, batch) -> {
      if (point == ActivateJob.Point.TARGET_COMMITTED && t.equals(AccountScores.TABLE)) {
        throw new IllegalStateException("killed");
      }
    };
    assertThrows(IllegalStateException.class, () -> activate(s, false, kill));
    assertEquals(delivered, stateVersion(lake, AccountScores.TABLE), "the state was not committed");
    assertTargetEqualsSource("killed", lake, AccountScores.TABLE);

    assertNextRunCatchesUp(s, lake, "killed", 5, "the same five changes, sent again");
  }

  @Test
  void aWipedTargetGetsEverythingAndFullResyncRemovesWhatTheSourceLacks() throws Exception {
    Settings s = settings("wiped");
    Lake lake = delivered(s);
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE wiped.lead_scores");
      st.execute("INSERT INTO wiped.account_scores (account_id, plg360_version, plg360_run_id, plg360_synced_at) "
          + "VALUES ('stray.io', 0, 'elsewhere', now())");
    }
    Map<String, ActivateJob.Delivery> refill = byTable(activate(s));
    assertEquals("full", refill.get("gold.lead_scores").mode(), "a table missing from the target gets every row");
    assertEquals(20, refill.get("gold.lead_scores").upserted());
    assertEquals("none", refill.get("gold.account_scores").mode());
    assertTargetEqualsSource("wiped", lake, LeadScores.TABLE);

    Map<String, ActivateJob.Delivery> full = byTable(activate(s, true, ActivateJob.Checkpoints.NONE));
    assertEquals(30, full.get("gold.account_scores").upserted());
    assertEquals(1, full.get("gold.account_scores").deleted(), "the stray row is gone");
    assertAllDelivered("wiped", lake);

    // The lake's lead table deleted and scored anew: its versions start again, so all of it goes, and what it lacks goes.
    org.apache.hadoop.fs.Path leads = new org.apache.hadoop.fs.Path(lake.path(LeadScores.TABLE));
    leads.getFileSystem(spark().sparkContext().hadoopConfiguration()).delete(leads, true);
    Lake remade = score(s, accounts(0, 0), leads(15));
    Map<String, ActivateJob.Delivery> afterRemake = byTable(activate(s));
    assertEquals("full", afterRemake.get("gold.lead_scores").mode());
    assertEquals(List.of(15L, 5L), List.of(afterRemake.get("gold.lead_scores").upserted(), afterRemake.get("gold.lead_scores").deleted()));
    assertAllDelivered("wiped", remade);
  }

  @Test
  void turningMaskingOnSendsEveryRowAgainWithPersonalColumnsMasked() throws Exception {
    Lake lake = delivered(settings("masked"));
    Settings masked = settings("masked", PersonalData.SETTING, "true");
    Map<String, ActivateJob.Delivery> remasked = byTable(activate(masked));
    for (String t : List.of("gold.account_scores", "gold.lead_scores", "gold.signals")) {
      assertEquals("full", remasked.get(t).mode(), t + ": rows sent plain must not stay beside rows sent masked");
    }
    List<String> personal = List.of(LeadScores.EMAIL.name(), LeadScores.NAME.name());
    Dataset<Row> target = target("masked", LeadScores.TABLE);
    Dataset<Row> others = lake.read(LeadScores.TABLE).drop(personal.toArray(String[]::new));
    Dataset<Row> othersThere = target.drop(personal.toArray(String[]::new));
    assertTrue(Lake.sameRows(others, othersThere), "every other column as in the lake:\n"
        + others.exceptAll(othersThere).showString(3, 0, true) + othersThere.exceptAll(others).showString(3, 0, true));
    Row first = target.where(LeadScores.LEAD_ID.col().equalTo("00Q000000000000")).first();
    assertEquals(List.of(PersonalData.mask("p0@acc.io"), PersonalData.mask("O'Brien \"Bo\" 0")),
        List.of(first.getAs(LeadScores.EMAIL.name()), first.getAs(LeadScores.NAME.name())));
    assertEquals("none", byTable(activate(masked)).get("gold.lead_scores").mode(), "masked from then on: nothing to resend");
  }

  private static List<String[]> csv(Path file) throws IOException {
    CsvParserSettings settings = new CsvParserSettings();
    settings.setLineSeparatorDetectionEnabled(true);
    settings.setNullValue("");
    return new CsvParser(settings).parseAll(file.toFile());
  }

  @Test
  void aMissingOrBadTargetFailsAtStartNamingTheSetting() {
    SettingsException missing = assertThrows(SettingsException.class,
        () -> ActivateSettings.from(settings(dir.resolve("none"))).requireUrl());
    assertTrue(missing.getMessage().contains("plg360.activate.jdbc.url"), missing.getMessage());
    assertEquals(2, Cli.execute("activate", "-D", "plg360.lake.root=" + dir.resolve("none")));
    SettingsException notPostgres = assertThrows(SettingsException.class, () -> ActivateSettings.from(
        settings(dir.resolve("none"), "plg360.activate.jdbc.url", "jdbc:mysql://db/x?password=hunter2")));
    assertTrue(notPostgres.getMessage().contains("plg360.activate.jdbc.url"), notPostgres.getMessage());
    assertFalse(notPostgres.getMessage().contains("hunter2"), "the message never shows URL parameters");
    ActivateSettings withSecret = ActivateSettings.from(settings(dir.resolve("none"), "plg360.activate.jdbc.url",
        "jdbc:postgresql://db:5432/x?password=hunter2"));
    assertEquals("jdbc:postgresql://db:5432/x schema plg360", withSecret.target(), "the state never records credentials");
    assertThrows(SettingsException.class, () -> ActivateSettings.from(settings(dir.resolve("none"),
        "plg360.activate.jdbc.password", "hunter2")), "a password is not a setting");
  }
}
