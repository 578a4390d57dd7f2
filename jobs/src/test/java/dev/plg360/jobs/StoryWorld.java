package dev.plg360.jobs;

import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.SyncState;
import dev.plg360.jobs.ops.RunJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;

/**
 * The story the whole-chain tests share: the README's first command, {@code plg360 demo}, on a small company, run as
 * of an earlier day and then as of the company's last day, as a user might run it a fortnight apart. The first run
 * lands every export, resolves and builds the earlier day's snapshots, finds too few labels to train and scores
 * without a model; the second builds the last day's snapshots, trains v0001, scores with it and delivers the change.
 *
 * <p>Kept with it, under {@code target/story-world}: what each run printed; the lake's content hash ({@link LakeHash})
 * after every step of both runs; the demo folder's lake and PostgreSQL data as they were between the runs; the lake
 * as the second run left it before its train. Tests that only read use the story in place; tests that write work on
 * a copy ({@link #copy}). It is built once per build: by the first test JVM that asks, under a file lock, and reused
 * by the JVMs after it in the same Maven build (the {@code story-world.build} system property, the build's time).
 */
public final class StoryWorld {

  public static final LocalDate END = LocalDate.parse("2026-10-31");
  public static final LocalDate EARLIER = END.minusDays(14);
  /** The two runs of the story, by the name their hashes and printed output are kept under. */
  public static final String EARLIER_RUN = "earlier";
  public static final String END_RUN = "end";
  /** The resource lock of test classes that start PostgreSQL on the port the story's demo used. */
  public static final String POSTGRES_PORT = "the story's PostgreSQL port";

  /**
   * The company and its settings, as options of {@code plg360 demo}. It plants more surges, invite spikes and
   * near-cap workspaces than the default, so that recall and precision are measured on more than a handful.
   */
  public static final List<String> COMPANY = List.of("--workspaces", "120", "-D", "plg360.generate.days=75",
      "-D", "plg360.spark.shuffle-partitions=2",
      "-D", "plg360.generate.surge-share=0.3", "-D", "plg360.generate.invite-spike-share=0.08",
      "-D", "plg360.generate.near-cap-share=0.1",
      // Runs here are two weeks apart, not daily: look back far enough to see the days between.
      "-D", "plg360.build360.signals.lookback-days=21",
      // About 40 workspaces have a label by the last day: enough for the three cohorts of a small model.
      "-D", "plg360.model.min-training-rows=30", "-D", "plg360.model.test-share=0.3",
      "-D", "plg360.model.validation-share=0.25",
      // One point of the regularisation grid (the one the full grid chooses here): the search over the grid is
      // ModelSelectionTest's and ConversionModelTest's; each chain run here that trains would fit it seven times.
      "-D", "plg360.model.reg-params=[0.05]", "-D", "plg360.model.elastic-net-params=[0.0]");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PORT = Pattern.compile("jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/");
  private static StoryWorld built;

  private final Path dir;
  private final Map<String, Map<String, Map<String, String>>> hashes;
  private final Map<String, Map<String, Integer>> commits;
  private final int postgresPort;

  private StoryWorld(Path dir, Map<String, Map<String, Map<String, String>>> hashes,
                     Map<String, Map<String, Integer>> commits, int postgresPort) {
    this.dir = dir;
    this.hashes = hashes;
    this.commits = commits;
    this.postgresPort = postgresPort;
  }

