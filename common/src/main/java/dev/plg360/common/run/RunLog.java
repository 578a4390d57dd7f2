package dev.plg360.common.run;

import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.not;

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
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes ops.job_runs: a row when a run starts, its heartbeat while it runs, replaced when it ends.
 *
 * <p>The table is also the lake's lock. One process at a time writes a lake: a run starts only when no run of
 * another process is RUNNING on it, and no other run of its own job either (a chain and its steps, in one process,
 * nest). The run's RUNNING row is inserted only if no such row exists (one Delta MERGE: a concurrent start conflicts
 * and retries, so two starts cannot both win). ingest and resolve both write bronze.quarantine, maintain rewrites
 * every table, activate reads what score wrote: a lock per job would let them overlap; a lock per lake does not.
 *
 * <p>A RUNNING row whose process is gone is a run that was killed: it is marked FAILED ("abandoned") and the new run
 * goes ahead. On this host a process is gone when its pid is not alive or names a process started after the run (the
 * pid was reused); a live process holds its lock however long it has been silent. A process on another host cannot be
 * asked: its run is gone once silent longer than {@code plg360.run-log.stale-after}. A run that can no longer say it
 * is alive for that long stops itself ({@link Heartbeat}): another host may take the lock by then.
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

  /** How far a process's start time as the system gives it may lie after the real one (whole seconds of boot time). */
  private static final Duration PID_START_SLACK = Duration.ofSeconds(2);

  /** This process: where a run's row says it runs, so a later run can tell whether it is still there. */
  private static final String HOST = hostName();
  private static final long PID = ProcessHandle.current().pid();

  private final Lake lake;

  public RunLog(Lake lake) {
    this.lake = lake;
  }

  /**
   * Records the run as RUNNING, holding the lake's lock; fails with {@link RunLockedException} while a run of another
   * process, or another run of the job, is alive. RUNNING rows of runs that are gone are marked FAILED first.
   */
  public void started(JobContext ctx, String job, Timing timing) {
    for (int attempt = 1; ; attempt++) {
      Dataset<Row> row = frame(ctx, job, RUNNING, ctx.startedAt(), null, null);
      Column anotherProcess = not(Lake.target(JobRuns.HOST).eqNullSafe(Lake.source(JobRuns.HOST))
          .and(Lake.target(JobRuns.PID).eqNullSafe(Lake.source(JobRuns.PID))));
      Column holdsTheLock = Lake.target(JobRuns.STATUS).equalTo(RUNNING)
          .and(Lake.target(JobRuns.JOB).equalTo(Lake.source(JobRuns.JOB)).or(anotherProcess));
      retrying(() -> lake.insertUnless(row, JobRuns.TABLE, holdsTheLock));
      List<Row> running = lake.read(JobRuns.TABLE).where(JobRuns.STATUS.col().equalTo(RUNNING)).collectAsList();
      if (running.stream().anyMatch(r -> ctx.runId().equals(r.getAs(JobRuns.RUN_ID.name())))) {
        return;
      }
      List<Row> holders = running.stream().filter(r -> job.equals(r.getAs(JobRuns.JOB.name())) || !thisProcess(r)).toList();
      Instant now = Instant.now();
      for (Row other : holders) {
        if (!gone(other, now, timing)) {
          throw new RunLockedException(locked(job, other, timing));
        }
      }
      for (Row other : holders) {
        abandon(other, now);
      }
      if (attempt == ATTEMPTS) {
        throw new IllegalStateException("could not take the lock of " + job + " in ops.job_runs after " + ATTEMPTS + " attempts");
      }
    }
  }

  /** Why a run cannot start: the live run that holds the lock, and how that lock ends. */
  private static String locked(String job, Row holder, Timing timing) {
    String other = holder.getAs(JobRuns.JOB.name());
    String what = job.equals(other) ? job + " is already running"
        : job + " cannot start while " + other + " writes the lake (one process at a time writes a lake)";
    return String.format("%s: run %s on %s (pid %s) since %s, last alive %s; runs never overlap. If that process is "
            + "gone, its lock lapses at once on its own host, or elsewhere after %s without a heartbeat "
            + "(plg360.run-log.stale-after)",
        what, holder.getAs(JobRuns.RUN_ID.name()), holder.getAs(JobRuns.HOST.name()), holder.getAs(JobRuns.PID.name()),
        holder.getAs(JobRuns.STARTED_AT.name()), holder.getAs(JobRuns.HEARTBEAT_AT.name()), timing.staleAfter());
  }

  private static boolean thisProcess(Row run) {
    Long pid = run.getAs(JobRuns.PID.name());
    return HOST.equals(run.getAs(JobRuns.HOST.name())) && pid != null && pid == PID;
  }

  /**
   * Says these runs are still alive: their heartbeat, where they are still RUNNING. Returns the runs that are still
   * RUNNING after it: a run missing from them has been abandoned by another process and no longer holds the lock.
   */
  Set<String> heartbeat(List<String> runIds) {
    // The heartbeat's thread started inside the first of the runs and inherited its Spark job group; a beat is all the
    // live runs', no one run's.
    lake.spark().sparkContext().setLocalProperty(JobRunner.JOB_GROUP, null);
    Column live = JobRuns.RUN_ID.col().isin(runIds.toArray()).and(JobRuns.STATUS.col().equalTo(RUNNING));
    retrying(() -> lake.update(JobRuns.TABLE, live, Map.of(JobRuns.HEARTBEAT_AT, current_timestamp())));
    return lake.read(JobRuns.TABLE).where(live).select(JobRuns.RUN_ID.col()).collectAsList().stream()
        .map(r -> r.getString(0)).collect(Collectors.toSet());
  }

  org.apache.spark.SparkContext sparkContext() {
    return lake.spark().sparkContext();
  }

  /** Where this log is kept: the path of its lake's ops.job_runs. */
  String table() {
    return lake.path(JobRuns.TABLE);
  }

  public void ended(JobContext ctx, String job, Instant endedAt, Throwable error) {
    retrying(() -> lake.upsert(frame(ctx, job, error == null ? SUCCEEDED : FAILED, endedAt, endedAt,
        error == null ? null : describe(error)), JobRuns.TABLE));
  }

  /**
   * A RUNNING row's run is gone: on this host, its process has ended (or its pid now names a process started after
   * the run: reused); on another host, it has been silent longer than {@code staleAfter}.
   */
  static boolean gone(Row run, Instant now, Timing timing) {
    Long pid = run.getAs(JobRuns.PID.name());
    if (HOST.equals(run.getAs(JobRuns.HOST.name())) && pid != null) {
      if (pid == PID) {
        return false;
      }
      Instant runStarted = run.<Timestamp>getAs(JobRuns.STARTED_AT.name()).toInstant();
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .map(p -> p.info().startInstant().map(started -> started.isAfter(runStarted.plus(PID_START_SLACK))).orElse(false))
          .orElse(true);
    }
    Timestamp alive = run.getAs(JobRuns.HEARTBEAT_AT.name());
    if (alive == null) {
      alive = run.getAs(JobRuns.STARTED_AT.name());
    }
    return Duration.between(alive.toInstant(), now).compareTo(timing.staleAfter()) > 0;
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
