package dev.plg360.common.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a job inside its run-log record: RUNNING when it starts, SUCCEEDED or FAILED with the reason when it ends. */
public final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  private final Clock clock;

  public JobRunner(Clock clock) {
    this.clock = clock;
  }

  public void run(Job job, JobContext ctx) throws Exception {
    RunLog log = new RunLog(ctx.lake());
    log.started(ctx, job.name());
    LOG.info("run {}: {} as of {} started", ctx.runId(), job.name(), ctx.asOf());
    try {
      job.run(ctx);
    } catch (Exception | Error e) {
      Instant end = clock.instant();
      LOG.error("run {}: {} failed after {}: {}", ctx.runId(), job.name(), took(ctx, end), RunLog.describe(e));
      try {
        log.ended(ctx, job.name(), end, e);
      } catch (RuntimeException logFailure) {
        e.addSuppressed(logFailure);
      }
      throw e;
    }
    Instant end = clock.instant();
    log.ended(ctx, job.name(), end, null);
    LOG.info("run {}: {} succeeded in {}; written {}; rejected {}", ctx.runId(), job.name(), took(ctx, end),
        ctx.metrics().written(), ctx.metrics().rejected());
  }

  private static String took(JobContext ctx, Instant end) {
    Duration d = Duration.between(ctx.startedAt(), end);
    return String.format("%d.%01ds", d.toSeconds(), d.toMillisPart() / 100);
  }
}
