package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.Activity;
import dev.plg360.common.tables.GoldTables.Billing;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.ModelTables.Coefficients;
import dev.plg360.common.tables.ModelTables.Predictions;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.Tables.Accounts;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.SyncState;
import dev.plg360.common.tables.Tables.Workspaces;
import dev.plg360.jobs.activate.ActivateJob;
import dev.plg360.jobs.activate.ActivateSettings;
import dev.plg360.jobs.activate.EmbeddedPostgresServer;
import dev.plg360.jobs.generate.GenerateSettings.Shapes;
import dev.plg360.jobs.generate.Generator;
import dev.plg360.jobs.generate.OracleAuc;
import dev.plg360.jobs.ops.RunJob;
import dev.plg360.jobs.report.LakeSummary;
import dev.plg360.jobs.report.ReportJob;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code plg360 demo}: generates a synthetic company (once; kept for later runs), runs every job of the chain on
 * it as of the last generated day, and prints what a person wants to see. Re-running it re-runs the chain on the
 * same data, which changes nothing.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Generate a small synthetic company into demo/ and run the whole chain on it locally, then show the result.")
public final class DemoCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  JobOptions options;

  @Option(names = "--dir", paramLabel = "DIR", description = "Demo folder. Default: plg360.demo.dir (demo).")
  String dir;

  @Option(names = "--workspaces", paramLabel = "N", description = "Workspaces to generate. Default: plg360.demo.workspaces.")
  Integer workspaces;

  @Option(names = "--seed", paramLabel = "S", description = "Generator seed. Default: plg360.demo.seed.")
  Long seed;

  @Option(names = "--fresh", description = "Delete the demo folder first: generate again and rebuild the lake.")
  boolean fresh;

  private Consumer<RunJob.Step> stepListener = step -> {};

  /** Is also told of each step of the chain as it ends, after the demo printed it (a caller that checks each step). */
  public DemoCommand onStep(Consumer<RunJob.Step> listener) {
    this.stepListener = listener;
    return this;
  }

  @Override
  public Integer call() throws Exception {
    Settings base = options.settings();
    String folder = dir != null ? dir : base.string("plg360.demo.dir");
    Map<String, String> o = new LinkedHashMap<>();
    o.put("plg360.generate.workspaces", String.valueOf(workspaces != null ? workspaces : base.positiveInt("plg360.demo.workspaces")));
    o.put("plg360.generate.seed", String.valueOf(seed != null ? seed : base.config().getLong("plg360.demo.seed")));
    o.put("plg360.landing.dir", folder + "/landing");
    o.put("plg360.lake.root", folder + "/lake");
    Shapes shapes = Shapes.of(base, "plg360.demo.shapes");
    o.put("plg360.generate.shapes", shapes.name().toLowerCase(java.util.Locale.ROOT));
    // A company in the vendors' own shapes is landed as a user lands such exports: with conf/real-exports.conf.
    Settings mapped = shapes == Shapes.REALISTIC ? base.withResource("plg360/real-exports.conf") : base;
    Settings settings = SettingsCheck.check(mapped.with(o));
    PrintWriter out = spec.commandLine().getOut();
    SparkSession spark = SparkSessions.create(settings);

    FileSystem fs = new Path(folder).getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (fresh) {
      fs.delete(new Path(folder), true);
    }
    if (fs.exists(new Path(folder, "truth"))) {
      out.printf("Using the company generated before in %s (--fresh to generate again)%n", folder);
    } else {
      out.printf("Generating a company of %s workspaces into %s ...%n", o.get("plg360.generate.workspaces"), folder);
      out.flush();
      Generator.Result g = Generator.run(spark, settings, folder, false);
      out.printf("  %,d records in %,d files, %,d planted defects, %.1f s; oracle AUC %.3f%n", g.totalRecords(),
          g.totalFiles(), g.totalDefects(), g.took().toMillis() / 1000.0, g.oracleAuc());
    }
    // No server configured: deliver to an embedded PostgreSQL kept beside the lake, so a re-run finds what it holds.
    EmbeddedPostgresServer pg = null;
    if (ActivateSettings.from(settings).url().isEmpty()) {
      pg = EmbeddedPostgresServer.start(java.nio.file.Path.of(folder, "postgres"), settings.positiveInt("plg360.demo.postgres-port"));
      settings = settings.with(pg.settings());
    }
    try {
      return runChain(settings, spark, folder, out, pg);
    } finally {
      if (pg != null) {
        pg.close();
      }
    }
  }

  private Integer runChain(Settings settings, SparkSession spark, String folder, PrintWriter out, EmbeddedPostgresServer pg)
      throws Exception {
    LocalDate asOf = options.asOfOr(LocalDate.parse(settings.string("plg360.generate.end-date")));
    out.printf("%nRunning the chain as of %s%n", asOf);
    out.flush();
    Lake lake = Lake.of(spark, settings);
    String[] noModel = {null};
    List<ActivateJob.Delivery> delivered = new ArrayList<>();
    List<String> reports = new ArrayList<>();
    // plg360 run, training whatever the cadence says (each demo shows its model), printing each step as it ends.
    RunJob run = new RunJob(Optional.empty(), Optional.empty(), true, Clock.systemUTC()).modelNotRequired().onStep(step -> {
      if (step.outcome() == RunJob.Outcome.NO_MODEL) { // a company too small or too young to learn from: the rest still shows
        noModel[0] = step.detail();
        out.printf("  %-10s no model after %.1f s: %s%n", step.name(), step.seconds(), step.detail());
      } else if (step.outcome() == RunJob.Outcome.SUCCEEDED) {
        if (step.job() instanceof ActivateJob a) {
          delivered.addAll(a.deliveries());
        } else if (step.job() instanceof ReportJob r) {
          reports.addAll(r.files());
        }
        LakeSummary.printRun(step.name(), step.ran().orElseThrow().metrics(), step.seconds(), out);
      }
      stepListener.accept(step);
    });
    new JobRunner(Clock.systemUTC()).run(run, settings, spark, asOf);
    LakeSummary.print(lake, out);
    printIdentity(lake, out);
    printCustomer360(lake, asOf, out);
    if (noModel[0] == null) {
      printModel(lake, spark, folder, settings, out);
    }
    printScores(lake, out);
    printDelivered(delivered, ActivateSettings.from(settings), pg, out);
    out.printf("%nModel card and run report (open in a browser; bin/plg360 report -D plg360.lake.root=%s writes them again):%n",
        lake.root());
    reports.forEach(f -> out.printf("  %s%n", f));
    out.printf("%nThe tables are Delta tables under %s. Running the demo again re-runs the chain on the same data.%n", lake.root());
    out.flush();
    return 0;
  }

  /** The accounts most likely to pay, with fit, segment and why; then how the leads are being worked. */
  private static void printScores(Lake lake, PrintWriter out) {
    List<Row> top = lake.read(AccountScores.TABLE).where(AccountScores.PQL_SCORE.col().isNotNull())
        .orderBy(AccountScores.PQL_SCORE.col().desc(), AccountScores.ACCOUNT_ID.col()).limit(10).collectAsList();
    if (top.isEmpty()) {
      out.printf("%nNo PQL scores in %s: no conversion model yet, or no free or trial account%n",
          AccountScores.TABLE.qualifiedName());
    } else {
      out.printf("%nTop %d free and trial accounts by PQL score (%s)%n", top.size(), AccountScores.TABLE.qualifiedName());
      out.printf("  %-28s %5s %4s %4s  %-19s %s%n", "account", "PQL", "tier", "ICP", "segment", "why");
      for (Row r : top) {
        out.printf("  %-28s %5.1f %4s %4s  %-19s %s%n", r.<String>getAs("account_id"), r.<Double>getAs("pql_score"),
            r.<String>getAs("pql_tier"), r.<String>getAs("icp_tier"), r.<String>getAs("segment"),
            String.join("; ", r.<String>getList(r.fieldIndex("pql_reasons"))));
      }
    }
    out.printf("%nLeads by status (%s)%n", LeadScores.TABLE.qualifiedName());
    for (Row r : lake.read(LeadScores.TABLE).groupBy(LeadScores.LEAD_STATUS.col(), LeadScores.REMARKET_REASON.col())
        .count().orderBy(LeadScores.LEAD_STATUS.col(), LeadScores.REMARKET_REASON.col()).collectAsList()) {
      String status = r.isNullAt(1) ? r.getString(0) : r.getString(0) + " " + r.getString(1);
      out.printf("  %-26s %,8d%n", status, r.getLong(2));
    }
  }

  /** What went to PostgreSQL, and how to look at it there. */
  private static void printDelivered(List<ActivateJob.Delivery> delivered, ActivateSettings s, EmbeddedPostgresServer pg,
                                     PrintWriter out) {
    // The target as ops.sync_state names it: the URL without its parameters, which may carry credentials.
    String where = (pg != null ? "embedded server, data in " + pg.dataDir() + ": " : "") + s.target();
    out.printf("%nWrite-back to PostgreSQL (%s; delivered versions in %s)%n", where, SyncState.TABLE.qualifiedName());
    long rows = 0;
    for (ActivateJob.Delivery d : delivered) {
      out.printf("  %s%n", d.describe());
      rows += d.upserted() + d.deleted();
    }
    out.printf("  %,d rows delivered%s%n", rows, rows == 0 ? ": nothing changed since the last delivery" : "");
    ActivateJob.targetRows(s).forEach((table, n) -> out.printf("  %-24s %,9d rows in PostgreSQL%n", table, n));
  }

  /** The most active accounts of the day and the day's signals: what a seller would open first. */
  private static void printCustomer360(Lake lake, LocalDate asOf, PrintWriter out) {
    java.sql.Date day = java.sql.Date.valueOf(asOf);
    out.printf("%nMost active accounts as of %s (%s)%n", asOf, Account360.TABLE.qualifiedName());
    out.printf("  %-28s %-10s %6s %6s %9s %10s  %s%n", "account", "plan", "users", "wau", "momentum", "stickiness", "nearest cap");
    for (Row r : lake.read(Account360.TABLE).where(Snapshot.AS_OF.col().equalTo(day))
        .orderBy(Activity.ACTIVE_USERS_28D.col().desc(), Account360.ACCOUNT_ID.col()).limit(8)
        .select(Account360.ACCOUNT_ID.col(), Billing.PLAN.col(), Account360.USERS.col(), Activity.ACTIVE_USERS_7D.col(),
            Activity.MOMENTUM_7D.col(), Activity.STICKINESS.col(), Billing.NEAREST_CAP.col(), Billing.NEAREST_CAP_USAGE.col())
        .collectAsList()) {
      out.printf("  %-28s %-10s %6d %6d %9s %10s  %s%n", r.getString(0), r.getString(1), r.getLong(2), r.getLong(3),
          r.isNullAt(4) ? "-" : String.format("%+.0f%%", 100 * r.getDouble(4)),
          r.isNullAt(5) ? "-" : String.format("%.2f", r.getDouble(5)),
          r.isNullAt(6) ? "-" : String.format("%s %.0f%%", r.getString(6), 100 * r.getDouble(7)));
    }
    out.printf("%nSignals (%s) by type: all found, and on %s%n", Signals.TABLE.qualifiedName(), asOf);
    for (Row r : lake.read(Signals.TABLE).groupBy(Signals.SIGNAL_TYPE.col())
        .agg(functions.count(functions.lit(1)), functions.count(functions.when(Signals.SIGNAL_DATE.col().equalTo(day), true)))
        .orderBy(Signals.SIGNAL_TYPE.col()).collectAsList()) {
      out.printf("  %-22s %,8d %,8d%n", r.getString(0), r.getLong(1), r.getLong(2));
    }
  }

  /**
   * The current model: its held-out metrics beside the oracle's on the same workspaces (the generator's true
   * probabilities, the best any model can rank them), and the behaviours that go with paying.
   */
  private static void printModel(Lake lake, SparkSession spark, String folder, Settings settings, PrintWriter out) {
    ModelRegistry registry = new ModelRegistry(spark, lake.file(ModelSettings.from(settings).registryDir()));
    String version = registry.current().orElseThrow();
    Row m = lake.read(Versions.TABLE).where(Versions.VERSION.col().equalTo(version)).first();
    Dataset<Row> heldOut = lake.read(Predictions.TABLE).where(Predictions.VERSION.col().equalTo(version))
        .select(Predictions.ENTITY_ID.col().as("workspace_id"));
    double oracle = OracleAuc.compute(OracleAuc.truthWorkspaces(spark, folder).join(heldOut, "workspace_id"));
    out.printf("%nConversion model %s (current; %s, %s)%n", version, registry.dir(), Versions.TABLE.qualifiedName());
    out.printf("  held-out cohort: %,d workspaces who signed up %s to %s, %.1f%% paid%n", m.<Long>getAs("test_rows"),
        m.getAs("test_from"), m.getAs("test_to"), 100 * m.<Double>getAs("base_rate"));
    out.printf("  AUC-ROC %.3f (oracle %.3f on the same workspaces)  AUC-PR %.3f  log loss %.3f  ECE %.3f  "
            + "top-decile lift %.1fx%n", m.<Double>getAs("auc_roc"), oracle, m.<Double>getAs("auc_pr"),
        m.<Double>getAs("log_loss"), m.<Double>getAs("ece"), m.<Double>getAs("top_decile_lift"));
    out.printf("  The behaviours that go with paying (odds ratio per standard deviation, %s):%n", Coefficients.TABLE.qualifiedName());
    for (Row r : lake.read(Coefficients.TABLE).where(Coefficients.VERSION.col().equalTo(version)
            .and(Coefficients.DIRECTION.col().notEqual("none"))).orderBy(Coefficients.RANK.col()).limit(8).collectAsList()) {
      out.printf("    %-40s %5.2f  %s%n", r.<String>getAs("term"), r.<Double>getAs("odds_ratio"), r.<String>getAs("direction"));
    }
  }

  private static void printIdentity(Lake lake, PrintWriter out) {
    Row acc = lake.read(Accounts.TABLE).selectExpr("count(*)", "count_if(is_personal)", "count_if(size(workspace_ids) > 1)",
        "count_if(has_firmographics)").first();
    out.printf("%nIdentity: %,d accounts (%,d personal, %,d with several workspaces, %,d with firmographics)%n",
        acc.getLong(0), acc.getLong(1), acc.getLong(2), acc.getLong(3));
    for (Row r : lake.read(People.TABLE).groupBy(People.ACCOUNT_RULE.col()).count().orderBy(People.ACCOUNT_RULE.col()).collectAsList()) {
      out.printf("  people linked by %-22s %,8d%n", r.isNullAt(0) ? "(no account)" : r.getString(0), r.getLong(1));
    }
    for (Row r : lake.read(Workspaces.TABLE).groupBy(Workspaces.RULE.col()).count().orderBy(Workspaces.RULE.col()).collectAsList()) {
      out.printf("  workspaces by %-25s %,8d%n", r.getString(0), r.getLong(1));
    }
  }
}