  /** The story of this build: read from disk when a JVM of this build made it, else made now (a few minutes). */
  public static synchronized StoryWorld get(SparkSession spark) {
    if (built != null) {
      return built;
    }
    Path dir = Path.of(System.getProperty("story-world.dir", "target/story-world")).toAbsolutePath();
    // Without the build's id (a test started outside Maven) the story is made again, once per JVM.
    String build = System.getProperty("story-world.build", "jvm-" + UUID.randomUUID());
    try {
      Files.createDirectories(dir.getParent());
      try (FileChannel lockFile = FileChannel.open(dir.resolveSibling("story-world.lock"), StandardOpenOption.CREATE,
               StandardOpenOption.WRITE);
           FileLock lock = lockFile.lock()) {
        Path done = dir.resolve("story.json");
        if (!Files.exists(done) || !build.equals(JSON.readTree(done.toFile()).path("build").asText())) {
          make(spark, dir, build);
        }
        Kept story = JSON.readValue(done.toFile(), Kept.class);
        built = new StoryWorld(dir, story.hashes(), story.commits(), story.postgresPort());
        return built;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make or read the story world under " + dir, e);
    }
  }

  private static void make(SparkSession spark, Path dir, String build) throws IOException {
    long started = System.nanoTime();
    deleteRecursively(dir);
    Path demo = Files.createDirectories(dir.resolve("demo"));
    Map<String, Map<String, Map<String, String>>> hashes = new TreeMap<>();
    Map<String, Map<String, Integer>> commits = new TreeMap<>();
    runDemo(spark, dir, EARLIER_RUN, hashes, commits, step -> { }, "--as-of", EARLIER.toString());
    copy(demo.resolve("lake"), dir.resolve("after-earlier/lake"));
    copy(demo.resolve("postgres"), dir.resolve("after-earlier/postgres"));
    runDemo(spark, dir, END_RUN, hashes, commits, step -> {
      if (step.name().equals("build360") && step.asOf().equals(END)) {
        Path copied = dir.resolve("before-train/lake");
        copy(demo.resolve("lake"), copied);
        // The copy holds this run's RUNNING row, of this JVM: alive, it would keep every other process off the copy.
        // As a lake a crash left, its run is over (the run log is not compared: LakeHash leaves it aside).
        new Lake(spark, copied.toString()).update(JobRuns.TABLE, JobRuns.STATUS.col().equalTo(RunLog.RUNNING), Map.of(
            JobRuns.STATUS, lit(RunLog.FAILED), JobRuns.ERROR, lit("the story's copy, taken while this run went on")));
      }
    });
    String target = new Lake(spark, demo.resolve("lake").toString()).read(SyncState.TABLE)
        .select(SyncState.TARGET.col()).first().getString(0);
    Matcher port = PORT.matcher(target);
    if (!port.find()) {
      throw new IllegalStateException("the demo delivered to " + target + ", not to its embedded PostgreSQL");
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    Kept story = new Kept(build, seconds, Integer.parseInt(port.group(1)), hashes, commits);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("story.json").toFile(), story);
  }

  /** What story.json keeps: the build that made it, how long it took, and what the runs left after each step. */
  private record Kept(String build, long seconds, int postgresPort,
                      Map<String, Map<String, Map<String, String>>> hashes, Map<String, Map<String, Integer>> commits) {}

  /** Runs the demo in this JVM; keeps what it printed and the lake's hashes after each step. */
  private static void runDemo(SparkSession spark, Path dir, String run,
                              Map<String, Map<String, Map<String, String>>> hashes,
                              Map<String, Map<String, Integer>> commits, Consumer<RunJob.Step> alsoAfterEachStep,
                              String... extra) throws IOException {
    Path demo = dir.resolve("demo");
    String lakeRoot = demo.resolve("lake").toString();
    Lake lake = new Lake(spark, lakeRoot);
    Map<String, Map<String, String>> hashesAfter = new LinkedHashMap<>();
    Map<String, Integer> commitsAfter = new LinkedHashMap<>();
    hashes.put(run, hashesAfter);
    commits.put(run, commitsAfter);
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new DemoCommand().onStep(step -> {
      hashesAfter.put(step.name(), LakeHash.of(spark, lakeRoot));
      commitsAfter.put(step.name(), commits(lake).values().stream().mapToInt(Long::intValue).sum());
      alsoAfterEachStep.accept(step);
    }));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    List<String> args = new ArrayList<>(List.of("--dir", demo.toString()));
    args.addAll(COMPANY);
    args.addAll(List.of(extra));
    int code = cli.execute(args.toArray(String[]::new));
    Files.writeString(dir.resolve(run + ".out"), out.toString());
    if (code != 0) {
      throw new IllegalStateException("plg360 demo " + String.join(" ", args) + " exited " + code + ":\n" + out);
    }
  }

  /** The story's folder: {@code demo/} (landing, truth, lake, postgres), and the copies beside it. */
  public Path dir() {
    return dir;
  }

  /** The demo's folder, as the second run left it: landing, truth, lake and PostgreSQL data. */
  public Path demo() {
    return dir.resolve("demo");
  }

  public Path lake() {
    return demo().resolve("lake");
  }

  public Path landing() {
    return demo().resolve("landing");
  }

  public Path truth() {
    return demo().resolve("truth");
  }

  /** The demo folder's lake ({@code lake/}) and PostgreSQL data ({@code postgres/}) between the two runs. */
  public Path afterEarlier() {
    return dir.resolve("after-earlier");
  }

