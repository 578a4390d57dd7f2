package dev.plg360.jobs.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.run.RunLockedException;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.CustomerTimeline;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.jobs.Cli;
import dev.plg360.jobs.generate.Generator;
import dev.plg360.testkit.SparkTestBase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
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
 * {@code plg360 run} day after day on a small generated company whose exports arrive one day at a time: the chain,
 * its train cadence, late data rebuilding the snapshots it touched, a failure and the resume, the run lock, and a
 * backfill that rebuilds what the daily runs wrote.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
// Among the longest classes: at the end of the order, which one test thread takes first (jobs/pom.xml).
@Order(Order.DEFAULT + 6)
class RunJobTest extends SparkTestBase {

  static final LocalDate END = LocalDate.parse("2026-10-31");
  /** Its events are held back when their day lands, and arrive late, with the exports of END - 1. */
  static final LocalDate LATE = END.minusDays(5);
  static final Pattern DAY = Pattern.compile("/(\\d{4}-\\d{2}-\\d{2})/");

  @TempDir
  static Path dir;

  Path world;
  Path landing;
  Lake lake;

  @BeforeAll
  void generate() {
    startSpark();
    world = dir.resolve("world");
    landing = dir.resolve("landing");
    Settings s = settings(dir, "plg360.generate.workspaces", "80", "plg360.generate.days", "40", "plg360.generate.seed", "5");
    Generator.run(spark(), s, world.toString(), false);
    lake = new Lake(spark(), dir.resolve("lake").toString());
  }

