package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.SyncState;
import dev.plg360.jobs.activate.ActivateJob;
import dev.plg360.jobs.activate.ActivateSettings;
import dev.plg360.jobs.activate.EmbeddedPostgresServer;
import dev.plg360.jobs.c360.Build360Job;
import dev.plg360.jobs.ingest.IngestJob;
import dev.plg360.jobs.model.TrainJob;
import dev.plg360.jobs.report.ReportJob;
import dev.plg360.jobs.resolve.ResolveJob;
import dev.plg360.jobs.score.ScoreJob;
import dev.plg360.testkit.SparkTestBase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Every job of the chain is safe to kill: a run killed part-way (SIGKILL, as a crash, an OOM kill or a pre-empted node
 * would) and run again leaves exactly what one clean run leaves.
 *
 * <p>The clean runs are the story's ({@link StoryWorld}): the demo's chain as of an earlier day on an empty lake, then
 * as of the last day, with the lake's content hash after each step. Here each job is started by the command line in a
 * JVM of its own on a lake of its own, with the settings the story's chain ran with, killed with SIGKILL once it has
 * made half of the Delta commits the story's run of that job made (counted from its log: {@code created table} and
 * {@code wrote <table> version}, ops.job_runs aside), then run again to completion in this JVM (what the rerun sees is
 * only what the killed process left on disk: the lake, the registry, PostgreSQL). ingest, resolve and build360 are
 * killed in the earlier run, on the empty lake they start from; train, score, activate and report in the later run,
 * starting from the story's lake as that run left it before its train, and PostgreSQL as the earlier run left it.
 * After each job the lake must hold the same rows in every table as the story's after that step ({@link LakeHash}:
 * run stamps and the run log aside) and the same model registry entries; after activate the PostgreSQL tables must
 * hold the story's rows, each key once, and the Salesforce import files of all runs together the same rows. report
 * writes no table: it is killed once it has written its first HTML file.
 *
 * <p>The kill is asserted to have hit a partial state: exit code 137, the killed run's RUNNING row with no SUCCEEDED
 * row for the job, at least the commits it was killed after and fewer than the clean run made. The rerun starts
 * after the killed JVM is gone, so a run lock that takes over a RUNNING row of a dead process lets it through.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
// Its activate starts PostgreSQL on the story's port, as DemoCommandTest's demos do; second, after it.
@Order(2)
@ResourceLock(StoryWorld.POSTGRES_PORT)
class KillAndRerunTest extends SparkTestBase {

  private static final Pattern COMMIT_LINE = Pattern.compile("Lake: (?:created table|wrote) (\\S+)");
  private static final Pattern REPORT_FILE_LINE = Pattern.compile("ReportJob: run \\S+: wrote ");
  private static final String PG_SCHEMA = "plg360";

