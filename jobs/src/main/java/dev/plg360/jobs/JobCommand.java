package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.spark.SparkSessions;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Mixin;

/** A subcommand that runs one job: settings are validated before Spark starts, then the job runs inside its run-log record. */
public abstract class JobCommand implements Callable<Integer> {

  @Mixin
  protected JobOptions options;

  protected abstract Job job();

  @Override
  public Integer call() throws Exception {
    Settings settings = SettingsCheck.check(options.settings());
    Job job = job();
    SparkSession spark = SparkSessions.create(settings);
    new JobRunner(Clock.systemUTC()).run(job, settings, spark, options.asOf());
    return 0;
  }
}
