package dev.plg360.jobs.ops;

import dev.plg360.common.io.Lake;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.jobs.c360.Build360Job;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code plg360 backfill}: rebuilds the customer-360 snapshots (build360) of every day of a date range, oldest first,
 * each a build360 run of its own in ops.job_runs. A snapshot reads only data up to the end of its day and the
 * identity graph as it stood then, so each equals what the daily run of that day wrote, or would have written with
 * the data that has arrived since. Its own row's as-of date is the range's last day.
 */
public final class BackfillJob implements Job {
  public static final String NAME = "backfill";

  private final LocalDate from;
  private final Clock clock;
  private final List<LocalDate> built = new ArrayList<>();

  /** The range ends at the run's as-of date. */
  public BackfillJob(LocalDate from, Clock clock) {
    this.from = from;
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The days whose snapshots the last run built. */
  public List<LocalDate> built() {
    return List.copyOf(built);
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    built.clear();
    Lake lake = ctx.lake();
    if (!lake.exists(ProductDaily.TABLE)) {
      throw new IllegalStateException(ProductDaily.TABLE + " does not exist: land and resolve the history first "
          + "(plg360 run --as-of " + ctx.asOf() + " --to resolve)");
    }
    JobRunner runner = new JobRunner(clock);
    for (LocalDate day = from; !day.isAfter(ctx.asOf()); day = day.plusDays(1)) {
      ctx.metrics().add(runner.run(new Build360Job(), ctx.settings(), ctx.spark(), day).metrics());
      built.add(day);
    }
  }
}
