package dev.plg360.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.ProductEvents;
import dev.plg360.jobs.activate.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The benchmark harness: for each scale, generates a company once, runs the whole chain on a fresh lake several
 * times (each job and the chain timed, the driver's peak memory read), then on the last run's lake computes the core
 * customer-360 aggregates with DuckDB, fits the model with scikit-learn, and delivers changed rows to PostgreSQL,
 * each side by side with plg360's own figures. Writes the medians to a JSON file and to a section of
 * docs/BENCHMARKS.md. docs/BENCHMARKS.md says how to run it.
 */
@Command(name = "plg360-bench", mixinStandardHelpOptions = true,
    description = "Times plg360's chain at chosen scales, side by side with DuckDB, scikit-learn and PostgreSQL.")
public final class Bench implements Callable<Integer> {

  /** The chain's jobs, in order: the columns of the tables. */
  static final List<String> JOBS = List.of("ingest", "resolve", "build360", "train", "score", "activate", "report");

  @Option(names = "--scales", split = ",", paramLabel = "N[,N...]", description = "Workspaces per scale. Default: 1000.")
  List<Integer> scales = List.of(1000);

  @Option(names = "--runs", paramLabel = "R", description = "Chain runs per scale, each on a fresh lake. Default: 3.")
  int runs = 3;

  @Option(names = "--days", paramLabel = "D", description = "Days of history. Default: 180.")
  int days = 180;

  @Option(names = "--seed", paramLabel = "S", description = "The generator's seed. Default: 7.")
  long seed = 7;

  @Option(names = "--as-of", paramLabel = "YYYY-MM-DD", description = "The last day of history; the chain runs as of it.")
  LocalDate asOf = LocalDate.parse("2026-10-31");

  @Option(names = "--heap", paramLabel = "SIZE", description = "The chain's driver heap (-Xmx). Default: 12g.")
  String heap = "12g";

  @Option(names = "--min-heap", description = "Also find the smallest driver heap the chain completes with (halving, "
      + "then one step between the last success and the first failure; a chain run each).")
  boolean minHeap;

  @Option(names = "--min-heap-only", description = "Only the smallest driver heap (as --min-heap, from --heap down), "
      + "for scales the results file has already, of the same days and seed: their other figures are kept and the "
      + "search's own date and commit are recorded beside it.")
  boolean minHeapOnly;

  @Option(names = "--changed-rows", paramLabel = "N", description = "Rows changed before the timed delivery. Default: 100000.")
  int changedRows = 100_000;

  @Option(names = "--repeats", paramLabel = "N", description = "Repeats of each DuckDB query and model fit. Default: 3.")
  int repeats = 3;

  @Option(names = "--dir", paramLabel = "DIR", description = "Work folder (worlds, lakes, logs). Default: /tmp/plg360-bench.")
  Path dir = Path.of("/tmp/plg360-bench");

  @Option(names = "--json", paramLabel = "FILE", description = "Results file; other scales in it are kept. "
      + "Default: docs/benchmarks.json.")
  Path json = Path.of("docs/benchmarks.json");

  @Option(names = "--markdown", paramLabel = "FILE", description = "The page whose generated section is rewritten. "
      + "Default: docs/BENCHMARKS.md.")
  Path markdown = Path.of("docs/BENCHMARKS.md");

  @Option(names = "--report-only", description = "Only rewrite the page's section from the results file; run nothing.")
  boolean reportOnly;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "A setting for every plg360 command the harness runs.")
  Map<String, String> settings = new LinkedHashMap<>();

  /** The command line running this: a refused option is reported through it (its error stream, its usage). */
  @Spec
  CommandSpec spec;

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (runs < 1 || repeats < 1 || changedRows < 1 || scales.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--runs, --repeats, --changed-rows and --scales need at least 1");
    }
    Results results = Results.read(json);
    if (reportOnly) {
      BenchReport.rewrite(markdown, results);
      return 0;
    }
    // What --min-heap-only searches on is checked before anything starts: a scale missing is an error at once.
    Map<Integer, ObjectNode> measured = new LinkedHashMap<>();
    if (minHeapOnly) {
      for (int workspaces : scales) {
        measured.put(workspaces, measuredScale(results, workspaces));
      }
    } else {
      ModelComparison.requireScikitLearn();
    }
    Files.createDirectories(dir);
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("postgres"), 54398)) {
      deliveringEnvironment = pg.environment();
      SparkSession spark = SparkSessions.create(Settings.defaults().with(Map.of("plg360.spark.master", "local[2]")));
      for (int workspaces : scales) {
        ObjectNode scale = minHeapOnly
            ? smallestHeapOnly(spark, pg, workspaces, measured.get(workspaces))
            : benchmark(spark, pg, workspaces);
        results.put(workspaces, scale);
        results.write(json);
        BenchReport.rewrite(markdown, results);
        out.println("plg360-bench: " + workspaces + " workspaces done; " + json + " and " + markdown + " written");
      }
    }
    return 0;
  }

  /** A scale's generated company: its folder, the generator's run, and the settings of a chain over it. */
  private record World(Path base, ChildJvm.Outcome generated, Map<String, String> chain) {}

  private World generate(EmbeddedPostgresServer pg, int workspaces) throws Exception {
    Path base = dir.resolve("w" + workspaces);
    Path world = base.resolve("world");
    out.printf("plg360-bench: %d workspaces, %d days, seed %d%n", workspaces, days, seed);
    ChildJvm.Outcome generated = ChildJvm.run(heap, base.resolve("logs/generate.log"), with(List.of("generate",
        "--out", world.toString(), "--workspaces", Integer.toString(workspaces), "--days", Integer.toString(days),
        "--seed", Long.toString(seed), "--end-date", asOf.toString(), "--overwrite")), Map.of());
    require(generated, "generate");

    Map<String, String> chain = new LinkedHashMap<>(pg.settings());
    chain.put("plg360.landing.dir", world.resolve("landing").toString());
    chain.put("plg360.report.dir", base.resolve("reports").toString());
    chain.putAll(settings);
    return new World(base, generated, chain);
  }

  /** One scale: the world, the chain runs, and the comparisons on the last run's lake. */
  private ObjectNode benchmark(SparkSession spark, EmbeddedPostgresServer pg, int workspaces) throws Exception {
    World w = generate(pg, workspaces);
    Path base = w.base();
    Map<String, String> chain = w.chain();
    List<ChainRun> done = new ArrayList<>();
    Path lake = null;
    for (int r = 1; r <= runs; r++) {
      lake = freshLake(base, r);
      ChainRun run = runChain(spark, lake, chain, heap, base.resolve("logs/run-" + r + ".log"));
      require(run.outcome(), "run " + r);
      out.printf("plg360-bench:   run %d: %.0f s, peak driver memory %d MiB%n", r, run.outcome().seconds(),
          run.outcome().peakRssBytes() >> 20);
      done.add(run);
    }

    Lake last = new Lake(spark, lake.toString());
    long events = last.read(ProductEvents.TABLE).count();
    Results.Scale scale = new Results.Scale(workspaces, days, seed, heap, events, w.generated(), done);

    out.println("plg360-bench:   DuckDB: the core aggregates from the same files");
    scale.duckdb(DuckDbComparison.run(last, asOf, repeats));
    out.println("plg360-bench:   scikit-learn: the same model on the same rows");
    try {
      scale.model(ModelComparison.run(last, base.resolve("model"), repeats));
    } catch (IllegalStateException noModel) {
      // A company too small or too young to label enough sign-ups trains no model: the rest still stands.
      scale.skipped("model", noModel.getMessage());
      out.println("plg360-bench:   no comparison: " + noModel.getMessage());
    }
    out.println("plg360-bench:   signals against the truth, at the configured thresholds and others");
    scale.signals(SignalAccuracy.run(spark, last, base.resolve("world"), asOf, Settings.defaults().with(settings)));
    out.println("plg360-bench:   PostgreSQL: delivering " + changedRows + " changed rows");
    scale.activation(ActivationBench.run(last, lake, chain, deliveringEnvironment, heap, base.resolve("logs/activate.log"),
        asOf, changedRows));
    if (minHeap) {
      scale.minHeap(smallestHeap(spark, base, chain));
    }
    return scale.toJson();
  }

  /** For --min-heap-only: the figures the results file has of a scale, of the same days and seed. */
  private ObjectNode measuredScale(Results results, int workspaces) {
    return results.scale(workspaces)
        .filter(s -> s.path("days").asInt() == days && s.path("seed").asLong() == seed)
        .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "--min-heap-only: " + json
            + " has no figures for " + workspaces + " workspaces of " + days + " days, seed " + seed
            + "; run bench/run --scales " + workspaces + " --days " + days + " first"));
  }

  /**
   * --min-heap-only: the search on a scale the results hold, whose other figures stay. Unlike --min-heap after the
   * timed runs, nothing has shown yet that --heap completes, so it is tried when no smaller heap did.
   */
  private ObjectNode smallestHeapOnly(SparkSession spark, EmbeddedPostgresServer pg, int workspaces, ObjectNode scale)
      throws Exception {
    World w = generate(pg, workspaces);
    Results.MinHeap h = smallestHeap(spark, w.base(), w.chain());
    if (h.completedMib() == mebibytes(heap) && !tryHeap(spark, w.base(), w.chain(), h.completedMib(), 99)) {
      throw new IllegalStateException("the chain did not complete with --heap " + heap + " either; give more");
    }
    Results.minHeap(scale, h);
    return scale;
  }

  /** A chain run and the job times its lake's run log recorded. */
  record ChainRun(ChildJvm.Outcome outcome, Map<String, Double> jobSeconds) {}

  /** What a plg360 process that delivers to the harness's PostgreSQL needs in its environment (its password). */
  private Map<String, String> deliveringEnvironment = Map.of();

  private ChainRun runChain(SparkSession spark, Path lake, Map<String, String> chain, String heapSize, Path log)
      throws IOException, InterruptedException {
    Map<String, String> s = new LinkedHashMap<>(chain);
    s.put("plg360.lake.root", lake.toString());
    ChildJvm.Outcome o = ChildJvm.run(heapSize, log,
        concat(List.of("run", "--as-of", asOf.toString(), "--train"), ChildJvm.settings(s)), deliveringEnvironment);
    return new ChainRun(o, o.succeeded() ? jobSeconds(new Lake(spark, lake.toString())) : Map.of());
  }

  /** A run's own time in seconds, over ops.job_runs. */
  static final String RUN_SECONDS = "(unix_micros(ended_at) - unix_micros(started_at)) / 1e6";

  /** Seconds per job of the lake's succeeded runs (each lake holds one chain), from ops.job_runs. */
  static Map<String, Double> jobSeconds(Lake lake) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    for (Row r : lake.read(JobRuns.TABLE).where(JobRuns.STATUS.col().equalTo("SUCCEEDED"))
        .selectExpr("job", RUN_SECONDS + " AS seconds")
        .collectAsList()) {
      seconds.merge(r.getString(0), r.getDouble(1), Double::sum);
    }
    return seconds;
  }

  /**
   * The smallest -Xmx (in MiB) the chain completed with: halves the heap until a chain fails, then tries once between
   * the last success and the failure.
   */
  private Results.MinHeap smallestHeap(SparkSession spark, Path base, Map<String, String> chain) throws Exception {
    long ok = mebibytes(heap);
    long failed = 0;
    int attempt = 0;
    for (long h = ok / 2; h >= 256; h /= 2) {
      if (!tryHeap(spark, base, chain, h, ++attempt)) {
        failed = h;
        break;
      }
      ok = h;
    }
    if (failed > 0) {
      long middle = (ok + failed) / 2;
      if (tryHeap(spark, base, chain, middle, ++attempt)) {
        ok = middle;
      } else {
        failed = middle;
      }
    }
    return new Results.MinHeap(ok, failed);
  }

  private boolean tryHeap(SparkSession spark, Path base, Map<String, String> chain, long mib, int attempt) throws Exception {
    Path lake = freshLake(base, 100 + attempt);
    ChainRun run = runChain(spark, lake, chain, mib + "m", base.resolve("logs/min-heap-" + mib + "m.log"));
    out.printf("plg360-bench:   driver heap %d MiB: %s%n", mib, run.outcome().succeeded() ? "completed" : "failed");
    return run.outcome().succeeded();
  }

  static long mebibytes(String size) {
    String s = size.trim().toLowerCase();
    long n = Long.parseLong(s.replaceAll("[^0-9]", ""));
    return switch (s.charAt(s.length() - 1)) {
      case 'g' -> n * 1024;
      case 'm' -> n;
      case 'k' -> n / 1024;
      default -> n >> 20;
    };
  }

  /** An empty lake folder for a run; an earlier run's lake of the same scale is removed (disk). */
  private static Path freshLake(Path base, int run) throws IOException {
    try (var old = Files.list(Files.createDirectories(base))) {
      for (Path p : old.filter(p -> p.getFileName().toString().startsWith("lake-")).toList()) {
        deleteTree(p);
      }
    }
    return base.resolve("lake-" + run);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var all = Files.walk(p)) {
      for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  private List<String> with(List<String> args) {
    return concat(args, ChildJvm.settings(settings));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static void require(ChildJvm.Outcome o, String what) {
    if (!o.succeeded()) {
      throw new IllegalStateException(what + " failed (exit " + o.exitCode() + "); its log: " + o.log());
    }
  }
}
