package dev.plg360.common.run;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat of this process's runs on one lake: one write of ops.job_runs every {@code plg360.run-log.heartbeat}
 * says every live run alive, however many are nested (a chain and its step), and only while they are RUNNING, so a
 * late beat never revives a row that ended or was abandoned.
 */
final class Heartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  /** The heartbeat of each lake (by its ops.job_runs path) that has a live run in this process. */
  private static final Map<String, Heartbeat> BY_LAKE = new HashMap<>();

  private final String lake;
  private final RunLog log;
  private final Set<String> runs = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;

  private Heartbeat(String lake, RunLog log, Duration every) {
    this.lake = lake;
    this.log = log;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heartbeat");
      t.setDaemon(true);
      return t;
    });
    long ms = every.toMillis();
    timer.scheduleWithFixedDelay(this::beat, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Includes the run in its lake's heartbeat, started (at {@code every}) by the first live run of the lake. */
  static Heartbeat join(RunLog log, String runId, Duration every) {
    synchronized (BY_LAKE) {
      Heartbeat h = BY_LAKE.computeIfAbsent(log.table(), lake -> new Heartbeat(lake, log, every));
      h.runs.add(runId);
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

  private void beat() {
    List<String> alive = List.copyOf(runs);
    if (alive.isEmpty()) {
      return;
    }
    try {
      log.heartbeat(alive);
    } catch (RuntimeException e) { // a missed beat is not a failed run; the next one tries again
      LOG.warn("heartbeat of {} not recorded: {}", alive, RunLog.describe(e));
    }
  }
}