  /** The lake ({@code lake/}) as the second run left it when its build360 ended, before its train. */
  public Path beforeTrain() {
    return dir.resolve("before-train");
  }

  /** What a run of the demo printed. */
  public String output(String run) {
    try {
      return Files.readString(dir.resolve(run + ".out"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lake's content hashes ({@link LakeHash#of}) when a step of a run had ended. */
  public Map<String, String> hashesAfter(String run, String step) {
    Map<String, String> h = hashes.getOrDefault(run, Map.of()).get(step);
    if (h == null) {
      throw new IllegalArgumentException("the story's " + run + " run has no step " + step + ": "
          + hashes.get(run).keySet());
    }
    return h;
  }

  /**
   * The Delta commits a step of a run made (ops.job_runs' aside): the lake's commits after it less those after the
   * step before it (the earlier run's last step, for the later run's first).
   */
  public int commitsMadeBy(String run, String step) {
    List<Integer> before = new ArrayList<>(List.of(0));
    for (String r : List.of(EARLIER_RUN, END_RUN)) {
      for (Map.Entry<String, Integer> e : commits.get(r).entrySet()) {
        if (r.equals(run) && e.getKey().equals(step)) {
          return e.getValue() - before.get(before.size() - 1);
        }
        before.add(e.getValue());
      }
    }
    throw new IllegalArgumentException("the story's " + run + " run has no step " + step);
  }

  /** Commit files per catalog table of a lake (logs of runs aside): the Delta commits made so far. */
  public static Map<String, Long> commits(Lake lake) {
    Map<String, Long> out = new TreeMap<>();
    for (TableDef t : Tables.all()) {
      Path log = Path.of(lake.path(t), "_delta_log");
      if (!t.runLog() && Files.isDirectory(log)) {
        try (Stream<Path> files = Files.list(log)) {
          out.put(t.qualifiedName(), files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.json")).count());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return out;
  }

  /** The port the demo's embedded PostgreSQL listened on: a server started for the same target must take it. */
  public int postgresPort() {
    return postgresPort;
  }

  /**
   * The mapping the demo lands its company with, whose exports are in the vendors' own shapes (DemoCommand): a chain
   * over the story's exports needs it too. As the classpath resource and as the file a user passes with --conf.
   */
  public static final String EXPORT_MAPPING = "plg360/real-exports.conf";
  public static final Path EXPORT_MAPPING_FILE = Path.of("..", "conf", "real-exports.conf").toAbsolutePath();

  /** The settings of the demo's chain pointed at another lake: its export mapping and {@link #chainSettings}. */
  public Settings chain(Path lakeRoot) {
    return Settings.defaults().withResource(EXPORT_MAPPING).with(chainSettings(lakeRoot));
  }

  /**
   * The settings the demo's chain ran with (the company's {@code -D} options, its landing zone and PostgreSQL target),
   * for a chain on another lake: {@code key=value} each, beside the export mapping ({@link #EXPORT_MAPPING}).
   */
  public Map<String, String> chainSettings(Path lakeRoot) {
    Map<String, String> s = new TreeMap<>();
    for (int i = 0; i + 1 < COMPANY.size(); i++) {
      if (COMPANY.get(i).equals("-D")) {
        String[] kv = COMPANY.get(i + 1).split("=", 2);
        s.put(kv[0], kv[1]);
      }
    }
    s.put("plg360.landing.dir", landing().toString());
    s.put("plg360.lake.root", lakeRoot.toString());
    s.put("plg360.activate.jdbc.url", "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres");
    s.put("plg360.activate.jdbc.user", "postgres");
    return s;
  }

  /** A copy of a folder of the story (a lake, PostgreSQL's data), for a test that writes. */
  public static void copy(Path from, Path to) {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path f : all.toList()) {
        Path t = to.resolve(from.relativize(f).toString());
        if (f.equals(from)) {
          Files.createDirectories(t.getParent());
        }
        // With their permissions: PostgreSQL starts only on a data folder no one else may read.
        if (!Files.isDirectory(t)) {
          Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
    }
  }

  /** Deletes a folder and everything in it, if it is there. */
  static void deleteRecursively(Path p) throws IOException {
    if (Files.exists(p)) {
      try (Stream<Path> all = Files.walk(p)) {
        for (Path f : all.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.delete(f);
        }
      }
    }
  }
}
