package dev.plg360.jobs.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.jobs.activate.ActivateSettings;
import dev.plg360.jobs.c360.Build360Job;
import dev.plg360.jobs.model.TrainJob;
import dev.plg360.jobs.model.TrainingException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code plg360 run}: the chain ingest, resolve, build360, train, score, activate, report as of one date, each step
 * a job with its own row in ops.job_runs and this run a row of its own (job {@code run}). It stops at the first step
 * that fails, and its row says which. Run again for the same date after a failure, it resumes: steps that succeeded
 * since the failed run started are not run again. Train runs on its cadence ({@code plg360.run.train-every}) or when
 * asked; when it was due and learned nothing (too little history), the steps after it still run and the run fails.
 * Before the day's snapshots, the snapshots of earlier days whose product data changed since they were built
 * (late events) are rebuilt, oldest first.
 */
public final class RunJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(RunJob.class);
  public static final String NAME = "run";

  /** What became of a step of a run. */
  public enum Outcome { SUCCEEDED, SKIPPED, NO_MODEL, FAILED }

  /** A step as it ended: the job (holding what it did), its run's context when it ran, and why not when it did not. */
  public record Step(Job job, LocalDate asOf, Outcome outcome, String detail, Optional<JobContext> ran, double seconds) {
    public String name() {
      return job.name();
    }
  }

  private final Optional<String> from;
  private final Optional<String> to;
  private final boolean train;
  private final Clock clock;
  private final List<Step> steps = new ArrayList<>();
  private Consumer<Step> listener = step -> {};
  private boolean modelRequired = true;

  public RunJob(Optional<String> from, Optional<String> to, boolean train, Clock clock) {
    this.from = from;
    this.to = to;
    this.train = train;
    this.clock = clock;
  }

  /**
   * A train that learns nothing (too little history) does not fail the run: for the demo, which shows a young
   * company's chain without a model. Otherwise a run in which train was due and trained no model ends FAILED, after
   * the steps that follow train have run.
   */
  public RunJob modelNotRequired() {
    this.modelRequired = false;
    return this;
  }

  /** Is told of each step as it ends (the demo prints it at once). */
  public RunJob onStep(Consumer<Step> listener) {
    this.listener = listener;
    return this;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The steps of the last run, in order. */
  public List<Step> steps() {
    return List.copyOf(steps);
  }

  /** The steps between --from and --to, checked with the settings before Spark starts. */
  public List<Job> plan(Settings settings) {
    RunSettings s = RunSettings.from(settings);
    List<Job> all = Chain.steps();
    int first = from.map(f -> Chain.step(f, "--from")).orElse(0);
    int last = to.map(t -> Chain.step(t, "--to")).orElse(all.size() - 1);
    if (first > last) {
      throw new SettingsException("--from " + Chain.NAMES.get(first) + " comes after --to " + Chain.NAMES.get(last)
          + " in the chain " + String.join(", ", Chain.NAMES));
    }
    List<Job> planned = all.subList(first, last + 1);
    if (planned.stream().anyMatch(j -> j.name().equals("activate")) && !s.skip().contains("activate")
        && ActivateSettings.from(settings).url().isEmpty()) {
      throw new SettingsException(ActivateSettings.URL_KEY + " is empty: set it (or PLG360_JDBC_URL) to the PostgreSQL "
          + "that activate delivers to, or leave activate out of the chain with plg360.run.skip = [activate]");
    }
    return planned;
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    steps.clear();
    RunSettings s = RunSettings.from(ctx.settings());
    List<Job> planned = plan(ctx.settings());
    Set<String> done = from.isPresent() ? Set.of() : doneSinceFailure(ctx);
    JobRunner runner = new JobRunner(clock);
    for (Job step : planned) {
      String name = step.name();
      if (s.skip().contains(name)) {
        skipped(step, ctx.asOf(), "left out (plg360.run.skip)");
      } else if (done.contains(name)) {
        skipped(step, ctx.asOf(), "done: succeeded for this date since the run that failed");
      } else if (step instanceof TrainJob && !train && !trainDue(ctx.lake(), ctx.asOf(), s.trainEvery())) {
        skipped(step, ctx.asOf(), "not due: the newest model is less than " + days(s.trainEvery()) + " old (plg360.run.train-every)");
      } else {
        if (step instanceof Build360Job) {
          for (LocalDate day : staleSnapshots(ctx.lake(), ctx.asOf(), s.lateDataDays())) {
            runStep(runner, new Build360Job(), ctx, day);
          }
        }
        runStep(runner, step, ctx, ctx.asOf());
      }
    }
    Optional<Step> noModel = steps.stream().filter(st -> st.outcome() == Outcome.NO_MODEL).findFirst();
    if (noModel.isPresent() && modelRequired) {
      // The steps after train have run (score with the model there was): the run still says train failed, so that
      // a scheduler alerts, and a re-run of the day tries train again.
      throw new StepFailedException("train was due as of " + ctx.asOf() + " and trained no model: "
          + noModel.get().detail() + " (the other steps ran; to leave train out until there is enough history: "
          + "plg360.run.skip = [train])", null);
    }
  }

  private void runStep(JobRunner runner, Job step, JobContext ctx, LocalDate day) throws Exception {
    Instant started = clock.instant();
    try {
      JobContext ran = runner.run(step, ctx.settings(), ctx.spark(), day);
      ctx.metrics().add(ran.metrics());
      ended(new Step(step, day, Outcome.SUCCEEDED, "", Optional.of(ran), seconds(started)));
    } catch (TrainingException e) {
      // Too little history to learn from (a young product): the scores go on without a model, as the run log says.
      LOG.warn("run {}: no model as of {}: {}", ctx.runId(), day, e.getMessage());
      ended(new Step(step, day, Outcome.NO_MODEL, e.getMessage(), Optional.empty(), seconds(started)));
    } catch (Exception e) {
      ended(new Step(step, day, Outcome.FAILED, RunLog.describe(e), Optional.empty(), seconds(started)));
      throw new StepFailedException(step.name() + " failed as of " + day, e);
    }
  }

  private void skipped(Job step, LocalDate day, String why) {
    LOG.info("{}: skipped as of {}: {}", step.name(), day, why);
    ended(new Step(step, day, Outcome.SKIPPED, why, Optional.empty(), 0));
  }

  private void ended(Step step) {
    steps.add(step);
    listener.accept(step);
  }

  private double seconds(Instant started) {
    return Duration.between(started, clock.instant()).toMillis() / 1000.0;
  }

  /**
   * When the newest run of the chain for this date before this one failed (or was killed), the steps that have
   * succeeded for the date since it started: a re-run goes on from where it stopped. After a run that succeeded,
   * nothing is done yet: a second run runs every step again, which changes nothing.
   */
  static Set<String> doneSinceFailure(JobContext ctx) {
    Lake lake = ctx.lake();
    List<Row> earlier = lake.read(JobRuns.TABLE)
        .where(JobRuns.JOB.col().equalTo(NAME).and(JobRuns.AS_OF.col().equalTo(Date.valueOf(ctx.asOf())))
            .and(JobRuns.RUN_ID.col().notEqual(ctx.runId())))
        .orderBy(JobRuns.STARTED_AT.col().desc()).limit(1).collectAsList();
    if (earlier.isEmpty() || !RunLog.FAILED.equals(earlier.get(0).getAs(JobRuns.STATUS.name()))) {
      return Set.of();
    }
    Timestamp since = earlier.get(0).getAs(JobRuns.STARTED_AT.name());
    Set<String> done = new HashSet<>();
    for (Row r : lake.read(JobRuns.TABLE).where(JobRuns.AS_OF.col().equalTo(Date.valueOf(ctx.asOf()))
        .and(JobRuns.STATUS.col().equalTo(RunLog.SUCCEEDED)).and(JobRuns.STARTED_AT.col().geq(since))
        .and(JobRuns.JOB.col().isin(Chain.NAMES.toArray()))).select(JobRuns.JOB.col()).distinct().collectAsList()) {
      done.add(r.getString(0));
    }
    LOG.info("resuming after run {} (failed: {}): already done {}", earlier.get(0).getAs(JobRuns.RUN_ID.name()),
        earlier.get(0).getAs(JobRuns.ERROR.name()), done);
    return done;
  }

  /** No model version yet, or the newest was trained as of {@code every} before the date or earlier. */
  static boolean trainDue(Lake lake, LocalDate asOf, Duration every) {
    if (every.isZero() || !lake.exists(Versions.TABLE)) {
      return true;
    }
    Row newest = lake.read(Versions.TABLE).agg(max(Versions.AS_OF.col())).first();
    return newest.isNullAt(0) || !newest.getDate(0).toLocalDate().plusDays(every.toDays()).isAfter(asOf);
  }

  /**
   * The days before the as-of date, within {@code lateDays}, whose snapshot was built before product data of that
   * day or an earlier one in the window changed (events that arrived late): oldest first.
   */
  static List<LocalDate> staleSnapshots(Lake lake, LocalDate asOf, int lateDays) {
    if (lateDays == 0 || !lake.exists(ProductDaily.TABLE) || !lake.exists(JobRuns.TABLE)) {
      return List.of();
    }
    Date lo = Date.valueOf(asOf.minusDays(lateDays));
    Date hi = Date.valueOf(asOf.minusDays(1));
    Map<LocalDate, Timestamp> built = new TreeMap<>();
    for (Row r : lake.read(JobRuns.TABLE).where(JobRuns.JOB.col().equalTo("build360")
            .and(JobRuns.STATUS.col().equalTo(RunLog.SUCCEEDED)).and(JobRuns.AS_OF.col().between(lo, hi)))
        .groupBy(JobRuns.AS_OF.col()).agg(max(JobRuns.STARTED_AT.col())).collectAsList()) {
      built.put(r.getDate(0).toLocalDate(), r.getTimestamp(1));
    }
    if (built.isEmpty()) {
      return List.of();
    }
    Map<LocalDate, Timestamp> changed = new TreeMap<>();
    for (Row r : lake.read(ProductDaily.TABLE).where(ProductDaily.EVENT_DATE.col().between(lo, hi))
        .groupBy(ProductDaily.EVENT_DATE.col()).agg(max(col(ProductDaily.SOURCE_INGESTED_AT.name()))).collectAsList()) {
      changed.put(r.getDate(0).toLocalDate(), r.getTimestamp(1));
    }
    List<LocalDate> stale = new ArrayList<>();
    Timestamp newestChange = null;
    for (LocalDate day = lo.toLocalDate(); !day.isAfter(hi.toLocalDate()); day = day.plusDays(1)) {
      Timestamp c = changed.get(day);
      if (c != null && (newestChange == null || c.after(newestChange))) {
        newestChange = c;
      }
      Timestamp b = built.get(day);
      if (b != null && newestChange != null && newestChange.after(b)) {
        stale.add(day);
      }
    }
    if (!stale.isEmpty()) {
      LOG.info("late product data: the snapshots of {} are rebuilt", stale);
    }
    return stale;
  }

  private static String days(Duration d) {
    return d.toDays() + (d.toDays() == 1 ? " day" : " days");
  }

  /** A step of the chain failed: the run stops there. */
  public static final class StepFailedException extends Exception {
    StepFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
