package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.spark.SparkSessions;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.UUID;
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
    SparkSession spark = SparkSessions.create(settings);
    Job job = job();
    run(job, settings, spark);
    return 0;
  }

  /** Runs one job with a fresh run id; the same path the chains use. */
  public JobContext run(Job job, Settings settings, SparkSession spark) throws Exception {
    Clock clock = Clock.systemUTC();
    Instant start = clock.instant();
    JobContext ctx = JobContext.create(settings, spark, options.asOf(), newRunId(job.name(), start), start);
    new JobRunner(clock).run(job, ctx);
    return ctx;
  }

  static String newRunId(String job, Instant start) {
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC).format(start);
    return job + "-" + stamp + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
