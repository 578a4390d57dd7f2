package dev.plg360.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The generated section of docs/BENCHMARKS.md: the results file as tables, between two markers; the rest of the page
 * (how to run it, what the figures mean, what was found through them) is written by hand and kept.
 */
final class BenchReport {
  static final String BEGIN = "<!-- plg360-bench: generated from docs/benchmarks.json by bench/run; edits here are replaced -->";
  static final String END = "<!-- plg360-bench: end -->";

  private BenchReport() {}

  /** Replaces the section between the markers (appends it, with the markers, to a page that has none). */
  static void rewrite(Path page, Results results) throws IOException {
    String section = BEGIN + "\n" + render(results.scales()) + END;
    String text = Files.exists(page) ? Files.readString(page) : "# Benchmarks\n";
    int from = text.indexOf(BEGIN);
    int to = text.indexOf(END);
    String updated = from >= 0 && to > from
        ? text.substring(0, from) + section + text.substring(to + END.length())
        : text + (text.endsWith("\n") ? "\n" : "\n\n") + section + "\n";
    if (page.getParent() != null) {
      Files.createDirectories(page.getParent());
    }
    Files.writeString(page, updated);
  }

  static String render(List<ObjectNode> scales) {
    StringBuilder md = new StringBuilder();
    md.append("\n### The chain\n\nMedians of the runs, each on a fresh lake: the job's own time from `ops.job_runs`, the "
        + "chain's as the process ran (JVM start included). The driver's peak resident memory (VmHWM) follows the heap "
        + "it was given (the JVM grows its heap lazily towards -Xmx); the most heap in use right after a collection (from "
        + "its GC log) bounds what the chain kept live from above; `--min-heap` measures what it needs.\n\n");
    md.append("| workspaces | days | product events | runs | generate |");
    Bench.JOBS.forEach(j -> md.append(" `").append(j).append("` |"));
    md.append(" chain | driver heap | peak resident | peak heap after GC |\n|");
    md.append(" ---: |".repeat(5 + Bench.JOBS.size() + 4)).append('\n');
    for (ObjectNode s : scales) {
      md.append("| ").append(n(s.path("workspaces"))).append(" | ").append(s.path("days").asInt()).append(" | ")
          .append(n(s.path("product_events"))).append(" | ").append(s.path("chain").path("runs").asInt()).append(" | ")
          .append(sec(s.path("generate").path("seconds"))).append(" |");
      Map<String, Double> medians = Results.jobMedians(s);
      Bench.JOBS.forEach(j -> md.append(' ').append(medians.containsKey(j) ? sec(medians.get(j)) : "").append(" |"));
      JsonNode live = s.path("chain").path("peak_live_heap_mib");
      md.append(' ').append(sec(s.path("chain").path("median_seconds"))).append(" | ").append(s.path("driver_heap").asText())
          .append(" | ").append(gib(s.path("chain").path("peak_rss_mib").asLong())).append(" | ")
          .append(live.isMissingNode() ? "" : gib(live.asLong())).append(" |\n");
    }

    md.append("\n### Throughput and growth\n\nProduct events (`bronze.product_events`) per second of the job per core; "
        + "growth against the next smaller scale measured: how many times the events, how many times the time.\n\n");
    md.append("| workspaces | `ingest` events/s/core | `build360` events/s/core | chain s per million events "
        + "| events vs the smaller scale | chain time vs the smaller scale |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    ObjectNode previous = null;
    for (ObjectNode s : scales) {
      double events = s.path("product_events").asDouble();
      double chain = s.path("chain").path("median_seconds").asDouble();
      md.append("| ").append(n(s.path("workspaces"))).append(" | ")
          .append(n(s.path("events_per_second_per_core").path("ingest"))).append(" | ")
          .append(n(s.path("events_per_second_per_core").path("build360"))).append(" | ")
          .append(fmt("%.1f", chain / (events / 1e6))).append(" | ");
      if (previous != null) {
        md.append(fmt("%.1f×", events / previous.path("product_events").asDouble())).append(" | ")
            .append(fmt("%.1f×", chain / previous.path("chain").path("median_seconds").asDouble()));
      } else {
        md.append(" | ");
      }
      md.append(" |\n");
      previous = s;
    }

    md.append("\n### DuckDB beside build360\n\nThe core aggregates of `gold.account_360` and `gold.workspace_360` "
        + "computed by DuckDB from the live Parquet files of the same lake, checked equal to plg360's rows before the "
        + "times are compared. DuckDB's time: connection, reading and aggregating, rows in Java (median of its repeats). "
        + "build360 writes much more (people, timeline, signals, every snapshot column): the ratio is an upper bound of "
        + "what the same aggregates cost in Spark.\n\n");
    md.append("| workspaces | engine | accounts + workspaces compared | equal | DuckDB | `build360` | `build360` / DuckDB |\n"
        + "| ---: | --- | ---: | --- | ---: | ---: | ---: |\n");
    for (ObjectNode s : scales) {
      JsonNode d = s.path("duckdb");
      if (d.isMissingNode()) {
        continue;
      }
      md.append("| ").append(n(s.path("workspaces"))).append(" | ").append(d.path("engine").asText()).append(" | ")
          .append(n(d.path("accounts"))).append(" + ").append(n(d.path("workspaces"))).append(" | ")
          .append(d.path("equal").asBoolean() ? "yes" : "**no** (" + n(d.path("mismatched_rows")) + " rows)").append(" | ")
          .append(sec(d.path("median_seconds"))).append(" | ").append(sec(d.path("build360_median_seconds")))
          .append(" | ").append(fmt("%.1f", d.path("build360_to_duckdb").asDouble())).append(" |\n");
    }

    md.append("\n### MLlib beside scikit-learn\n\nThe current model's final fit: the same standardised rows (the fit "
        + "cohort) and the same regularisation, MLlib's LogisticRegression in a local Spark session against "
        + "scikit-learn's; AUC-ROC on the held-out cohort. Fit times are medians of the repeats.\n\n");
    md.append("| workspaces | fit rows | held-out rows | terms | MLlib fit | scikit-learn fit | MLlib / scikit-learn "
        + "| MLlib AUC | scikit-learn AUC | difference |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ObjectNode s : scales) {
      JsonNode m = s.path("model");
      if (m.isMissingNode()) {
        continue;
      }
      if (m.has("skipped")) {
        md.append("| ").append(n(s.path("workspaces"))).append(" | not compared: ").append(m.path("skipped").asText())
            .append(" |||||||||\n");
        continue;
      }
      md.append("| ").append(n(s.path("workspaces"))).append(" | ").append(n(m.path("fit_rows"))).append(" | ")
          .append(n(m.path("held_out_rows"))).append(" | ").append(m.path("terms").asInt()).append(" | ")
          .append(sec(m.path("mllib_fit_seconds"))).append(" | ").append(sec(m.path("sklearn_fit_seconds"))).append(" | ")
          .append(fmt("%.1f", m.path("fit_ratio").asDouble())).append(" | ").append(fmt("%.4f", m.path("mllib_auc").asDouble()))
          .append(" | ").append(fmt("%.4f", m.path("sklearn_auc").asDouble())).append(" | ")
          .append(fmt("%+.4f", m.path("auc_difference").asDouble())).append(" |\n");
    }

    md.append("\n### Signals against the truth\n\nOver the company's whole history, what build360's signals find of "
        + "what the generator planted, at the configured thresholds (**bold**) and at others: activity surges by account "
        + "(`plg360.build360.signals.surge-min-z-score` and `surge-min-ratio`), invite spikes by person and day "
        + "(`invite-spike-min-invites`). Recall: planted ones found; precision: fired ones that were planted.\n\n");
    md.append("| workspaces | signal | thresholds | planted | fired | found | recall | precision |\n"
        + "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (ObjectNode s : scales) {
      for (JsonNode p : s.path("signals")) {
        StringBuilder thresholds = new StringBuilder();
        p.path("thresholds").fields().forEachRemaining(t -> thresholds.append(thresholds.length() > 0 ? ", " : "")
            .append(t.getKey()).append(' ').append(t.getValue().asDouble() % 1 == 0 ? String.valueOf(t.getValue().asLong())
                : String.valueOf(t.getValue().asDouble())));
        String mark = p.path("configured").asBoolean() ? "**" : "";
        md.append("| ").append(n(s.path("workspaces"))).append(" | ").append(p.path("signal").asText()).append(" | ")
            .append(mark).append(thresholds).append(mark).append(" | ").append(p.path("planted").asInt()).append(" | ")
            .append(p.path("fired").asInt()).append(" | ").append(p.path("found").asInt()).append(" | ")
            .append(fmt("%.2f", p.path("recall").asDouble())).append(" | ")
            .append(fmt("%.2f", p.path("precision").asDouble())).append(" |\n");
      }
    }

    md.append("\n### Delivery to PostgreSQL\n\nAfter the chain delivered everything, score rows are changed (every "
        + "account score, then lead scores) and `plg360 activate` sends the changes: rows per second of the job.\n\n");
    md.append("| workspaces | changed rows | delivered | `activate` (job) | rows/s | peak memory |\n"
        + "| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ObjectNode s : scales) {
      JsonNode a = s.path("activation");
      if (a.isMissingNode()) {
        continue;
      }
      long changed = 0;
      for (JsonNode c : a.path("changed")) {
        changed += c.asLong();
      }
      md.append("| ").append(n(s.path("workspaces"))).append(" | ").append(fmt("%,d", changed)).append(" | ")
          .append(n(a.path("delivered_rows"))).append(" | ").append(sec(a.path("job_seconds"))).append(" | ")
          .append(n(a.path("rows_per_second"))).append(" | ").append(gib(a.path("peak_rss_mib").asLong())).append(" |\n");
    }

    boolean heaps = scales.stream().anyMatch(s -> !s.path("min_heap").isMissingNode());
    if (heaps) {
      md.append("\n### The smallest driver heap\n\n| workspaces | completed with | failed with | measured on |\n"
          + "| ---: | ---: | ---: | --- |\n");
      for (ObjectNode s : scales) {
        JsonNode h = s.path("min_heap");
        if (!h.isMissingNode()) {
          md.append("| ").append(n(s.path("workspaces"))).append(" | -Xmx").append(h.path("completed_mib").asLong())
              .append("m | ").append(h.path("failed_mib").asLong() > 0 ? "-Xmx" + h.path("failed_mib").asLong() + "m" : "none tried")
              .append(" | ").append(h.path("date").asText(s.path("date").asText())).append(", commit `")
              .append(h.path("commit").asText(s.path("commit").asText())).append("` |\n");
        }
      }
    }

    md.append("\nMeasured on:\n\n");
    for (ObjectNode s : scales) {
      md.append("- ").append(n(s.path("workspaces"))).append(" workspaces: ").append(s.path("date").asText())
          .append(", commit `").append(s.path("commit").asText()).append("`, ").append(s.path("cores").asInt())
          .append(" cores, ").append(s.path("memory_gib").asDouble()).append(" GiB, Java ")
          .append(s.path("java").asText()).append(", seed ").append(s.path("seed").asLong()).append('\n');
    }
    return md.toString();
  }

  private static String n(JsonNode v) {
    return fmt("%,d", v.asLong());
  }

  private static String sec(JsonNode v) {
    return sec(v.asDouble());
  }

  private static String sec(double s) {
    return s >= 100 ? fmt("%.0f s", s) : s >= 1 ? fmt("%.1f s", s) : fmt("%.0f ms", s * 1000);
  }

  private static String gib(long mib) {
    return fmt("%.1f GiB", mib / 1024.0);
  }

  private static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }
}
