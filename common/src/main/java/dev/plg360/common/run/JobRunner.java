package dev.plg360.common.run;

import dev.plg360.common.config.Settings;
import dev.plg360.common.spark.Kept;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Runs a job inside its run-log record: RUNNING when it starts, SUCCEEDED or FAILED with the reason when it ends. */
public final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  /** The local property that names a thread's Spark job group (what {@code SparkContext.setJobGroup} sets). */
  public static final String JOB_GROUP = "spark.jobGroup.id";
  /** The logging context's key for the run a log line belongs to (the JSON logs' {@code run_id}). */
  public static final String RUN_ID = "run_id";

  private final Clock clock;

  public JobRunner(Clock clock) {
    this.clock = clock;
  }

  /** Runs a job as of a date in a fresh context with a new run id, and returns the context (metrics, lake). */
  public JobContext run(Job job, Settings settings, SparkSession spark, LocalDate asOf) throws Exception {
    Instant start = clock.instant();
    JobContext ctx = JobContext.create(settings, spark, asOf, newRunId(job.name(), start), start);
    run(job, ctx);
    return ctx;
  }

  /** {@code <job>-<UTC start>-<8 random hex>}: sortable by time, unique across processes. */
  static String newRunId(String job, Instant start) {
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC).format(start);
    return job + "-" + stamp + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Runs the job under the lake's lock in the run log (refused with {@link RunLockedException} while a run of another
   * process, or another run of the job, is alive), saying it is alive every {@code plg360.run-log.heartbeat} until it
   * ends; a run that loses the lock on the way fails (its Spark jobs are cancelled). The Spark jobs it starts
   * belong to the job group named by its run id (Spark's UI, event log and history server show which plg360 run each
   * came from), and its log lines carry its run id in the logging context ({@link #RUN_ID}); a chain's run is the
   * group and the run id again after it.
   */
  public void run(Job job, JobContext ctx) throws Exception {
    SparkContext sc = ctx.spark().sparkContext();
    Kept.checkpointUnder(sc, ctx.lake().root());
    String outer = sc.getLocalProperty(JOB_GROUP);
    String outerLogged = MDC.get(RUN_ID);
    sc.setLocalProperty(JOB_GROUP, ctx.runId());
    MDC.put(RUN_ID, ctx.runId());
    try {
      runLogged(job, ctx);
    } finally {
      Kept.deleteCheckpoints(sc, ctx.lake().root());
      sc.setLocalProperty(JOB_GROUP, outer);
      if (outerLogged == null) {
        MDC.remove(RUN_ID);
      } else {
        MDC.put(RUN_ID, outerLogged);
      }
    }
  }

  private void runLogged(Job job, JobContext ctx) throws Exception {
    RunLog log = new RunLog(ctx.lake());
    RunLog.Timing timing = RunLog.Timing.from(ctx.settings());
    log.started(ctx, job.name(), timing);
    LOG.info("run {}: {} as of {} started", ctx.runId(), job.name(), ctx.asOf());
    Heartbeat heartbeat = Heartbeat.join(log, ctx.runId(), timing);
    try {
      job.run(ctx);
      Optional<String> lost = Heartbeat.lost(ctx.runId());
      if (lost.isPresent()) {
        throw lostTheLock(ctx, lost.get(), null);
      }
    } catch (Exception | Error e) {
      heartbeat.leave(ctx.runId());
      // A run stopped because it lost the lock says so, whatever its cancelled Spark job threw.
      Optional<Exception> lost = Heartbeat.lost(ctx.runId()).map(why -> lostTheLock(ctx, why, e));
      Throwable failure = lost.isPresent() ? lost.get() : e;
      Instant end = clock.instant();
      LOG.error("run {}: {} failed after {}: {}", ctx.runId(), job.name(), took(ctx, end), RunLog.describe(failure));
      try {
        log.ended(ctx, job.name(), end, failure);
      } catch (RuntimeException logFailure) {
        failure.addSuppressed(logFailure);
      }
      if (lost.isPresent()) {
        throw lost.get();
      }
      throw e;
    }
    heartbeat.leave(ctx.runId());
    Instant end = clock.instant();
    log.ended(ctx, job.name(), end, null);
    LOG.info("run {}: {} succeeded in {}; written {}; rejected {}", ctx.runId(), job.name(), took(ctx, end),
        ctx.metrics().written(), ctx.metrics().rejected());
  }

  private static IllegalStateException lostTheLock(JobContext ctx, String why, Throwable cause) {
    return new IllegalStateException("run " + ctx.runId() + " lost the lake's lock: " + why, cause);
  }

  private static String took(JobContext ctx, Instant end) {
    Duration d = Duration.between(ctx.startedAt(), end);
    return String.format("%d.%01ds", d.toSeconds(), d.toMillisPart() / 100);
  }
}
