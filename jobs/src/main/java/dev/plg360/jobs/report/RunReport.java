package dev.plg360.jobs.report;

import static dev.plg360.jobs.report.Html.count;
import static dev.plg360.jobs.report.Html.num;

import dev.plg360.common.io.Lake;
import dev.plg360.common.run.RunMetrics;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.jobs.report.Charts.Bars;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;

/**
 * The run report: the newest job runs (ops.job_runs) with their times, rows and rejections, the quarantine by
 * source and reason (bronze.quarantine), the PQL score and ICP fit distributions, segments (gold.account_scores)
 * and lead statuses (gold.lead_scores). A table that does not exist yet is named as missing, not an error.
 */
final class RunReport {
  private RunReport() {}

  static final String FILE = "run-report.html";
  static final String TITLE = "plg360 run report";

  /** A job run as the report lists it. */
  record Run(String runId, String job, String status, String asOf, Timestamp started, Timestamp ended,
             Map<String, Long> read, Map<String, Long> written, Map<String, Long> rejected, String error) {

    Duration duration() {
      return ended == null ? null : Duration.between(started.toInstant(), ended.toInstant());
    }
  }

  /** A count per value (segment, lead status, reason), in the order shown. */
  record Counts(Map<String, Long> byValue) {
    long total() {
      return byValue.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  record Data(String lake, List<Run> runs, List<Row> quarantine, long[] pql, long[] icp, long accounts,
              Counts segments, Counts leads) {}

  static Data read(Lake lake, ReportSettings s, String ownRunId, RunMetrics metrics) {
    List<Run> runs = new ArrayList<>();
    if (lake.exists(JobRuns.TABLE)) {
      for (Row r : lake.read(JobRuns.TABLE).where(JobRuns.RUN_ID.col().notEqual(ownRunId))
          .orderBy(JobRuns.STARTED_AT.col().desc(), JobRuns.RUN_ID.col()).limit(s.jobRuns()).collectAsList()) {
        runs.add(new Run(r.getAs(JobRuns.RUN_ID.name()), r.getAs(JobRuns.JOB.name()), r.getAs(JobRuns.STATUS.name()),
            String.valueOf(r.<Object>getAs(JobRuns.AS_OF.name())), r.getAs(JobRuns.STARTED_AT.name()),
            r.getAs(JobRuns.ENDED_AT.name()), map(r, JobRuns.ROWS_READ), map(r, JobRuns.ROWS_WRITTEN),
            map(r, JobRuns.ROWS_REJECTED), r.getAs(JobRuns.ERROR.name())));
      }
      metrics.read(JobRuns.TABLE.qualifiedName(), runs.size());
    }
    List<Row> quarantine = LakeSummary.quarantineByReason(lake);
    metrics.read(Quarantine.TABLE.qualifiedName(), quarantine.stream().mapToLong(r -> r.getLong(2)).sum());
    long[] pql = new long[s.histogramBins()];
    long[] icp = new long[s.histogramBins()];
    Counts segments = new Counts(Map.of());
    long accounts = 0;
    if (lake.exists(AccountScores.TABLE)) {
      var scores = lake.read(AccountScores.TABLE);
      fill(pql, ReportTransforms.histogram(scores, AccountScores.PQL_SCORE.col(), s.histogramBins()).collectAsList());
      fill(icp, ReportTransforms.histogram(scores, AccountScores.ICP_SCORE.col(), s.histogramBins()).collectAsList());
      segments = counts(ReportTransforms.countBy(scores, AccountScores.SEGMENT.col()).collectAsList());
      accounts = segments.total();
      metrics.read(AccountScores.TABLE.qualifiedName(), accounts);
    }
    Counts leads = new Counts(Map.of());
    if (lake.exists(LeadScores.TABLE)) {
      leads = counts(ReportTransforms.countBy(lake.read(LeadScores.TABLE), LeadScores.LEAD_STATUS.col(),
          LeadScores.REMARKET_REASON.col()).collectAsList());
      metrics.read(LeadScores.TABLE.qualifiedName(), leads.total());
    }
    return new Data(lake.root(), runs, quarantine, pql, icp, accounts, segments, leads);
  }

  private static Map<String, Long> map(Row r, Col c) {
    Map<String, Long> m = r.isNullAt(r.fieldIndex(c.name())) ? Map.of() : r.getJavaMap(r.fieldIndex(c.name()));
    return new TreeMap<>(m);
  }

  private static void fill(long[] bars, List<Row> counted) {
    for (Row r : counted) {
      bars[r.getInt(0)] = r.getLong(1);
    }
  }

  /** The values (a null one shown as "(none)"; several columns joined by a space) and their counts, as ordered. */
  private static Counts counts(List<Row> rows) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Row r : rows) {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < r.length() - 1; i++) {
        if (!r.isNullAt(i)) {
          parts.add(r.getString(i));
        }
      }
      m.put(parts.isEmpty() ? "(none)" : String.join(" ", parts), r.getLong(r.length() - 1));
    }
    return new Counts(m);
  }

  // ------------------------------------------------------------------------------------------------ HTML

  static String html(Data d, String generated) {
    String body = runsSection(d.runs()) + quarantineSection(d.quarantine()) + scoresSection(d) + segmentsSection(d.segments())
        + leadsSection(d.leads());
    return Html.page(TITLE, "Lake " + d.lake() + ", as of " + generated, body);
  }

  private static String runsSection(List<Run> runs) {
    String h = Html.h2("Job runs (" + JobRuns.TABLE.qualifiedName() + ")");
    if (runs.isEmpty()) {
      return h + Html.p("No job has run on this lake yet.");
    }
    Map<String, Run> latest = new TreeMap<>();
    for (Run r : runs) {
      latest.putIfAbsent(r.job(), r);
    }
    List<Run> timed = latest.values().stream().filter(r -> r.duration() != null).toList();
    String chart = "";
    if (!timed.isEmpty()) {
      chart = Html.img(Charts.bars("Duration of each job's latest run", "", "seconds", timed.stream().map(Run::job).toList(),
          List.of(new Bars("seconds", timed.stream().map(r -> r.duration().toMillis() / 1000.0).toList(), Charts.BLUE,
              false)), "0"), "durations of the latest runs")
          + Html.note("How long the latest run of each job took, from its start to its end as ops.job_runs recorded "
              + "them (a run still going, or killed, has no end and no bar).");
    }
    List<List<?>> rows = new ArrayList<>();
    for (Run r : runs) {
      rows.add(List.of(r.job(), Html.cell(r.status(), r.status()), Html.time(r.asOf()), Html.time(r.started()),
          Html.time(r.ended()), num(r.duration() == null ? "-" : seconds(r.duration())),
          num(count(sum(r.read()))), num(count(sum(r.written()))), perKey(r.rejected()),
          r.error() == null ? "" : r.error()));
    }
    return h + chart + Html.table(List.of("job", "status", "as of", "started (UTC)", "ended (UTC)", "duration",
        "rows read", "rows written", "rejected, by reason", "error"), rows)
        + Html.note("The newest " + runs.size() + " runs, newest first (this report's own run is not listed). Rows "
            + "read and written are summed over tables; ops.job_runs has them per table, with the Delta versions written.");
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  private static long sum(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  private static String perKey(Map<String, Long> m) {
    return m.isEmpty() ? "" : m.entrySet().stream().map(e -> e.getKey() + " " + count(e.getValue()))
        .collect(Collectors.joining("; "));
  }

  private static String quarantineSection(List<Row> quarantine) {
    String h = Html.h2("Quarantine (" + Quarantine.TABLE.qualifiedName() + ")");
    if (quarantine.isEmpty()) {
      return h + Html.p("Nothing rejected: every record ingested so far was accepted.");
    }
    Map<String, Long> byReason = new TreeMap<>();
    List<List<?>> rows = new ArrayList<>();
    for (Row r : quarantine) {
      byReason.merge(r.getString(1), r.getLong(2), Long::sum);
      rows.add(List.of(r.getString(0), r.getString(1), num(count(r.getLong(2)))));
    }
    byte[] png = Charts.bars("Records rejected, by reason", "", "records", new ArrayList<>(byReason.keySet()),
        List.of(new Bars("records", new ArrayList<>(byReason.values()), Charts.ORANGE, false)), "#,##0");
    return h + Html.img(png, "quarantine by reason")
        + Html.note("Every raw record that ingest could not accept, counted by the reason it was rejected for, over "
            + "all runs. Each one is in the table with its file, line and raw text, for fixing at the source.")
        + Html.table(List.of("source", "reason", "records"), rows);
  }

  private static String scoresSection(Data d) {
    String h = Html.h2("Score distributions (" + AccountScores.TABLE.qualifiedName() + ")");
    if (d.accounts() == 0) {
      return h + Html.p("No account scores yet: plg360 score writes them.");
    }
    return h + histogram("PQL score", d.pql(), d.accounts(),
        "The model's probability that a free or trial account pays, 0-100. Paid accounts, and every account while "
            + "there is no model, have none. Most accounts sit low; the few on the right are the ones to call.")
        + histogram("ICP fit", d.icp(), d.accounts(),
        "How well the company fits the ideal customer profile, 0-100, from the rules in plg360.score.icp. "
            + "Excluded accounts (free-mail only, schools, competitors) score 0.");
  }

  private static String histogram(String what, long[] bars, long accounts, String explanation) {
    long scored = java.util.Arrays.stream(bars).sum();
    if (scored == 0) {
      return Html.p("No account has a " + what + " yet.");
    }
    double width = 100.0 / bars.length;
    List<String> names = new ArrayList<>();
    List<Long> values = new ArrayList<>();
    for (int i = 0; i < bars.length; i++) {
      names.add(String.format(Locale.ROOT, "%.0f", i * width));
      values.add(bars[i]);
    }
    byte[] png = Charts.bars(what + " of " + count(scored) + " accounts", what + " (bar: from this score up to the next)",
        "accounts", names, List.of(new Bars("accounts", values, Charts.BLUE, false)), "#,##0");
    return Html.img(png, what + " histogram") + Html.note(explanation + " " + count(scored) + " of " + count(accounts)
        + " accounts have one.");
  }

  private static String segmentsSection(Counts segments) {
    String h = Html.h2("Segments (" + AccountScores.TABLE.qualifiedName() + ")");
    if (segments.byValue().isEmpty()) {
      return h + Html.p("No account scores yet.");
    }
    return h + countsChart("Accounts by segment", segments, Charts.BLUE)
        + Html.note("The first rule of plg360.score.segments that matches sets an account's segment (docs/SCORES.md).")
        + countsTable("segment", "accounts", segments);
  }

  private static String leadsSection(Counts leads) {
    String h = Html.h2("Lead statuses (" + LeadScores.TABLE.qualifiedName() + ")");
    if (leads.byValue().isEmpty()) {
      return h + Html.p("No lead scores yet.");
    }
    return h + countsChart("Open leads by status", leads, Charts.GREEN)
        + Html.note("Each open Salesforce lead's status in the PLG + SLG framework, with the reason for REMARKET; a "
            + "product lead goes to sales (OPEN_SLG) only once it qualifies.")
        + countsTable("status", "leads", leads);
  }

  private static String countsChart(String title, Counts c, java.awt.Color color) {
    byte[] png = Charts.bars(title, "", "count", new ArrayList<>(c.byValue().keySet()),
        List.of(new Bars("count", new ArrayList<>(c.byValue().values()), color, false)), "#,##0");
    return Html.img(png, title);
  }

  private static String countsTable(String what, String unit, Counts c) {
    List<List<?>> rows = new ArrayList<>();
    c.byValue().forEach((k, v) -> rows.add(List.of(k, num(count(v)),
        num(Html.percent((double) v / c.total())))));
    rows.add(List.of("total", num(count(c.total())), num("100.0%")));
    return Html.table(List.of(what, unit, "share"), rows);
  }
}