  /** Kept when a test fails: the killed runs' logs ({@code <job>-killed.log}) and the lake. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  private StoryWorld story;
  private Lake storyLake;
  private Map<String, String> chain;
  private Settings killed;
  private Lake killedLake;
  private EmbeddedPostgresServer pg;
  private Path childLog4j;
  private boolean chainIntact = true;
  private long started;
  private final Map<String, String> timings = new LinkedHashMap<>();

  @BeforeAll
  void readTheStory() throws IOException {
    startSpark();
    started = System.nanoTime();
    story = StoryWorld.get(spark());
    storyLake = new Lake(spark(), story.lake().toString());
    killOn(dir.resolve("killed-earlier"));

    // The children log plg360's progress (the tests' own logging keeps it quiet): the kill points are read from it.
    childLog4j = dir.resolve("log4j2-child.properties");
    Files.writeString(childLog4j, String.join("\n", "rootLogger.level = warn", "rootLogger.appenderRef.stderr.ref = console",
        "appender.console.type = Console", "appender.console.name = console", "appender.console.target = SYSTEM_ERR",
        "appender.console.layout.type = PatternLayout", "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1}: %m%n",
        "logger.plg360.name = dev.plg360", "logger.plg360.level = info", ""));
    timings.put("the story", seconds(started));
  }

  @AfterAll
  void stopPostgresAndSayHowLong() {
    if (pg != null) {
      pg.close();
    }
    System.err.println("KillAndRerunTest took " + seconds(started) + ": " + timings);
  }

  @Test
  @Order(1)
  void ingest() throws Exception {
    killAndRerun(() -> new IngestJob(), StoryWorld.EARLIER_RUN);
  }

  @Test
  @Order(2)
  void resolve() throws Exception {
    killAndRerun(() -> new ResolveJob(), StoryWorld.EARLIER_RUN);
  }

  @Test
  @Order(3)
  void build360() throws Exception {
    killAndRerun(() -> new Build360Job(), StoryWorld.EARLIER_RUN);
  }

  @Test
  @Order(4)
  void train() throws Exception {
    // The later run from where the story's was before its train, on a lake of its own (Delta's log cache knows the
    // earlier lake's tables by their ids: replaced in place, they would be other tables at the same paths).
    // PostgreSQL as the earlier run's activate left it, on the port the story's server had, so that ops.sync_state
    // names the same target.
    Path root = dir.resolve("killed-later");
    StoryWorld.copy(story.beforeTrain().resolve("lake"), root);
    killOn(root);
    StoryWorld.copy(story.afterEarlier().resolve("postgres"), dir.resolve("pg"));
    pg = EmbeddedPostgresServer.start(dir.resolve("pg"), story.postgresPort());
    assertEquals(story.postgresPort(), pg.port(), "the story's PostgreSQL port is free again");
    chainIntact = true; // the later run starts from the story's own lake, whatever the earlier kills left
    killAndRerun(() -> new TrainJob(TrainJob.Request.defaults()), StoryWorld.END_RUN);
    assertRegistryAgreesWithModelVersions(storyLake);
    assertRegistryAgreesWithModelVersions(killedLake);
  }

  @Test
  @Order(5)
  void score() throws Exception {
    killAndRerun(() -> new ScoreJob(), StoryWorld.END_RUN);
  }

  @Test
  @Order(6)
  void activate() throws Exception {
    killAndRerun(() -> new ActivateJob(false), StoryWorld.END_RUN);
  }

  @Test
  @Order(7)
  void report() throws Exception {
    killAndRerun(() -> new ReportJob(), StoryWorld.END_RUN);
  }

  /** The lake the next jobs are killed on, and the settings of the story's chain pointed at it. */
  private void killOn(Path root) {
    chain = story.chainSettings(root);
    killed = story.chain(root);
    killedLake = new Lake(spark(), root.toString());
  }

  // ------------------------------------------------------------------------------------------- one job

  /**
   * Runs the job on the killed lake, killed part-way and again to the end, and compares the lake with the story's
   * after the same step of the same run. A job after one whose lakes differ is not run (its comparison would only
   * repeat the difference).
   */
  private void killAndRerun(Supplier<Job> newJob, String run) throws Exception {
    assumeTrue(chainIntact, "an earlier job left the two lakes different");
    chainIntact = false;
    String name = newJob.get().name();
    LocalDate asOf = run.equals(StoryWorld.EARLIER_RUN) ? StoryWorld.EARLIER : StoryWorld.END;
    int cleanCommits = story.commitsMadeBy(run, name);
    Map<String, String> want = story.hashesAfter(run, name);

    // Half the clean run's commits (at least one), or for report, which commits nothing, its first file.
    int killAfter = Math.max(1, (cleanCommits + 1) / 2);
    Pattern point = cleanCommits == 0 ? REPORT_FILE_LINE : COMMIT_LINE;
    long t1 = System.nanoTime();
    Map<String, Long> beforeKill = StoryWorld.commits(killedLake);
    Child killedRun = kill(name, asOf, point, killAfter);
    assertEquals(137, killedRun.exit, name + " was killed by SIGKILL before it finished (" + killedRun.log + ")");
    assertEquals(List.of(RunLog.RUNNING), statuses(name, asOf),
        name + ": the killed run left its RUNNING row, no SUCCEEDED one");
    int killedCommits = changed(beforeKill, StoryWorld.commits(killedLake));
    if (cleanCommits > 0) {
      assertTrue(killedCommits >= killAfter && killedCommits < cleanCommits, name + " was killed part-way: it made "
          + killedCommits + " of the " + cleanCommits + " commits a clean run makes, killed after " + killAfter);
    } else {
      assertTrue(Files.exists(reportDir(killedLake).resolve("model-card.html")), "report was killed after its first file");
    }
    String killedTook = seconds(t1);

    long t2 = System.nanoTime();
    runJob(newJob.get(), killed, asOf);
    assertEquals(1, statuses(name, asOf).stream().filter(RunLog.SUCCEEDED::equals).count(),
        name + ": the rerun succeeded");
    Map<String, String> got = LakeHash.of(spark(), killedLake.root());
    timings.put(name, String.format("killed after %d of %d commits %s, rerun %s", killedCommits, cleanCommits,
        killedTook, seconds(t2)));
    String differences = LakeHash.differences(spark(), storyLake.root(), want, killedLake.root(), got);
    assertEquals("", differences, name + " killed after " + killAfter + " commits and run again leaves another lake "
        + "than the story's clean run (the killed run's log: " + killedRun.log + "):\n" + differences);
    switch (name) {
      case "activate" -> {
        assertEquals(storyTargetRows(), targetRows(pg),
            "activate killed and run again leaves the PostgreSQL tables the story's clean run left");
        assertCrmFilesHoldTheCleanRows();
        assertSyncStateNamesEachLakesTables(storyLake);
        assertSyncStateNamesEachLakesTables(killedLake);
      }
      case "report" -> assertReportsComplete(killedLake);
      default -> { }
    }
    chainIntact = true;
  }

