package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.Accounts;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.testkit.SparkTestBase;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * plg360 through spark-submit on a real cluster manager: a Spark standalone master and worker on 127.0.0.1, each in
 * its own JVM, and the thin jar ({@code plg360-jobs-<version>-spark.jar}) submitted to them with Spark's SparkSubmit in
 * client mode, so that every task runs in an executor JVM the worker started. A small company is generated, then
 * the chain runs on it as of its last day, configured as a user would: the shipped conf/cluster.conf (scaled down)
 * with the lake and the landing zone from the environment; then plg360 sql with personal data masked, which executors
 * do with the driver's secret. Whatever works only in local mode (driver state read by a task, a class only on the
 * driver's classpath, a setting, secret or relative path only the driver has) fails here.
 *
 * <p>Runs in Maven's verify phase (failsafe), after package has built the thin jar. Everything is kept in
 * target/cluster-it: the lake, each process's log (logs/) and the executors' logs (work/).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class ClusterSubmitIT extends SparkTestBase {

  static final String AS_OF = "2026-10-31";

  /** The chain as one application, as of the company's last day (activate needs a PostgreSQL and is left out). */
  static final String[] CHAIN = {"run", "--as-of", AS_OF, "-D", "plg360.run.skip=[activate]"};

  /** What the chain runs: a row each in ops.job_runs. */
  static final Set<String> JOBS = Set.of("run", "ingest", "resolve", "build360", "train", "score", "report");

  /** 200 workspaces over 90 days: about 60 have a label by the last day, enough for a small model's three cohorts. */
  static final String[] COMPANY = {"--workspaces", "200", "--days", "90", "--seed", "3", "--end-date", AS_OF};

  final Path dir = Path.of(System.getProperty("cluster-it.dir", "target/cluster-it")).toAbsolutePath();
  final Path thinJar = Path.of(System.getProperty("cluster-it.thin-jar", "missing: set cluster-it.thin-jar"));
  final Path conf = dir.resolve("cluster-it.conf");
  final List<StandaloneCluster.Submission> submitted = new ArrayList<>();
  StandaloneCluster cluster;

  @BeforeAll
  void startTheCluster() throws Exception {
    assertTrue(Files.isRegularFile(thinJar), "the thin jar is built by package: " + thinJar);
    deleteRecursively(dir);
    Files.createDirectories(dir);
    Path shipped = Path.of(System.getProperty("cluster-it.conf-dir", "../conf"), "cluster.conf").toAbsolutePath();
    Files.writeString(conf, String.join("\n",
        "# The shipped cluster settings, scaled down to a company of 200 workspaces on a worker with one core.",
        "include file(\"" + shipped + "\")",
        "plg360 {",
        "  spark.shuffle-partitions = 2",
        "  spark.conf { \"spark.databricks.delta.snapshotPartitions\" = 2 }",
        "  model { min-training-rows = 30, test-share = 0.3, validation-share = 0.25 }",
        "}", ""));
    cluster = StandaloneCluster.start(dir, 1, "1536m");
  }

  @AfterAll
  void stopTheCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private StandaloneCluster.Submission submit(String... args) throws Exception {
    List<String> cli = new ArrayList<>(Arrays.asList(args));
    cli.addAll(List.of("--conf", conf.toString()));
    // Relative to the folder spark-submit runs in, as in a user's working folder; executors run in folders of their
    // own, so every path must be made absolute on the driver.
    Map<String, String> env = Map.of("PLG360_LAKE_ROOT", "lake", "PLG360_LANDING_DIR", "company/landing");
    StandaloneCluster.Submission s = cluster.submit(args[0], thinJar, Cli.class.getName(), env, cli);
    System.out.printf("%s on the cluster: exit %d in %.1f s (%s)%n", args[0], s.exitCode(), s.took().toMillis() / 1000.0,
        s.appId().orElse("no application id"));
    submitted.add(s);
    assertEquals(0, s.exitCode(), s.describe());
    return s;
  }

  @Test
  @Order(1)
  void theThinJarCarriesWhatASparkDistributionDoesNot() throws IOException {
    Set<String> entries = entries(thinJar);
    for (String needed : List.of("dev/plg360/jobs/Cli.class", "dev/plg360/common/spark/SparkSessions.class",
        "io/delta/tables/DeltaTable.class", "io/delta/storage/LogStore.class", "com/typesafe/config/Config.class",
        "picocli/CommandLine.class", "org/postgresql/Driver.class", "org/knowm/xchart/XYChart.class",
        "dev/plg360/shaded/guava/net/InternetDomainName.class")) {
      assertTrue(entries.contains(needed), thinJar + " holds " + needed);
    }
    // Spark's, Scala's and Hadoop's classes come from the cluster, and Guava's only relocated (clusters carry an old
    // one); delta-spark has classes of its own under org/apache/spark.
    Set<String> delta = entries(Path.of(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> Path.of(e).getFileName().toString().startsWith("delta-spark_")).findFirst().orElseThrow()));
    for (String provided : List.of("scala/", "org/apache/hadoop/", "com/google/common/", "org/apache/spark/")) {
      List<String> found = entries.stream()
          .filter(e -> e.startsWith(provided) && !e.endsWith("/") && !delta.contains(e)).limit(3).toList();
      assertTrue(found.isEmpty(), thinJar + " holds no " + provided + " but Delta's own: " + found);
    }
  }

  @Test
  @Order(2)
  void generatesACompanyAndRunsTheChainOnTheCluster() throws Exception {
    String[] generate = Stream.concat(Stream.of("generate", "--out", "company"),
        Arrays.stream(COMPANY)).toArray(String[]::new);
    assertTrue(submit(generate).stdoutText().contains("generated 200 workspaces"), submitted.get(0).describe());
    submit(CHAIN);
  }

  @Test
  @Order(3)
  void masksPersonalDataOnTheExecutorsWithTheSecretOfTheDriversEnvironment() throws Exception {
    assertChainRan();
    // The mask is computed in tasks; the workers' environment has no PLG360_MASK_SECRET, so it reaches the executors
    // only through Spark (spark.executorEnv) from the driver's.
    StandaloneCluster.Submission s = submit("sql", "-D", PersonalData.SETTING + "=true", "--format", "csv",
        "SELECT email FROM silver.people WHERE email IS NOT NULL");
    List<String> shown = s.stdoutText().lines().skip(1).toList();
    Lake lake = new Lake(spark(), dir.resolve("lake").toString());
    Set<String> masks = lake.read(People.TABLE).where(People.EMAIL.col().isNotNull()).select(People.EMAIL.col())
        .collectAsList().stream().map(r -> PersonalData.mask(r.getString(0), System.getenv(PersonalData.SECRET_ENV)))
        .collect(Collectors.toSet());
    assertTrue(shown.size() > 20 && masks.containsAll(shown),
        "every email shown is its keyed hash under the secret: " + shown.stream().limit(3).toList() + "\n" + s.describe());
  }

  @Test
  @Order(4)
  void everyApplicationRanOnTheWorkersExecutors() throws Exception {
    assertChainRan();
    for (StandaloneCluster.Submission s : submitted) {
      String appId = s.appId().orElseThrow(() -> new AssertionError("the driver never joined the cluster: " + s.describe()));
      JsonNode app = cluster.completedApp(appId)
          .orElseThrow(() -> new AssertionError("the master does not list " + appId + " as completed: " + s.describe()));
      assertEquals("FINISHED", app.path("state").asText(), s.name() + ": " + app);
      Path executorLog = cluster.executorLog(appId, 0);
      assertTrue(Files.isRegularFile(executorLog), s.name() + ": the worker started an executor for " + appId);
      assertTrue(Files.readString(executorLog).contains("Running task"), s.name() + ": tasks ran in " + executorLog);
    }
  }

  @Test
  @Order(5)
  void theLakeHoldsWhatTheChainWrote() {
    assertChainRan();
    Lake lake = new Lake(spark(), dir.resolve("lake").toString());
    for (TableDef bronze : Tables.all().stream().filter(t -> t.layer().equals("bronze")).toList()) {
      assertTrue(lake.read(bronze).count() > 0, bronze + " has rows (quarantine: the planted defects)");
    }
    assertTrue(lake.read(Accounts.TABLE).count() > 20, "silver.accounts");
    Date asOf = Date.valueOf(AS_OF);
    assertTrue(lake.read(Account360.TABLE).where(Snapshot.AS_OF.col().equalTo(asOf)).count() > 20,
        "gold.account_360 as of " + AS_OF);

    Set<String> succeeded = lake.read(JobRuns.TABLE)
        .where(JobRuns.STATUS.col().equalTo(RunLog.SUCCEEDED).and(JobRuns.AS_OF.col().equalTo(asOf)))
        .select(JobRuns.JOB.col()).collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
    assertEquals(JOBS, succeeded, "ops.job_runs has a SUCCEEDED run of the chain and of each of its steps");

    List<Row> scored = lake.read(AccountScores.TABLE).where(AccountScores.PQL_SCORE.col().isNotNull())
        .select(AccountScores.PQL_SCORE.col(), AccountScores.PQL_MODEL_VERSION.col()).collectAsList();
    assertTrue(scored.size() > 5, "gold.account_scores has PQL scores: " + scored.size());
    assertTrue(scored.stream().allMatch(r -> r.getDouble(0) >= 0 && r.getDouble(0) <= 100 && r.getString(1) != null),
        "each a 0-100 score from a model version");
  }

  private void assertChainRan() {
    assertTrue(submitted.size() > 1, "the chain ran (see generatesACompanyAndRunsTheChainOnTheCluster)");
  }

  private static Set<String> entries(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().map(ZipEntry::getName).collect(Collectors.toSet());
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (Files.exists(p)) {
      try (Stream<Path> all = Files.walk(p)) {
        for (Path f : all.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.delete(f);
        }
      }
    }
  }
}
