package dev.plg360.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The harness's results file: one object per scale (workspaces), each with the machine, date and commit it was
 * measured on, so scales measured on different days (the largest takes hours) sit side by side. Seconds are medians
 * of the runs, with every run's figure beside them.
 */
final class Results {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final TreeMap<Integer, ObjectNode> scales = new TreeMap<>();

  static Results read(Path file) throws IOException {
    Results r = new Results();
    if (Files.exists(file)) {
      JsonNode all = JSON.readTree(file.toFile()).path("scales");
      all.fields().forEachRemaining(e -> r.scales.put(Integer.parseInt(e.getKey()), (ObjectNode) e.getValue()));
    }
    return r;
  }

  void put(int workspaces, ObjectNode scale) {
    scales.put(workspaces, scale);
  }

  /** The figures of a scale, if the results have it. */
  Optional<ObjectNode> scale(int workspaces) {
    return Optional.ofNullable(scales.get(workspaces));
  }

  /** The scales, smallest first. */
  List<ObjectNode> scales() {
    return new ArrayList<>(scales.values());
  }

  void write(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("about", "plg360 benchmark results (bench/run); docs/BENCHMARKS.md shows them");
    ObjectNode all = root.putObject("scales");
    scales.forEach((k, v) -> all.set(Integer.toString(k), v));
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    JSON.writeValue(file.toFile(), root);
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static long mib(long bytes) {
    return bytes >> 20;
  }

  /** The smallest driver heap that completed the chain, and the largest that did not (0 when none failed). */
  record MinHeap(long completedMib, long failedMib) {}

  /** One scale's figures as the harness gathers them. */
  static final class Scale {
    private final ObjectNode node = JSON.createObjectNode();
    private final int cores = Runtime.getRuntime().availableProcessors();

    Scale(int workspaces, int days, long seed, String heap, long events, ChildJvm.Outcome generated,
          List<Bench.ChainRun> runs) {
      node.put("workspaces", workspaces);
      node.put("days", days);
      node.put("seed", seed);
      node.put("product_events", events);
      node.put("date", LocalDate.now(ZoneOffset.UTC).toString());
      node.put("commit", Machine.commit());
      node.put("cores", cores);
      node.put("memory_gib", Math.round(Machine.memoryBytes() / (double) (1L << 30) * 10) / 10.0);
      node.put("java", System.getProperty("java.version"));
      node.put("driver_heap", heap);
      ObjectNode gen = node.putObject("generate");
      gen.put("seconds", round(generated.seconds()));
      gen.put("peak_rss_mib", mib(generated.peakRssBytes()));

      ObjectNode chain = node.putObject("chain");
      chain.put("runs", runs.size());
      List<Double> wall = runs.stream().map(r -> r.outcome().seconds()).toList();
      chain.put("median_seconds", round(median(wall)));
      array(chain.putArray("seconds"), wall);
      chain.put("peak_rss_mib", mib(runs.stream().mapToLong(r -> r.outcome().peakRssBytes()).max().orElse(0)));
      chain.put("peak_live_heap_mib", mib(runs.stream().mapToLong(r -> r.outcome().peakLiveHeapBytes()).max().orElse(0)));
      ObjectNode jobs = node.putObject("jobs");
      ObjectNode eps = node.putObject("events_per_second_per_core");
      for (String job : Bench.JOBS) {
        List<Double> seconds = runs.stream().map(r -> r.jobSeconds().get(job)).filter(s -> s != null).toList();
        if (seconds.isEmpty()) {
          continue;
        }
        ObjectNode j = jobs.putObject(job);
        double median = median(seconds);
        j.put("median_seconds", round(median));
        array(j.putArray("seconds"), seconds);
        if (job.equals("ingest") || job.equals("build360")) {
          eps.put(job, Math.round(events / median / cores));
        }
      }
    }

    void duckdb(DuckDbComparison.Result r) {
      ObjectNode d = node.putObject("duckdb");
      d.put("engine", Machine.duckdbVersion());
      d.put("events_read", r.eventsRead());
      d.put("accounts", r.accounts());
      d.put("workspaces", r.workspaces());
      d.set("columns", JSON.valueToTree(r.columns()));
      d.put("equal", r.equal());
      d.put("mismatched_rows", r.mismatchedRows());
      d.set("mismatch_examples", JSON.valueToTree(r.mismatchExamples()));
      d.put("median_seconds", round(r.medianSeconds()));
      array(d.putArray("seconds"), r.seconds());
      double build360 = node.path("jobs").path("build360").path("median_seconds").asDouble();
      d.put("build360_median_seconds", build360);
      d.put("build360_to_duckdb", round(build360 / r.medianSeconds()));
    }

    void model(ModelComparison.Result r) {
      ObjectNode m = node.putObject("model");
      m.put("model_version", r.modelVersion());
      m.put("fit_rows", r.trainRows());
      m.put("held_out_rows", r.testRows());
      m.put("terms", r.terms());
      m.put("reg_param", r.regParam());
      m.put("elastic_net_param", r.elasticNetParam());
      // Fits of small sets take milliseconds: four decimals.
      m.put("mllib_fit_seconds", fine(r.mllibFitSeconds()));
      m.put("sklearn_fit_seconds", fine(r.sklearnFitSeconds()));
      m.put("fit_ratio", round(r.fitRatio()));
      m.put("mllib_auc", fine(r.mllibAuc()));
      m.put("sklearn_auc", fine(r.sklearnAuc()));
      m.put("auc_difference", fine(r.aucDifference()));
      m.put("sklearn", r.sklearnVersion());
    }

    void signals(List<SignalAccuracy.Point> points) {
      ArrayNode a = node.putArray("signals");
      for (SignalAccuracy.Point p : points) {
        ObjectNode o = a.addObject();
        o.put("signal", p.signal());
        o.set("thresholds", JSON.valueToTree(new TreeMap<>(p.thresholds())));
        o.put("configured", p.configured());
        o.put("planted", p.planted());
        o.put("fired", p.fired());
        o.put("found", p.found());
        o.put("recall", Math.round(p.recall() * 100) / 100.0);
        o.put("precision", Math.round(p.precision() * 100) / 100.0);
      }
    }

    void activation(ActivationBench.Result r) {
      ObjectNode a = node.putObject("activation");
      a.set("changed", JSON.valueToTree(r.changed()));
      a.put("delivered_rows", r.delivered());
      a.put("job_seconds", round(r.jobSeconds()));
      a.put("wall_seconds", round(r.wallSeconds()));
      a.put("rows_per_second", Math.round(r.rowsPerSecond()));
      a.put("peak_rss_mib", mib(r.peakRssBytes()));
    }

    /** A comparison that could not be made on this scale's lake, and why. */
    void skipped(String comparison, String why) {
      node.putObject(comparison).put("skipped", why);
    }

    void minHeap(MinHeap h) {
      Results.minHeap(node, h);
    }

    ObjectNode toJson() {
      return node;
    }
  }

  /** The search's result on a scale's figures, with the day and commit it was measured on. */
  static void minHeap(ObjectNode scale, MinHeap h) {
    ObjectNode m = scale.putObject("min_heap");
    m.put("completed_mib", h.completedMib());
    m.put("failed_mib", h.failedMib());
    m.put("date", LocalDate.now(ZoneOffset.UTC).toString());
    m.put("commit", Machine.commit());
  }

  private static void array(ArrayNode a, List<Double> values) {
    values.forEach(v -> a.add(round(v)));
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static double fine(double v) {
    return Math.round(v * 10000) / 10000.0;
  }

  /** Figures of the machine and the build the harness runs on. */
  static final class Machine {
    private Machine() {}

    static long memoryBytes() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
          if (line.startsWith("MemTotal:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException | RuntimeException unknown) {
        // Not Linux: the memory is reported as 0.
      }
      return 0;
    }

    /** The commit the harness runs, with "+changes" when the working tree differs from it; "unknown" out of git. */
    static String commit() {
      try {
        String head = git("rev-parse", "--short", "HEAD");
        return head.isEmpty() ? "unknown" : git("status", "--porcelain", "--untracked-files=no").isEmpty() ? head : head + "+changes";
      } catch (IOException | InterruptedException e) {
        return "unknown";
      }
    }

    private static String git(String... args) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of("git"));
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 ? out : "";
    }

    static String duckdbVersion() {
      try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
           java.sql.ResultSet r = c.createStatement().executeQuery("SELECT version()")) {
        return r.next() ? "DuckDB " + r.getString(1) : "DuckDB";
      } catch (java.sql.SQLException e) {
        return "DuckDB";
      }
    }
  }

  /** For the report: a scale's per-job medians, in the chain's order. */
  static Map<String, Double> jobMedians(ObjectNode scale) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (String job : Bench.JOBS) {
      JsonNode j = scale.path("jobs").path(job);
      if (!j.isMissingNode()) {
        out.put(job, j.path("median_seconds").asDouble());
      }
    }
    return out;
  }
}
