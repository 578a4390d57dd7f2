package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.jobs.generate.Generator;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
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
 * client mode, so that every task runs in an executor JVM the worker started. A small company is generated there and
 * here, the same records. Then it replays the story ({@link StoryWorld}) as a user would configure it, with the shipped
 * conf/cluster.conf scaled down, the story's settings and the lake and landing zone from the environment: ingest of
 * every export on an empty lake, as the story's earlier run did; then the story's later run (activate, which needs a
 * PostgreSQL, left out) on the lake as the earlier run left it; then plg360 sql with personal data masked, which
 * executors do with the driver's secret. Each lake must hold what the story's lake held after the same steps, table
 * by table by content hash. Whatever works only in local mode (driver state read by a task, a class only on the
 * driver's classpath, a setting, secret or relative path only the driver has) fails here.
 *
 * <p>The module's build makes the thin jar before its tests run (jobs/pom.xml). Everything is kept in
 * target/cluster-test: the lakes, each process's log (logs/) and the executors' logs (work/).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
// Third, after the story's makers: its processes keep a core only partly busy, and another class fills the rest.
@Order(3)
class ClusterSubmitTest extends SparkTestBase {

  /** What the story's later run ran, but activate: a row each in ops.job_runs. */
  static final Set<String> JOBS = Set.of("run", "ingest", "resolve", "build360", "train", "score", "report");

  static final String REGISTRY = "models/";
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir = Path.of(System.getProperty("cluster-test.dir", "target/cluster-test")).toAbsolutePath();
  final Path thinJar = Path.of(System.getProperty("cluster-test.thin-jar", "missing: set cluster-test.thin-jar"));
  final Path conf = dir.resolve("cluster-test.conf");
  final List<StandaloneCluster.Submission> submitted = new ArrayList<>();
  StoryWorld story;
  StandaloneCluster cluster;

  @BeforeAll
  void startTheCluster() throws Exception {
    assertTrue(Files.isRegularFile(thinJar), "the module's build makes the thin jar before its tests: " + thinJar);
    startSpark();
    story = StoryWorld.get(spark());
    StoryWorld.deleteRecursively(dir);
    Files.createDirectories(dir);
    Path shipped = Path.of(System.getProperty("cluster-test.conf-dir", "../conf"), "cluster.conf").toAbsolutePath();
    List<String> lines = new ArrayList<>(List.of(
        "# The shipped cluster settings, scaled down to the story's small company on a worker with two cores, and the",
        "# settings (the export mapping among them) the story's chain ran with.",
        "include file(\"" + shipped + "\")",
        "include classpath(\"" + StoryWorld.EXPORT_MAPPING + "\")",
        "plg360 {",
        "  spark.conf { \"spark.databricks.delta.snapshotPartitions\" = 2 }",
        "}"));
    story.chainSettings(Path.of("lake")).forEach((k, v) -> {
      if (!k.startsWith("plg360.activate.") && !k.equals("plg360.lake.root") && !k.equals("plg360.landing.dir")) {
        // A list as HOCON writes it; every other value quoted.
        lines.add(k + " = " + (v.startsWith("[") ? v : "\"" + v + "\""));
      }
    });
    lines.add("");
    Files.writeString(conf, String.join("\n", lines));
    // The exports in a folder of the user's, named relative to where spark-submit runs.
    StoryWorld.copy(story.landing(), dir.resolve("company/landing"));
    cluster = StandaloneCluster.start(dir, 2, "1536m");
  }

  @AfterAll
  void stopTheCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private StandaloneCluster.Submission submit(String lake, String... args) throws Exception {
    List<String> cli = new ArrayList<>(Arrays.asList(args));
    cli.addAll(List.of("--conf", conf.toString()));
    // Relative to the folder spark-submit runs in, as in a user's working folder; executors run in folders of their
    // own, so every path must be made absolute on the driver.
    Map<String, String> env = Map.of("PLG360_LAKE_ROOT", lake, "PLG360_LANDING_DIR", "company/landing");
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
        "dev/plg360/shaded/guava/net/InternetDomainName.class", "META-INF/NOTICE", "META-INF/LICENSE")) {
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
    // The Databricks jar is the thin jar without Delta, every other entry the same: the runtime brings its own Delta.
    Path databricksJar = Path.of(System.getProperty("cluster-test.databricks-jar", "missing: set cluster-test.databricks-jar"));
    Set<String> withoutDelta = new java.util.TreeSet<>(entries);
    withoutDelta.removeIf(e -> delta.contains(e) && !e.endsWith("/") || e.startsWith("io/delta/"));
    Set<String> databricks = new java.util.TreeSet<>(entries(databricksJar));
    // Folders, the embedded poms and the manifest (Delta's jar has one too) are not classes or resources of either.
    java.util.function.Predicate<String> packaging = e -> e.endsWith("/") || e.startsWith("META-INF/maven/")
        || e.equals("META-INF/MANIFEST.MF");
    databricks.removeIf(packaging);
    withoutDelta.removeIf(packaging);
    Set<String> differ = new java.util.TreeSet<>(withoutDelta);
    differ.removeAll(databricks);
    Set<String> extra = new java.util.TreeSet<>(databricks);
    extra.removeAll(withoutDelta);
    assertTrue(databricks.contains("dev/plg360/jobs/Cli.class") && differ.isEmpty() && extra.isEmpty(),
        databricksJar + ": missing " + differ.stream().limit(5).toList() + ", extra " + extra.stream().limit(5).toList());
  }

  /** The generator's tasks on the executors write what they write in this JVM: the same records, file by file. */
  @Test
  @Order(2)
  void generatesOnTheExecutorsWhatItGeneratesHere() throws Exception {
    // In the story's shapes: the cluster's configuration has the mapping that lands them.
    Map<String, String> company = new TreeMap<>(Map.of("plg360.generate.workspaces", "30", "plg360.generate.days", "20",
        "plg360.generate.seed", "3", "plg360.generate.end-date", StoryWorld.END.toString(),
        "plg360.generate.shapes", "realistic"));
    StandaloneCluster.Submission s = submit("lake", "generate", "--out", "generated", "--workspaces", "30", "--days", "20",
        "--seed", "3", "--end-date", StoryWorld.END.toString(), "-D", "plg360.generate.shapes=realistic");
    assertTrue(s.stdoutText().contains("generated 30 workspaces"), s.describe());
    // The story's generator settings (planted shares) are in the cluster's configuration file: here too.
    story.chainSettings(dir).forEach((k, v) -> {
      if (k.startsWith("plg360.generate.")) {
        company.putIfAbsent(k, v);
      }
    });
    Generator.run(spark(), Settings.defaults().withResource(StoryWorld.EXPORT_MAPPING).with(company),
        dir.resolve("generated-here").toString(), false);
    Map<String, List<String>> here = records(dir.resolve("generated-here"));
    assertTrue(here.keySet().stream().anyMatch(f -> f.startsWith("landing/segment/"))
        && here.keySet().stream().anyMatch(f -> f.startsWith("truth/workspaces/")),
        "exports and truth: " + here.keySet());
    assertEquals(here, records(dir.resolve("generated")), "the cluster generated the same records");
  }

  /** A generated folder's records: each file's lines, sorted (a Spark output folder's part files as one). */
  private static Map<String, List<String>> records(Path root) throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    try (var files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || name.startsWith("_")) {
          continue;
        }
        Path rel = root.relativize(name.startsWith("part-") ? f.getParent() : f);
        out.computeIfAbsent(rel.toString(), k -> new ArrayList<>()).addAll(Files.readAllLines(f));
      }
    }
    out.values().forEach(java.util.Collections::sort);
    return out;
  }

  @Test
  @Order(3)
  void ingestsEveryExportAsTheStorysEarlierRunDid() throws Exception {
    submit("ingested", "ingest", "--as-of", StoryWorld.EARLIER.toString());
    assertLakeIsTheStorys("ingested", story.hashesAfter(StoryWorld.EARLIER_RUN, "ingest"));
    assertEquals(Set.of("ingest"), succeeded("ingested", StoryWorld.EARLIER), "ops.job_runs has the ingest");
  }

  @Test
  @Order(4)
  void runsTheStorysLaterRunOnTheCluster() throws Exception {
    StoryWorld.copy(story.afterEarlier().resolve("lake"), dir.resolve("lake"));
    StandaloneCluster.Submission s = submit("lake", "run", "--as-of", StoryWorld.END.toString(),
        "-D", "plg360.run.skip=[activate]");
    // Without activate, the lake is the story's after its later run's score: report writes no table.
    assertLakeIsTheStorys("lake", story.hashesAfter(StoryWorld.END_RUN, "score"));
    assertEquals(JOBS, succeeded("lake", StoryWorld.END),
        "ops.job_runs has a SUCCEEDED run of the chain and of each of its steps");
    // The frames jobs keep were written to the lake's shared storage, where any executor reads them, and deleted.
    Path checkpoints = dir.resolve("lake/_checkpoints");
    long written = s.stderrText().lines()
        .filter(l -> l.contains("Done checkpointing RDD") && l.contains(checkpoints.toString())).count();
    assertTrue(written >= 10, "resolve, build360 and score keep frames under " + checkpoints + ": " + written);
    try (Stream<Path> left = Files.list(checkpoints)) {
      assertEquals(List.of(), left.toList(), "every kept frame was deleted, and the application's folder");
    }
  }

  /**
   * Every table holds the story's rows (content hashes) and the model registry the same entries. A version's metadata
   * is compared without what names the build that trained it: the cluster runs the packaged jar, whose version its
   * manifest gives, where the story ran the build's classes ("development build"), and the fingerprint covers it.
   */
  private void assertLakeIsTheStorys(String lake, Map<String, String> want) throws IOException {
    String root = dir.resolve(lake).toString();
    Map<String, String> got = LakeHash.of(spark(), root);
    Map<String, String> tables = new TreeMap<>(want);
    Map<String, String> gotTables = new TreeMap<>(got);
    tables.keySet().removeIf(k -> k.startsWith(REGISTRY));
    gotTables.keySet().removeIf(k -> k.startsWith(REGISTRY));
    String differences = LakeHash.differences(spark(), story.lake().toString(), tables, root, gotTables);
    assertEquals("", differences, "the cluster's lake " + root + " differs from the story's:\n" + differences);

    Set<String> entries = new TreeSet<>(want.keySet());
    entries.removeAll(tables.keySet());
    assertEquals(entries, new TreeSet<>(got.keySet().stream().filter(k -> k.startsWith(REGISTRY)).toList()),
        "the model registry's entries");
    String jarVersion;
    try (JarFile jar = new JarFile(thinJar.toFile())) {
      jarVersion = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
    }
    for (String entry : entries) {
      Path storyEntry = story.lake().resolve(entry);
      Path clusterEntry = Path.of(root, entry);
      if (!Files.isDirectory(storyEntry)) {
        assertEquals(want.get(entry), got.get(entry), entry);
        continue;
      }
      assertTrue(Files.isDirectory(clusterEntry.resolve("model")), entry + " has its model");
      ObjectNode storyMeta = (ObjectNode) JSON.readTree(storyEntry.resolve("metadata.json").toFile());
      ObjectNode clusterMeta = (ObjectNode) JSON.readTree(clusterEntry.resolve("metadata.json").toFile());
      assertEquals(jarVersion, clusterMeta.path("code_version").asText(), entry + " was trained by the jar's code");
      for (String aside : List.of("code_version", "fingerprint", "run_id", "trained_at")) {
        storyMeta.remove(aside);
        clusterMeta.remove(aside);
      }
      assertEquals(storyMeta, clusterMeta, entry + ": the metadata of the story's version");
    }
  }

  private Set<String> succeeded(String lake, java.time.LocalDate asOf) {
    return new Lake(spark(), dir.resolve(lake).toString()).read(JobRuns.TABLE)
        .where(JobRuns.STATUS.col().equalTo(RunLog.SUCCEEDED).and(JobRuns.AS_OF.col().equalTo(Date.valueOf(asOf))))
        .select(JobRuns.JOB.col()).collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
  }

  @Test
  @Order(5)
  void masksPersonalDataOnTheExecutorsWithTheSecretOfTheDriversEnvironment() throws Exception {
    assertChainRan();
    // The mask is computed in tasks; the workers' environment has no PLG360_MASK_SECRET, so it reaches the executors
    // only through Spark (spark.executorEnv) from the driver's.
    StandaloneCluster.Submission s = submit("lake", "sql", "-D", PersonalData.SETTING + "=true", "--format", "csv",
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
  @Order(6)
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

  private void assertChainRan() {
    assertTrue(submitted.size() > 2, "the chain ran (see runsTheStorysLaterRunOnTheCluster)");
  }

  private static Set<String> entries(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().map(ZipEntry::getName).collect(Collectors.toSet());
    }
  }
}
