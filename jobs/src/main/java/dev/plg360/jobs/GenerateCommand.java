package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.jobs.generate.GenerateSettings;
import dev.plg360.jobs.generate.Generator;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code plg360 generate}: a synthetic company's landing zone plus its ground truth. Not a run-logged job. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Write a synthetic company's raw exports (DIR/landing, vendor formats of docs/LANDING.md) and the "
        + "ground truth planted in them (DIR/truth). Deterministic for a seed.")
public final class GenerateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (any Hadoop path).")
  String out;

  @Option(names = "--workspaces", paramLabel = "N", description = "Workspaces to simulate. Default: plg360.generate.workspaces.")
  Integer workspaces;

  @Option(names = "--seed", paramLabel = "S", description = "Random seed. Default: plg360.generate.seed.")
  Long seed;

  @Option(names = "--days", paramLabel = "D", description = "Days of history. Default: plg360.generate.days.")
  Integer days;

  @Option(names = "--bad-rate", paramLabel = "R", description = "Share of records with a planted defect. Default: plg360.generate.bad-rate.")
  Double badRate;

  @Option(names = "--end-date", paramLabel = "YYYY-MM-DD", description = "Last day of history. Default: plg360.generate.end-date.")
  LocalDate endDate;

  @Option(names = "--overwrite", description = "Replace DIR/landing and DIR/truth if they exist.")
  boolean overwrite;

  @Mixin
  ConfOptions conf = new ConfOptions();

  @Override
  public Integer call() {
    Map<String, String> o = new LinkedHashMap<>();
    put(o, "workspaces", workspaces);
    put(o, "seed", seed);
    put(o, "days", days);
    put(o, "bad-rate", badRate);
    put(o, "end-date", endDate);
    Settings settings = conf.settings(o).validate();
    // A bad generate setting fails here, before Spark starts.
    GenerateSettings.from(settings);
    Generator.Result r = Generator.run(SparkSessions.create(settings), settings, out, overwrite);
    PrintWriter w = spec.commandLine().getOut();
    w.printf("generated %d workspaces (%d users), %s to %s, seed %d, in %.1f s%n", r.workspaces(), r.users(),
        r.settings().startDate(), r.settings().endDate(), r.settings().seed(), r.took().toMillis() / 1000.0);
    w.printf("  %d records in %d files under %s/landing; %d planted defects%n", r.totalRecords(), r.totalFiles(),
        r.out(), r.totalDefects());
    r.records().forEach((source, n) -> w.printf("    %-24s %,12d records %,8d files%n", source, n, r.files().get(source)));
    w.printf("  oracle AUC %.4f over %d labelled workspaces; conversion %.4f, mean true p %.4f%n", r.oracleAuc(),
        r.labelled(), r.conversionRate(), r.meanProbability());
    w.printf("  truth under %s/truth%n", r.out());
    w.flush();
    return 0;
  }

  private static void put(Map<String, String> o, String key, Object value) {
    if (value != null) {
      o.put("plg360.generate." + key, String.valueOf(value));
    }
  }
}
