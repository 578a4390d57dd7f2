package dev.plg360.jobs.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.SettingsException;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.Accounts;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.jobs.Cli;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plg360 maintain} on a lake whose tables were written in small commits: a Z-ordered table (gold.signals), a
 * Z-ordered one partitioned by date (silver.product_daily, with a partition in the recent window and an old one) and
 * one that is only compacted (silver.accounts). Files drop, rows stay, the history shows what ran with which
 * retention, ops.job_runs counts the files, and a second run rewrites nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MaintainJobTest extends SparkTestBase {
  private static final LocalDate AS_OF = LocalDate.parse("2026-10-31");
  private static final int COMMITS = 4;
  private static final List<TableDef> WRITTEN = List.of(Signals.TABLE, ProductDaily.TABLE, Accounts.TABLE);

  @TempDir
  static Path dir;

  private Lake lake;
  private final Map<TableDef, Long> filesBefore = new HashMap<>();
  private final Map<TableDef, List<String>> rowsBefore = new HashMap<>();
  private final Map<TableDef, Long> versionBefore = new HashMap<>();
  private final Map<TableDef, Long> versionAfterFirst = new HashMap<>();
  private JobContext first;
  private JobContext second;
  private MaintainJob firstJob;
  private MaintainJob secondJob;

  @BeforeAll
  void writeInSmallCommitsThenMaintainTwice() throws Exception {
    startSpark();
    lake = new Lake(spark(), dir.resolve("lake").toString());
    for (int commit = 0; commit < COMMITS; commit++) {
      FrameBuilder signals = frame(Signals.TABLE.schema());
      FrameBuilder daily = frame(ProductDaily.TABLE.schema());
      FrameBuilder accounts = frame(Accounts.TABLE.schema());
      for (int i = 0; i < 5; i++) {
        String account = "acct" + (commit * 5 + i) + ".com";
        signals.row(Signals.SIGNAL_ID, "s-" + commit + "-" + i, Signals.SIGNAL_TYPE, "ACTIVITY_SURGE",
            Signals.ACCOUNT_ID, account, Signals.SIGNAL_DATE, Date.valueOf(AS_OF), Signals.STRENGTH, 1.0 + i);
        for (LocalDate day : List.of(AS_OF, AS_OF.minusDays(30))) {
          daily.row(ProductDaily.EVENT_DATE, Date.valueOf(day), ProductDaily.WORKSPACE_ID, "ws" + commit + "-" + i,
              ProductDaily.USER_ID, "u" + i, ProductDaily.EVENT_NAME, "Project Created", ProductDaily.EVENTS, 3L);
        }
        accounts.row(Accounts.ACCOUNT_ID, account, Accounts.DOMAIN, account, Accounts.IS_PERSONAL, false);
      }
      lake.insertNew(signals.build(), Signals.TABLE, Optional.empty());
      lake.insertNew(daily.build(), ProductDaily.TABLE, Optional.empty());
      lake.upsert(accounts.build(), Accounts.TABLE);
    }
    for (TableDef t : WRITTEN) {
      filesBefore.put(t, files(t));
      rowsBefore.put(t, rows(t));
      versionBefore.put(t, lake.version(t));
    }
    // What two runs killed on a cluster left of their kept frames (dev.plg360.common.spark.Kept), one with rows.
    Files.createDirectories(dir.resolve("lake/_checkpoints/3b1f0c2e-killed/rdd-41"));
    Files.writeString(dir.resolve("lake/_checkpoints/3b1f0c2e-killed/rdd-41/part-00000"), "rows");
    Files.createDirectories(dir.resolve("lake/_checkpoints/9c4d5a7f-killed"));
    firstJob = new MaintainJob(Tables.all(), true, true);
    first = runJob(firstJob, settings(dir), AS_OF);
    WRITTEN.forEach(t -> versionAfterFirst.put(t, lake.version(t)));
    secondJob = new MaintainJob(Tables.all(), true, true);
    second = runJob(secondJob, settings(dir), AS_OF);
  }

  /** Every row as JSON, sorted: maps compare too, which Spark's set operations refuse. */
  private List<String> rows(TableDef t) {
    return lake.read(t).select(to_json(struct(col("*")))).as(Encoders.STRING()).collectAsList().stream().sorted().toList();
  }

  private long files(TableDef t) {
    return DeltaTable.forPath(spark(), lake.path(t)).detail().first().<Long>getAs("numFiles");
  }

  /** The table's commits in (from, to], oldest first: operation, its parameters. */
  private List<Row> commits(TableDef t, long from, long to) {
    return DeltaTable.forPath(spark(), lake.path(t)).history().where("version > " + from + " AND version <= " + to)
        .orderBy("version").select("operation", "operationParameters").collectAsList();
  }

  private List<Row> commitsOfFirstRun(TableDef t) {
    return commits(t, versionBefore.get(t), versionAfterFirst.get(t));
  }

  private static String parameter(Row commit, String name) {
    return commit.<String, String>getJavaMap(1).get(name);
  }

  private Map<String, Long> recorded(JobContext run, Col column) {
    Row row = lake.read(JobRuns.TABLE).where(JobRuns.RUN_ID.col().equalTo(run.runId())).first();
    assertEquals("SUCCEEDED", row.getAs(JobRuns.STATUS.name()));
    return row.getJavaMap(row.fieldIndex(column.name()));
  }

  @Test
  void filesDropAndRowsStay() {
    for (TableDef t : List.of(Signals.TABLE, Accounts.TABLE)) {
      assertTrue(filesBefore.get(t) >= COMMITS, t + " was written in " + COMMITS + " commits: " + filesBefore.get(t) + " files");
      assertEquals(1, files(t), t + " is one file after maintain");
    }
    assertTrue(filesBefore.get(ProductDaily.TABLE) >= 2 * COMMITS, "two partitions, a file each per commit");
    assertEquals(2, files(ProductDaily.TABLE), "a file per partition, the recent one and the old one");
    for (TableDef t : WRITTEN) {
      assertEquals(rowsBefore.get(t), rows(t), t + " holds the same rows");
    }
  }

  @Test
  void theHistoryShowsTheZorderTheCompactionAndVacuumWithTheRetention() {
    List<Row> signals = commitsOfFirstRun(Signals.TABLE);
    assertEquals(List.of("OPTIMIZE", "VACUUM START", "VACUUM END"), signals.stream().map(r -> r.getString(0)).toList());
    assertEquals("[\"account_id\"]", parameter(signals.get(0), "zOrderBy"));
    assertEquals(String.valueOf(168L * 3600 * 1000), parameter(signals.get(1), "specifiedRetentionMillis"),
        "VACUUM with the configured retention, 168h");

    List<Row> daily = commitsOfFirstRun(ProductDaily.TABLE);
    assertEquals("OPTIMIZE", daily.get(0).getString(0));
    assertEquals("[\"workspace_id\"]", parameter(daily.get(0), "zOrderBy"));
    assertTrue(parameter(daily.get(0), "predicate").contains("2026-10-25"), "the 7 days up to the as-of date: " + daily.get(0));
    assertEquals("OPTIMIZE", daily.get(1).getString(0));
    assertEquals("[]", parameter(daily.get(1), "zOrderBy"), "then the older partitions compacted: " + daily.get(1));

    List<Row> accounts = commitsOfFirstRun(Accounts.TABLE);
    assertEquals("OPTIMIZE", accounts.get(0).getString(0));
    assertEquals("[]", parameter(accounts.get(0), "zOrderBy"), "no Z-order columns: compacted only");
  }

  @Test
  void opsJobRunsCountsTheFilesAndTheVersions() {
    Map<String, Long> files = recorded(first, JobRuns.FILES);
    assertEquals(filesBefore.get(Signals.TABLE), files.get("gold.signals:optimize_removed"), files.toString());
    assertEquals(1L, files.get("gold.signals:optimize_added"), files.toString());
    assertEquals(0L, files.get("gold.signals:vacuum_deleted"), "vacuumed; what OPTIMIZE replaced is kept 168h: " + files);
    assertEquals(filesBefore.get(ProductDaily.TABLE), files.get("silver.product_daily:optimize_removed"), files.toString());
    assertEquals(2L, files.get("silver.product_daily:optimize_added"), files.toString());
    assertTrue(files.containsKey("ops.job_runs:vacuum_deleted"), "its own run log is maintained too: " + files);
    assertFalse(files.keySet().stream().anyMatch(k -> k.startsWith("gold.account_360")), "a table not in the lake is left alone");
    assertEquals(versionAfterFirst.get(Signals.TABLE), recorded(first, JobRuns.TABLE_VERSIONS).get("gold.signals"));
    assertEquals(0L, recorded(first, JobRuns.ROWS_WRITTEN).get("gold.signals"), "no row written");
  }

  @Test
  void whatKilledRunsKeptIsDeleted() throws IOException {
    try (Stream<Path> left = Files.list(dir.resolve("lake/_checkpoints"))) {
      assertEquals(List.of(), left.toList());
    }
    assertTrue(firstJob.done().contains("_checkpoints: deleted the kept rows of 2 runs that were killed"),
        firstJob.done().toString());
    assertFalse(secondJob.done().stream().anyMatch(l -> l.startsWith("_checkpoints")), secondJob.done().toString());
  }

  @Test
  void aSecondRunRewritesNothing() {
    for (TableDef t : WRITTEN) {
      assertFalse(commits(t, versionAfterFirst.get(t), lake.version(t)).stream().anyMatch(r -> r.getString(0).equals("OPTIMIZE")),
          t + " was not rewritten again");
    }
    Map<String, Long> files = recorded(second, JobRuns.FILES);
    assertFalse(files.containsKey("gold.signals:optimize_removed"), "nothing written since its last Z-order: " + files);
    assertEquals(0L, files.get("silver.accounts:optimize_removed"), "compacted already: " + files);
  }

  @Test
  void aRetentionBelowDeltasSafetyDefaultStopsTheRunAtStart() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> MaintainSettings.from(settings(dir, "plg360.maintain.vacuum-retention", "100h")));
    assertTrue(e.getMessage().startsWith("plg360.maintain.vacuum-retention is 100h, below Delta's safety default of 168h"),
        e.getMessage());
    Path bad = dir.resolve("bad");
    assertEquals(2, Cli.execute("maintain", "-D", "plg360.lake.root=" + bad, "-D", "plg360.maintain.vacuum-retention=6d"),
        "a configuration error's exit code");
    assertEquals(2, Cli.execute("maintain", "-D", "plg360.lake.root=" + bad, "--tables", "gold.no_such_table"), "an unknown table");
    assertFalse(Files.exists(bad), "nothing was written");
  }
}