  /** Lands the exports of every day up to {@code day} not landed yet, holding back the segment file of LATE until END - 1. */
  private void landThrough(LocalDate day) throws IOException {
    Path from = world.resolve("landing");
    List<Path> files;
    try (Stream<Path> all = Files.walk(from)) {
      files = all.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      String rel = from.relativize(f).toString();
      Matcher m = DAY.matcher("/" + rel);
      LocalDate fileDay = m.find() ? LocalDate.parse(m.group(1)) : LocalDate.MIN;
      boolean heldBack = rel.startsWith("segment/") && fileDay.equals(LATE) && day.isBefore(END.minusDays(1));
      Path to = landing.resolve(rel);
      if (!fileDay.isAfter(day) && !heldBack && !Files.exists(to)) {
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
  }

  private String[] args(LocalDate asOf, String... extra) {
    List<String> a = new ArrayList<>(List.of("run", "--as-of", asOf.toString(),
        "-D", "plg360.lake.root=" + dir.resolve("lake"), "-D", "plg360.landing.dir=" + landing,
        "-D", "plg360.spark.shuffle-partitions=2",
        // Train only where a test asks for it: it is slow, and none of so small a company's labelled workspaces has
        // paid yet, so it ends in "no model" (labels a week after a week of observation: 40 days give some).
        "-D", "plg360.run.skip=[activate, report, train]",
        "-D", "plg360.model.observation-days=7", "-D", "plg360.model.label-horizon-days=7",
        "-D", "plg360.model.min-training-rows=20", "-D", "plg360.model.test-share=0.3",
        "-D", "plg360.model.validation-share=0.25"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  /** Runs {@code plg360 run}; returns its exit code and what it printed. */
  private Map.Entry<Integer, String> run(LocalDate asOf, String... extra) {
    StringWriter out = new StringWriter();
    picocli.CommandLine cli = new picocli.CommandLine(new Cli());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    int code = cli.execute(args(asOf, extra));
    return Map.entry(code, out.toString());
  }

  private String succeeds(LocalDate asOf, String... extra) {
    Map.Entry<Integer, String> r = run(asOf, extra);
    assertEquals(0, r.getKey(), r.getValue());
    return r.getValue();
  }

  private List<Row> runs(String job, LocalDate asOf) {
    return lake.read(JobRuns.TABLE).where(JobRuns.JOB.col().equalTo(job).and(JobRuns.AS_OF.col().equalTo(Date.valueOf(asOf))))
        .orderBy(JobRuns.STARTED_AT.col()).collectAsList();
  }

  private Row lastChain(LocalDate asOf) {
    List<Row> r = runs(RunJob.NAME, asOf);
    return r.get(r.size() - 1);
  }

  private List<String> snapshot(TableDef table, LocalDate asOf) {
    Column[] key = table.key().stream().map(c -> c.col()).toArray(Column[]::new);
    return lake.read(table).where(Snapshot.AS_OF.col().equalTo(Date.valueOf(asOf))).orderBy(key).toJSON().collectAsList();
  }

  @Test
  @Order(1)
  void runsTheChainAndTrainsOnItsCadence() throws Exception {
    LocalDate day = END.minusDays(3);
    landThrough(day);
    // Train is due (no model yet) and learns nothing (no labelled workspace has paid): score still runs, with no
    // model, and the run fails saying so.
    Map.Entry<Integer, String> noModel = run(day, "-D", "plg360.run.skip=[activate, report]");
    String out = noModel.getValue();
    assertEquals(1, noModel.getKey(), out);
    Row chain = lastChain(day);
    assertEquals(RunLog.FAILED, chain.getAs(JobRuns.STATUS.name()), out);
    assertTrue(chain.<String>getAs(JobRuns.ERROR.name()).startsWith("train was due as of " + day
        + " and trained no model: "), chain.toString());
    assertTrue(out.contains("(the other steps ran; to leave train out until there is enough history: "
        + "plg360.run.skip = [train])"), out);
    for (String step : List.of("ingest", "resolve", "build360", "train", "score")) {
      assertEquals(1, runs(step, day).size(), step + " ran once as of " + day + ":\n" + out);
      assertTrue(out.lines().anyMatch(l -> l.startsWith(step + " ")), out);
    }
    assertEquals(RunLog.FAILED, runs("train", day).get(0).getAs(JobRuns.STATUS.name()));
    assertEquals(RunLog.SUCCEEDED, runs("score", day).get(0).getAs(JobRuns.STATUS.name()));
    assertTrue(out.contains("skipped: left out (plg360.run.skip)"), out);
    assertTrue(snapshot(Account360.TABLE, day).size() > 20, "the day's snapshot is built");

    landThrough(day.plusDays(1));
    out = succeeds(day.plusDays(1), "--from", "resolve", "--to", "build360");
    assertEquals(1, runs("build360", day.plusDays(1)).size(), out);
    assertTrue(runs("ingest", day.plusDays(1)).isEmpty(), "--from resolve starts there:\n" + out);
    assertTrue(runs("score", day.plusDays(1)).isEmpty(), "and --to build360 stops there:\n" + out);
    assertEquals(1, runs("build360", day).size(), "no late data: yesterday's snapshot is not rebuilt\n" + out);
  }

  @Test
  @Order(0)
  void trainsWhenTheNewestModelIsAsOldAsTheCadence() {
    Lake models = new Lake(spark(), dir.resolve("cadence").toString());
    java.time.Duration week = java.time.Duration.ofDays(7);
    assertTrue(RunJob.trainDue(models, END, week), "no model yet: train");
    models.upsert(frame(Versions.TABLE.schema()).row(Versions.VERSION, "v0001", Versions.AS_OF, Date.valueOf("2026-10-24"))
        .build(), Versions.TABLE);
    assertFalse(RunJob.trainDue(models, END.minusDays(1), week), "six days after: not yet");
    assertTrue(RunJob.trainDue(models, END, week), "seven days after: due");
    assertTrue(RunJob.trainDue(models, END.minusDays(1), java.time.Duration.ZERO), "0d: every run");
  }

  @Test
  @Order(2)
  void lateEventsRebuildTheSnapshotsTheyTouch() throws Exception {
    LocalDate day = END.minusDays(1);
    LocalDate[] built = {END.minusDays(3), END.minusDays(2)};
    List<String> before = snapshot(Workspace360.TABLE, built[0]);
    landThrough(day); // brings the held-back events of LATE, five days old
    Instant started = Instant.now();
    String out = succeeds(day);
    for (LocalDate d : built) {
      List<Row> r = runs("build360", d);
      assertTrue(r.get(r.size() - 1).<Timestamp>getAs(JobRuns.STARTED_AT.name()).toInstant().isAfter(started),
          "the snapshot of " + d + " holds LATE in its windows and is rebuilt:\n" + out);
    }
    assertTrue(runs("build360", LATE).isEmpty(), "a day that had no snapshot gets none");
    assertNotEquals(before, snapshot(Workspace360.TABLE, built[0]), "the rebuilt snapshot counts the late events");
    assertTrue(out.indexOf(built[0].toString()) < out.indexOf(built[1].toString()), "oldest first:\n" + out);
  }

  @Test
  @Order(3)
  void stopsAtTheFailedStepAndResumesThere() throws Exception {
    landThrough(END);
    Path notAFolder = Files.writeString(dir.resolve("reports-file"), "a file where the report folder should be");
    Map.Entry<Integer, String> failed = run(END, "-D", "plg360.run.skip=[activate, train]",
        "-D", "plg360.report.dir=" + notAFolder);
    assertEquals(1, failed.getKey(), failed.getValue());
    Row chain = lastChain(END);
    assertEquals(RunLog.FAILED, chain.getAs(JobRuns.STATUS.name()));
    assertTrue(chain.<String>getAs(JobRuns.ERROR.name()).startsWith("report failed as of " + END), chain.toString());
    assertEquals(1, runs("score", END).size());

    String out = succeeds(END, "-D", "plg360.run.skip=[activate, train]",
        "-D", "plg360.report.dir=" + dir.resolve("reports"));
    for (String step : List.of("ingest", "resolve", "build360", "score")) {
      assertEquals(1, runs(step, END).size(), step + " is not run again:\n" + out);
    }
    assertTrue(out.contains("skipped: done"), out);
    assertEquals(RunLog.SUCCEEDED, runs("report", END).get(runs("report", END).size() - 1).getAs(JobRuns.STATUS.name()));
    assertTrue(Files.exists(dir.resolve("reports/model-card.html")));

    out = succeeds(END, "--to", "ingest");
    assertEquals(2, runs("ingest", END).size(), "after a run that succeeded, a run runs its steps again:\n" + out);
  }

  @Test
  @Order(4)
  void backfillRebuildsWhatTheDailyRunsWrote() {
    LocalDate from = END.minusDays(2);
    LocalDate to = END.minusDays(1);
    long timeline = lake.version(CustomerTimeline.TABLE);
    Map<LocalDate, List<List<String>>> daily = new java.util.TreeMap<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      daily.put(d, List.of(snapshot(Account360.TABLE, d), snapshot(Workspace360.TABLE, d), snapshot(User360.TABLE, d)));
    }
    StringWriter out = new StringWriter();
    picocli.CommandLine cli = new picocli.CommandLine(new Cli());
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("backfill", "--from", from.toString(), "--to", to.toString(),
        "-D", "plg360.lake.root=" + dir.resolve("lake"), "-D", "plg360.spark.shuffle-partitions=2"), out.toString());
    assertTrue(out.toString().contains("rebuilt the snapshots of 2 days"), out.toString());
    daily.forEach((d, tables) -> {
      assertEquals(tables, List.of(snapshot(Account360.TABLE, d), snapshot(Workspace360.TABLE, d), snapshot(User360.TABLE, d)),
          "the backfilled snapshot of " + d + " is the one its daily run wrote");
    });
    assertEquals(RunLog.SUCCEEDED, runs(BackfillJob.NAME, to).get(0).getAs(JobRuns.STATUS.name()));
    assertTrue(Lake.sameRows(lake.readVersion(CustomerTimeline.TABLE, timeline), lake.read(CustomerTimeline.TABLE)),
        "the timeline is still the newest day's: rebuilding past days leaves it alone");
  }

  /** A job that holds its lock until told to finish; a busy one runs a Spark job every 100 ms meanwhile. */
  private static final class Waiting implements Job {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch finish = new CountDownLatch(1);
    final boolean busy;

    Waiting() {
      this(false);
    }

    Waiting(boolean busy) {
      this.busy = busy;
    }

    @Override
    public String name() {
      return "lock-test";
    }

    @Override
    public void run(JobContext ctx) throws InterruptedException {
      started.countDown();
      for (long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
           !finish.await(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline; ) {
        if (busy) {
          ctx.spark().range(10).count();
        }
      }
    }
  }

  private static boolean beatSinceStart(Row run) {
    return run.<Timestamp>getAs(JobRuns.HEARTBEAT_AT.name()).after(run.getAs(JobRuns.STARTED_AT.name()));
  }

  @Test
  @Order(5)
  void aSecondRunOfAJobIsRefusedWhileTheFirstIsAlive() throws Exception {
    Settings s = settings(dir, "plg360.run-log.heartbeat", "1s", "plg360.run-log.stale-after", "1m");
    Waiting first = new Waiting();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<JobContext> running = pool.submit(() -> runJob(first, s, END));
      assertTrue(first.started.await(2, TimeUnit.MINUTES));
      RunLockedException refused = assertThrows(RunLockedException.class, () -> runJob(new Waiting(), s, END));
      assertTrue(refused.getMessage().startsWith("lock-test is already running: run lock-test-"), refused.getMessage());
      assertEquals(1, runs("lock-test", END).size(), "the refused run leaves no row");
      // A beat a second; a commit to ops.job_runs can take seconds on a busy machine.
      Row live = runs("lock-test", END).get(0);
      for (int wait = 0; wait < 120 && !beatSinceStart(live); wait++) {
        Thread.sleep(500);
        live = runs("lock-test", END).get(0);
      }
      assertTrue(beatSinceStart(live), "the running job beats: " + live);
      first.finish.countDown();
      running.get(2, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }
    Waiting second = new Waiting();
    second.finish.countDown();
    runJob(second, s, END);
    assertEquals(List.of(RunLog.SUCCEEDED, RunLog.SUCCEEDED), runs("lock-test", END).stream()
        .map(r -> r.<String>getAs(JobRuns.STATUS.name())).toList(), "once the first ended, the next one runs");
  }

  @Test
  @Order(6)
  void aRunWhoseProcessIsGoneIsAbandoned() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    plantRunning("lock-test-killed", "lock-test", gone.pid(), Instant.now(), Instant.now());

    Waiting next = new Waiting();
    next.finish.countDown();
    runJob(next, settings(dir), END);
    assertAbandoned("lock-test-killed", gone.pid());
  }

  /**
   * One process at a time writes a lake, whatever its job: a live process on this host holds the lock however long
   * it has been silent; its pid naming a process started after the run (reused) does not.
   */
  @Test
  @Order(7)
  void aLiveProcessOnThisHostHoldsTheLakeHoweverLongSilent() throws Exception {
    Process other = new ProcessBuilder("sleep", "300").start();
    try {
      Instant started = Instant.now().plusSeconds(5);
      plantRunning("ingest-elsewhere", "ingest", other.pid(), started, started.minus(java.time.Duration.ofHours(1)));
      Waiting next = new Waiting();
      next.finish.countDown();
      RunLockedException refused = assertThrows(RunLockedException.class, () -> runJob(next, settings(dir), END));
      assertTrue(refused.getMessage().startsWith("lock-test cannot start while ingest writes the lake (one process at a "
          + "time writes a lake): run ingest-elsewhere on "), refused.getMessage());
      assertEquals(RunLog.RUNNING, runRow("ingest-elsewhere").getAs(JobRuns.STATUS.name()),
          "silent for an hour, stale-after 5 minutes, but alive: not taken over");

      // The same pid, now for a run that started before its process did: the pid was reused, the run is gone.
      plantRunning("ingest-elsewhere", "ingest", other.pid(), Instant.now().minus(java.time.Duration.ofHours(1)),
          Instant.now());
      runJob(next, settings(dir), END);
      assertAbandoned("ingest-elsewhere", other.pid());
    } finally {
      other.destroyForcibly();
    }
  }

  /** A run whose row another process marked FAILED (it took the lock) stops at its next Spark job and ends FAILED. */
  @Test
  @Order(8)
  void aRunThatLostTheLockStops() throws Exception {
    Settings s = settings(dir, "plg360.run-log.heartbeat", "1s", "plg360.run-log.stale-after", "1m");
    Waiting busy = new Waiting(true);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<JobContext> running = pool.submit(() -> runJob(busy, s, END));
      assertTrue(busy.started.await(2, TimeUnit.MINUTES));
      Row mine = runs("lock-test", END).stream().filter(r -> RunLog.RUNNING.equals(r.getAs(JobRuns.STATUS.name())))
          .findFirst().orElseThrow();
      String runId = mine.getAs(JobRuns.RUN_ID.name());
      // As another process abandoning it would; the run's own heartbeat writes the table too, so a commit may lose.
      for (int attempt = 1; ; attempt++) {
        try {
          lake.update(JobRuns.TABLE, JobRuns.RUN_ID.col().equalTo(runId), Map.of(JobRuns.STATUS,
              org.apache.spark.sql.functions.lit(RunLog.FAILED), JobRuns.ERROR, org.apache.spark.sql.functions.lit("abandoned")));
          break;
        } catch (java.util.ConcurrentModificationException raced) {
          assertTrue(attempt < 10, "the update kept losing to the heartbeat: " + raced);
        }
      }
      java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
          () -> running.get(3, TimeUnit.MINUTES));
      assertTrue(failed.getCause().getMessage().startsWith("run " + runId + " lost the lake's lock: its row in "
          + "ops.job_runs is no longer RUNNING"), RunLog.describe(failed.getCause()));
      Row ended = runRow(runId);
      assertEquals(RunLog.FAILED, ended.getAs(JobRuns.STATUS.name()));
      assertTrue(ended.<String>getAs(JobRuns.ERROR.name()).startsWith("run " + runId + " lost the lake's lock"),
          ended.toString());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Two processes start ingest on one empty lake at once: one lands the files, the other is refused (exit 3). */
  @Test
  @Order(9)
  void twoProcessesStartingAtOnceNeverBothWrite() throws Exception {
    Path raced = dir.resolve("raced");
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ProcessBuilder pb = new ProcessBuilder(dev.plg360.jobs.CliProcess.command("ingest", "--as-of", END.toString(),
          "-D", "plg360.lake.root=" + raced, "-D", "plg360.landing.dir=" + SAMPLES.toAbsolutePath()))
          .redirectErrorStream(true).redirectOutput(dir.resolve("raced-" + i + ".log").toFile());
      processes.add(dev.plg360.jobs.CliProcess.startWithin(pb, java.time.Duration.ofMinutes(5)));
    }
    List<Integer> exits = new ArrayList<>();
    for (Process p : processes) {
      assertTrue(p.waitFor(5, TimeUnit.MINUTES));
      exits.add(p.exitValue());
    }
    String logs = Files.readString(dir.resolve("raced-0.log")) + Files.readString(dir.resolve("raced-1.log"));
    assertEquals(List.of(0, dev.plg360.jobs.Cli.LOCKED), exits.stream().sorted().toList(), logs);
    assertTrue(logs.contains("plg360 ingest failed: ingest is already running: run ingest-"), logs);

    Lake racedLake = new Lake(spark(), raced.toString());
    assertEquals(List.of(RunLog.SUCCEEDED), racedLake.read(JobRuns.TABLE).select(JobRuns.STATUS.col()).collectAsList()
        .stream().map(r -> r.getString(0)).toList(), "one run, the winner's: the refused one leaves no row");
    for (TableDef t : List.of(dev.plg360.common.tables.Tables.SfAccounts.TABLE,
        dev.plg360.common.tables.Tables.ProductEvents.TABLE)) {
      Dataset<Row> rows = racedLake.read(t);
      assertEquals(rows.count(), rows.select(t.key().stream().map(c -> c.col()).toArray(Column[]::new)).distinct().count(),
          t + ": each record once");
    }
    assertEquals(5, racedLake.read(dev.plg360.common.tables.Tables.SfAccounts.TABLE).count(),
        "the sample accounts, landed once");
  }

  private static final Path SAMPLES = Path.of("..", "samples", "landing");

  /** Writes a RUNNING row into ops.job_runs as another process on this host would have. */
  private void plantRunning(String runId, String job, long pid, Instant startedAt, Instant heartbeatAt) {
    Row template = runs("lock-test", END).get(0); // this host's name, and every other column a run row has
    Object[] values = new Object[template.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = template.get(i);
    }
    values[template.fieldIndex(JobRuns.RUN_ID.name())] = runId;
    values[template.fieldIndex(JobRuns.JOB.name())] = job;
    values[template.fieldIndex(JobRuns.STATUS.name())] = RunLog.RUNNING;
    values[template.fieldIndex(JobRuns.ENDED_AT.name())] = null;
    values[template.fieldIndex(JobRuns.ERROR.name())] = null;
    values[template.fieldIndex(JobRuns.PID.name())] = pid;
    values[template.fieldIndex(JobRuns.STARTED_AT.name())] = Timestamp.from(startedAt);
    values[template.fieldIndex(JobRuns.HEARTBEAT_AT.name())] = Timestamp.from(heartbeatAt);
    lake.upsert(spark().createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(values)), JobRuns.TABLE.schema()),
        JobRuns.TABLE);
  }

  private Row runRow(String runId) {
    return lake.read(JobRuns.TABLE).where(JobRuns.RUN_ID.col().equalTo(runId)).first();
  }

  private void assertAbandoned(String runId, long pid) {
    Row killed = runRow(runId);
    assertEquals(RunLog.FAILED, killed.getAs(JobRuns.STATUS.name()));
    assertTrue(killed.<String>getAs(JobRuns.ERROR.name()).startsWith("abandoned: its process (pid " + pid), killed.toString());
    assertFalse(killed.isNullAt(killed.fieldIndex(JobRuns.ENDED_AT.name())));
  }
}
