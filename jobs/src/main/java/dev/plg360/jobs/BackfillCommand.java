package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.jobs.ops.BackfillJob;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = {"Rebuild the customer-360 snapshots (gold.account_360, workspace_360, user_360, signals, timeline) of "
        + "every day from --from to --to, oldest first, each as the daily run of that day builds it. Land and resolve "
        + "new history first (plg360 run --to resolve)."})
final class BackfillCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First day to rebuild.")
  LocalDate from;

  @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last day to rebuild.")
  LocalDate to;

  @Mixin
  ConfOptions conf = new ConfOptions();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (from.isAfter(to)) {
      throw new SettingsException("--from " + from + " is after --to " + to);
    }
    Settings settings = SettingsCheck.check(conf.settings(Map.of()));
    BackfillJob job = new BackfillJob(from, Clock.systemUTC());
    new JobRunner(Clock.systemUTC()).run(job, settings, SparkSessions.create(settings), to);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("rebuilt the snapshots of %d days, %s to %s%n", job.built().size(), from, to);
    out.flush();
    return 0;
  }
}
