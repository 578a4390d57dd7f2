package dev.plg360.common.run;

import static org.apache.spark.sql.functions.current_timestamp;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.Tables.JobRuns;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes ops.job_runs: a row when a run starts, its heartbeat while it runs, replaced when it ends.
 *
 * <p>The table is also the lock that keeps two runs of one job apart. A run's RUNNING row is inserted only if the
 * job has no RUNNING row (one Delta MERGE: a concurrent start conflicts and retries, so two starts cannot both
 * win). A RUNNING row whose process is gone (same host, its pid not alive) or that has been silent longer than
 * {@code plg360.run-log.stale-after} is a run that was killed: it is marked FAILED ("abandoned") and the new run
 * goes ahead. A live one refuses the new run with a message naming it.
 */
public final class RunLog {
  private static final Logger LOG = LoggerFactory.getLogger(RunLog.class);

  public static final String RUNNING = "RUNNING";
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";

  /** Retries of one write that lost a race to another process's commit to ops.job_runs. */
  private static final int ATTEMPTS = 8;

  /** How often a run says it is alive, and how long a silent one is still taken as alive. */
  public record Timing(Duration heartbeat, Duration staleAfter) {
    public static Timing from(Settings settings) {
      Duration heartbeat = settings.duration("plg360.run-log.heartbeat", Duration.ofSeconds(1));
      Duration stale = settings.duration("plg360.run-log.stale-after", heartbeat.multipliedBy(3));
      return new Timing(heartbeat, stale);
    }
  }

  /** This process: where a run's row says it runs, so a later run can tell whether it is still there. */
  private static final String HOST = hostName();
  private static final long PID = ProcessHandle.current().pid();

  private final Lake lake;

  public RunLog(Lake lake) {
    this.lake = lake;
  }

  /**
   * Records the run as RUNNING, holding the job's lock; fails with {@link RunLockedException} while another run of
   * the job is alive. RUNNING rows of runs that are gone are marked FAILED first.
   */
  public void started(JobContext ctx, String job, Timing timing) {
    for (int attempt = 1; ; attempt++) {
      Dataset<Row> row = frame(ctx, job, RUNNING, ctx.startedAt(), null, null);
      Column sameJobRunning = Lake.target(JobRuns.JOB).equalTo(Lake.source(JobRuns.JOB))
          .and(Lake.target(JobRuns.STATUS).equalTo(RUNNING));
      retrying(() -> lake.insertUnless(row, JobRuns.TABLE, sameJobRunning));
      List<Row> running = lake.read(JobRuns.TABLE)
          .where(JobRuns.JOB.col().equalTo(job).and(JobRuns.STATUS.col().equalTo(RUNNING))).collectAsList();
      if (running.stream().anyMatch(r -> ctx.runId().equals(r.getAs(JobRuns.RUN_ID.name())))) {
        return;
      }
      Instant now = Instant.now();
      for (Row other : running) {
        if (!gone(other, now, timing)) {
          throw new RunLockedException(String.format("%s is already running: run %s on %s (pid %s) since %s, last alive %s; "
                  + "runs of one job never overlap. If that process is gone, its lock lapses after %s without a heartbeat "
                  + "(plg360.run-log.stale-after)", job, other.getAs(JobRuns.RUN_ID.name()), other.getAs(JobRuns.HOST.name()),
              other.getAs(JobRuns.PID.name()), other.getAs(JobRuns.STARTED_AT.name()), other.getAs(JobRuns.HEARTBEAT_AT.name()),
              timing.staleAfter()));
        }
      }
      for (Row other : running) {
        abandon(other, now);
      }
      if (attempt == ATTEMPTS) {
        throw new IllegalStateException("could not take the lock of " + job + " in ops.job_runs after " + ATTEMPTS + " attempts");
      }
    }
  }

