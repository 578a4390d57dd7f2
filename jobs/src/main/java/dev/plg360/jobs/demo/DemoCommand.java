package dev.plg360.jobs.demo;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.Activity;
import dev.plg360.common.tables.GoldTables.Billing;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.Tables.Accounts;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.Workspaces;
import dev.plg360.jobs.JobOptions;
import dev.plg360.jobs.SettingsCheck;
import dev.plg360.jobs.generate.Generator;
import dev.plg360.jobs.c360.Build360Job;
import dev.plg360.jobs.ingest.IngestJob;
import dev.plg360.jobs.resolve.ResolveJob;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
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

  /** The chain, in order; later jobs join as they exist. */
  static List<Job> chain() {
    return List.of(new IngestJob(), new ResolveJob(), new Build360Job());
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
    Settings settings = SettingsCheck.check(base.with(o));
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
    LocalDate asOf = options.asOfOr(LocalDate.parse(settings.string("plg360.generate.end-date")));
    out.printf("%nRunning the chain as of %s%n", asOf);
    out.flush();
    Clock clock = Clock.systemUTC();
    JobRunner runner = new JobRunner(clock);
    Lake lake = null;
    for (Job job : chain()) {
      JobContext ctx = runner.run(job, settings, spark, asOf);
      LakeSummary.printRun(job.name(), ctx.metrics(), Duration.between(ctx.startedAt(), clock.instant()).toMillis() / 1000.0, out);
      lake = ctx.lake();
    }
    LakeSummary.print(lake, out);
    printIdentity(lake, out);
    printCustomer360(lake, asOf, out);
    out.printf("%nThe tables are Delta tables under %s. Running the demo again re-runs the chain on the same data.%n", lake.root());
    out.flush();
    return 0;
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