  /** A finished child JVM: its exit code and its log file. */
  private record Child(int exit, Path log) {}

  /**
   * Runs {@code plg360 <job>} on the killed lake in its own JVM and kills it (SIGKILL) as soon as its log has shown
   * that many lines matching the pattern (ops.job_runs' own commits not counted).
   */
  private Child kill(String job, LocalDate asOf, Pattern killAt, int lines) throws Exception {
    List<String> args = new ArrayList<>(List.of(job, "--as-of", asOf.toString(), "--conf",
        StoryWorld.EXPORT_MAPPING_FILE.toString()));
    chain.forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
    ProcessBuilder pb = new ProcessBuilder(CliProcess.command(
        List.of("-Xmx1g", "-Dlog4j2.configurationFile=" + childLog4j.toUri()), args.toArray(String[]::new)))
        .directory(dir.toFile()).redirectOutput(dir.resolve(job + "-killed.out").toFile());
    if (pg != null) {
      pb.environment().putAll(pg.environment()); // the password of the PostgreSQL the later run delivers to
    }
    Path log = dir.resolve(job + "-killed.log");
    Process p = CliProcess.startWithin(pb, Duration.ofMinutes(10));
    int seen = 0;
    try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
      for (String line; (line = err.readLine()) != null; ) {
        out.println(line);
        if (counts(killAt, line) && ++seen == lines) {
          p.destroyForcibly();
          out.println("---- killed (SIGKILL) here by KillAndRerunTest, after " + lines + " matching lines");
          break; // the pipe closes with the process
        }
      }
    }
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), job + " ended");
    assertTrue(seen >= lines, job + " finished before the kill point (" + lines + " lines of " + killAt + "): see " + log);
    return new Child(p.exitValue(), log);
  }

  private static boolean counts(Pattern killAt, String line) {
    Matcher m = killAt.matcher(line);
    return m.find() && !(m.groupCount() > 0 && JobRuns.TABLE.qualifiedName().equals(m.group(1)));
  }

  /** The run-log statuses of a job as of a date in the killed lake, sorted (the earlier run's are of another date). */
  private List<String> statuses(String job, LocalDate asOf) {
    return spark().read().format("delta").load(killedLake.path(JobRuns.TABLE))
        .where(JobRuns.JOB.col().equalTo(job).and(JobRuns.AS_OF.col().equalTo(java.sql.Date.valueOf(asOf))))
        .select(JobRuns.STATUS.col()).collectAsList().stream().map(r -> r.getString(0)).sorted().toList();
  }

  private static int changed(Map<String, Long> before, Map<String, Long> after) {
    return (int) after.entrySet().stream().mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
  }

  private static String seconds(long startNanos) {
    return String.format("%.1f s", (System.nanoTime() - startNanos) / 1e9);
  }

  // ------------------------------------------------------------------------------------------- what else a job leaves

  /** The delivered tables' rows in a PostgreSQL server, as compared (run stamps, the delivering run and time aside). */
  private List<String> targetRows(EmbeddedPostgresServer server) {
    List<String> out = new ArrayList<>();
    for (TableDef t : ActivateSettings.from(killed).tables()) {
      List<Column> cols = new ArrayList<>(t.columns().stream().map(Col::col).toList());
      cols.add(org.apache.spark.sql.functions.col("plg360_version"));
      Dataset<Row> rows = spark().read().jdbc(server.jdbcUrl(), PG_SCHEMA + "." + t.name(), server.connectionProperties())
          .select(cols.toArray(Column[]::new));
      long keys = rows.select(t.key().stream().map(Col::col).toArray(Column[]::new)).distinct().count();
      List<String> shown = LakeHash.comparableRows(rows, t).collectAsList().stream().map(r -> t.name() + " " + r).sorted().toList();
      assertEquals(keys, shown.size(), t.name() + ": each key once in PostgreSQL");
      out.addAll(shown);
    }
    return out;
  }

  /** The rows the story's demo left in its PostgreSQL, read from a copy of its data started on another port. */
  private List<String> storyTargetRows() {
    StoryWorld.copy(story.demo().resolve("postgres"), dir.resolve("story-pg"));
    try (EmbeddedPostgresServer storyPg = EmbeddedPostgresServer.start(dir.resolve("story-pg"))) {
      return targetRows(storyPg);
    }
  }

  /**
   * The Salesforce import files of every run of the killed lake hold, together, exactly the rows of the story's runs'
   * files: none lost, none torn. A run killed after writing a file but before recording the delivery writes it again
   * into the rerun's folder (an upsert by Id takes it twice), so rows may repeat across folders.
   */
  private void assertCrmFilesHoldTheCleanRows() throws IOException {
    Map<String, Set<String>> want = crmRows(storyLake);
    Map<String, Set<String>> got = crmRows(killedLake);
    assertTrue(!want.isEmpty(), "the story's runs wrote import files");
    assertEquals(want, got, "the import files of the killed lake's runs hold the story's rows");
  }

  /** Each import file's name to the set of its lines over every run folder (header included). */
  private static Map<String, Set<String>> crmRows(Lake lake) throws IOException {
    Path root = Path.of(lake.root(), "exports", "crm");
    Map<String, Set<String>> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (!name.startsWith(".")) {
          out.computeIfAbsent(name, k -> new TreeSet<>()).addAll(Files.readAllLines(f));
        }
      }
    }
    return out;
  }

  /** ops.sync_state's table ids (a run stamp, left out of the hashes) are the ids of the lake's own tables. */
  private void assertSyncStateNamesEachLakesTables(Lake lake) {
    for (Row r : spark().read().format("delta").load(lake.path(SyncState.TABLE)).collectAsList()) {
      TableDef t = Tables.byName(r.getAs(SyncState.SOURCE_TABLE.name())).orElseThrow();
      assertEquals(lake.tableId(t), r.getAs(SyncState.SOURCE_TABLE_ID.name()), t + " in " + lake.root());
    }
  }

  private static Path reportDir(Lake lake) {
    return Path.of(lake.root(), "reports");
  }

  private static void assertReportsComplete(Lake lake) throws IOException {
    for (String f : List.of("model-card.html", "run-report.html", "index.html")) {
      String html = Files.readString(reportDir(lake).resolve(f));
      assertTrue(html.endsWith("</html>\n"), f + " is whole");
    }
  }

  /**
   * The registry's current version has its metadata and model, and the registry and gold.model_versions hold the same
   * versions: no version recorded without its files, none saved without its record.
   */
  private void assertRegistryAgreesWithModelVersions(Lake lake) {
    ModelRegistry registry = new ModelRegistry(spark(), lake.file(ModelSettings.from(killed).registryDir()));
    String current = registry.current().orElseThrow(() -> new AssertionError("no current model in " + lake.root()));
    assertEquals(current, registry.metadata(current).path("version").asText(), current + "'s metadata in " + lake.root());
    Set<String> recorded = spark().read().format("delta").load(lake.path(Versions.TABLE)).select(Versions.VERSION.col())
        .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(recorded, new TreeSet<>(registry.versions()), "gold.model_versions and the registry in " + lake.root());
  }
}