  /** Says these runs are still alive: their heartbeat, where they are still RUNNING. */
  void heartbeat(List<String> runIds) {
    // The heartbeat's thread started inside the first of the runs and inherited its Spark job group; a beat is all the
    // live runs', no one run's.
    lake.spark().sparkContext().setLocalProperty(JobRunner.JOB_GROUP, null);
    Column live = JobRuns.RUN_ID.col().isin(runIds.toArray()).and(JobRuns.STATUS.col().equalTo(RUNNING));
    retrying(() -> lake.update(JobRuns.TABLE, live, Map.of(JobRuns.HEARTBEAT_AT, current_timestamp())));
  }

  /** Where this log is kept: the path of its lake's ops.job_runs. */
  String table() {
    return lake.path(JobRuns.TABLE);
  }

  public void ended(JobContext ctx, String job, Instant endedAt, Throwable error) {
    retrying(() -> lake.upsert(frame(ctx, job, error == null ? SUCCEEDED : FAILED, endedAt, endedAt,
        error == null ? null : describe(error)), JobRuns.TABLE));
  }

  /** A RUNNING row's run is gone: its process on this host has ended, or it has been silent too long. */
  static boolean gone(Row run, Instant now, Timing timing) {
    Timestamp alive = run.getAs(JobRuns.HEARTBEAT_AT.name());
    if (alive == null) {
      alive = run.getAs(JobRuns.STARTED_AT.name());
    }
    if (Duration.between(alive.toInstant(), now).compareTo(timing.staleAfter()) > 0) {
      return true;
    }
    Long pid = run.getAs(JobRuns.PID.name());
    return HOST.equals(run.getAs(JobRuns.HOST.name())) && pid != null && pid != PID
        && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  /** Marks a run that is gone FAILED, so that its lock is released and the run log says what became of it. */
  private void abandon(Row run, Instant now) {
    String reason = String.format("abandoned: its process (pid %s on %s) ended or fell silent without finishing; found by a "
        + "later run at %s", run.getAs(JobRuns.PID.name()), run.getAs(JobRuns.HOST.name()), now);
    LOG.warn("run {} of {}: {}", run.getAs(JobRuns.RUN_ID.name()), run.getAs(JobRuns.JOB.name()), reason);
    Object[] values = new Object[run.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = run.get(i);
    }
    values[run.fieldIndex(JobRuns.STATUS.name())] = FAILED;
    values[run.fieldIndex(JobRuns.ENDED_AT.name())] = Timestamp.from(now);
    values[run.fieldIndex(JobRuns.ERROR.name())] = reason;
    Dataset<Row> row = lake.spark().createDataFrame(List.of(RowFactory.create(values)), run.schema());
    retrying(() -> lake.upsert(row.select(JobRuns.TABLE.columns().stream().map(c -> c.col()).toArray(Column[]::new)),
        JobRuns.TABLE));
  }

  private Dataset<Row> frame(JobContext ctx, String job, String status, Instant heartbeat, Instant endedAt, String error) {
    RunMetrics m = ctx.metrics();
    Row row = RowFactory.create(ctx.runId(), job, Date.valueOf(ctx.asOf()), Timestamp.from(ctx.startedAt()),
        endedAt == null ? null : Timestamp.from(endedAt), status, m.read(), m.written(), m.rejected(),
        m.versions(), m.files(), error, HOST, PID, Timestamp.from(heartbeat));
    return lake.spark().createDataFrame(List.of(row), JobRuns.TABLE.schema());
  }

  /**
   * Runs a write of ops.job_runs again when another process committed to the table first (Delta's optimistic
   * concurrency: jobs of one lake may run side by side, each writing its own rows).
   */
  private static <T> T retrying(Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (ConcurrentModificationException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
        LOG.info("ops.job_runs changed under this write ({}); trying again", e.getClass().getSimpleName());
        try {
          Thread.sleep(100L * attempt + (long) (Math.random() * 200));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  /** The first line of each cause, outermost first: enough to know what failed without a stack trace. */
  public static String describe(Throwable error) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (sb.length() > 0) {
        sb.append(" <- ");
      }
      String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst().orElse("");
      sb.append(msg);
      if (t.getCause() == t) {
        break;
      }
    }
    return sb.toString();
  }
}
