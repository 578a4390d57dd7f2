package dev.plg360.common.run;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import scala.Option;

/**
 * The heartbeat of this process's runs on one lake: one write of ops.job_runs every {@code plg360.run-log.heartbeat}
 * says every live run alive, however many are nested (a chain and its step), and only while they are RUNNING, so a
 * late beat never revives a row that ended or was abandoned. At each beat every live run logs how far it is
 * ({@link #progress}).
 *
 * <p>It is also how a run learns that it lost the lake's lock: its row is no longer RUNNING after a beat (another
 * process abandoned it), or no beat has been recorded for {@code plg360.run-log.stale-after} (a process on another
 * host may take the lock by now). Such a run is stopped: its Spark jobs are cancelled as they start, and it ends
 * FAILED ({@link #lost}), so that two processes never go on writing one lake.
 */
final class Heartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  /** The heartbeat of each lake (by its ops.job_runs path) that has a live run in this process. */
  private static final Map<String, Heartbeat> BY_LAKE = new HashMap<>();

  /** Runs of this process that lost the lock, with why: their Spark jobs are cancelled (by their job group). */
  private static final Map<String, String> LOST = new ConcurrentHashMap<>();
  /** The Spark contexts that cancel the jobs of lost runs (one listener each). */
  private static final Set<SparkContext> GUARDED = ConcurrentHashMap.newKeySet();

  private final String lake;
  private final RunLog log;
  private final Duration staleAfter;
  /** The live runs, with when each joined (for the progress lines). */
  private final Map<String, Instant> runs = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private volatile Instant lastBeat = Instant.now();

  private Heartbeat(String lake, RunLog log, RunLog.Timing timing) {
    this.lake = lake;
    this.log = log;
    this.staleAfter = timing.staleAfter();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heartbeat");
      t.setDaemon(true);
      return t;
    });
    long ms = timing.heartbeat().toMillis();
    timer.scheduleWithFixedDelay(this::beat, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Includes the run in its lake's heartbeat, started by the first live run of the lake. */
  static Heartbeat join(RunLog log, String runId, RunLog.Timing timing) {
    guard(log.sparkContext());
    synchronized (BY_LAKE) {
      Heartbeat h = BY_LAKE.computeIfAbsent(log.table(), lake -> new Heartbeat(lake, log, timing));
      h.runs.put(runId, Instant.now());
      return h;
    }
  }

  /** Leaves the heartbeat; the last run to leave stops it, waiting for a beat under way. */
  void leave(String runId) throws InterruptedException {
    boolean last;
    synchronized (BY_LAKE) {
      runs.remove(runId);
      last = runs.isEmpty();
      if (last) {
        BY_LAKE.remove(lake);
        timer.shutdown();
      }
    }
    if (last) {
      timer.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  /** Why the run lost the lake's lock, if it did; it is forgotten here (a run asks once, as it ends). */
  static Optional<String> lost(String runId) {
    return Optional.ofNullable(LOST.remove(runId));
  }

  private void beat() {
    List<String> alive = List.copyOf(runs.keySet());
    if (alive.isEmpty()) {
      return;
    }
    try {
      Set<String> stillRunning = log.heartbeat(alive);
      lastBeat = Instant.now();
      for (String run : alive) {
        Instant joined = runs.get(run);
        if (joined != null) {
          logProgress(run, progress(log.sparkContext(), run, Duration.between(joined, lastBeat)));
        }
      }
      for (String run : alive) {
        if (!stillRunning.contains(run)) {
          stop(run, "its row in ops.job_runs is no longer RUNNING: another process took the lake's lock");
        }
      }
    } catch (RuntimeException e) {
      Duration silent = Duration.between(lastBeat, Instant.now());
      LOG.warn("heartbeat of {} not recorded ({} since the last one): {}", alive, silent, RunLog.describe(e));
      if (silent.compareTo(staleAfter) > 0) {
        alive.forEach(run -> stop(run, "no heartbeat recorded for " + silent.toSeconds() + " s, longer than "
            + "plg360.run-log.stale-after (" + staleAfter + "): another process may have taken the lake's lock"));
      }
    }
  }

  /** A long step says how far it is, once a beat, in the run's own logging context (its JSON lines' run_id). */
  private static void logProgress(String run, String progress) {
    MDC.put(JobRunner.RUN_ID, run);
    try {
      LOG.info("run {}: {}", run, progress);
    } finally {
      MDC.remove(JobRunner.RUN_ID);
    }
  }

  /**
   * How far a run is, from Spark's status tracker: how long it has run, its Spark jobs done and running (those of its
   * job group), and the running stages' tasks.
   */
  static String progress(SparkContext sc, String run, Duration running) {
    SparkStatusTracker tracker = sc.statusTracker();
    int done = 0;
    int active = 0;
    for (int id : tracker.getJobIdsForGroup(run)) {
      Option<SparkJobInfo> job = tracker.getJobInfo(id);
      if (job.isDefined()) {
        if (job.get().status() == JobExecutionStatus.RUNNING) {
          active++;
        } else if (job.get().status() == JobExecutionStatus.SUCCEEDED) {
          done++;
        }
      }
    }
    StringBuilder stages = new StringBuilder();
    if (active > 0) {
      for (int id : tracker.getActiveStageIds()) {
        Option<SparkStageInfo> stage = tracker.getStageInfo(id);
        if (stage.isDefined()) {
          stages.append(stages.length() == 0 ? " (" : ", ").append("stage ").append(id).append(": ")
              .append(stage.get().numCompletedTasks()).append(" of ").append(stage.get().numTasks()).append(" tasks");
        }
      }
      if (stages.length() > 0) {
        stages.append(')');
      }
    }
    long s = running.toSeconds();
    String took = s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s";
    return "running for " + took + ": " + done + " Spark jobs done, " + (active == 0 ? "none" : active) + " running" + stages;
  }

  /** Stops a run that lost the lock: its running Spark jobs are cancelled now, and later ones as they start. */
  private void stop(String run, String why) {
    if (LOST.putIfAbsent(run, why) == null) {
      LOG.error("run {} lost the lake's lock and stops: {}", run, why);
      log.sparkContext().cancelJobGroup(run);
    }
  }

  private static void guard(SparkContext sc) {
    if (GUARDED.add(sc)) {
      sc.addSparkListener(new SparkListener() {
        @Override
        public void onJobStart(SparkListenerJobStart start) {
          String group = start.properties() == null ? null : start.properties().getProperty(JobRunner.JOB_GROUP);
          String why = group == null ? null : LOST.get(group);
          if (why != null) {
            sc.cancelJob(start.jobId(), "run " + group + " lost the lake's lock: " + why);
          }
        }
      });
    }
  }
}
