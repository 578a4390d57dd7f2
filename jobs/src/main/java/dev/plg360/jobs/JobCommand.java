package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.spark.SparkSessions;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A subcommand that runs one job: settings are validated before Spark starts, then the job runs inside its run-log record. */
public abstract class JobCommand implements Callable<Integer> {

  @Mixin
  protected JobOptions options;

  @Spec
  protected CommandSpec spec;

  protected abstract Job job();

  /** Settings this command's own options set (report --out), over the -D overrides. */
  protected Map<String, String> settingsFromOptions() {
    return Map.of();
  }

  /** Checks what only this command needs, before Spark starts. */
  protected void check(Settings settings) {}

  /** Prints what the run did, after it succeeded. */
  protected void report(Job job, PrintWriter out) {}

  /** Prints what a run that failed did before it failed (the error itself is printed by the command line). */
  protected void reportFailure(Job job, PrintWriter out) {}

  @Override
  public Integer call() throws Exception {
    Settings settings = SettingsCheck.check(options.settings(settingsFromOptions()));
    check(settings);
    Job job = job();
    SparkSession spark = SparkSessions.create(settings);
    PrintWriter out = spec.commandLine().getOut();
    try {
      new JobRunner(Clock.systemUTC()).run(job, settings, spark, options.asOf());
    } catch (Exception e) {
      reportFailure(job, out);
      out.flush();
      throw e;
    }
    report(job, out);
    out.flush();
    return 0;
  }
}
