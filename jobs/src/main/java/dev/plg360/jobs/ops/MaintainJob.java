package dev.plg360.jobs.ops;

import dev.plg360.common.io.FileChanges;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.spark.Kept;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code plg360 maintain}: for each catalog table that exists in the lake (or each one asked for), compacts its small
 * files into large ones (Delta's OPTIMIZE), sorted along the catalog's Z-order columns where it names some, then deletes
 * the files that no version within plg360.maintain.vacuum-retention needs (VACUUM). Rows never change. Writes no table
 * of its own: ops.job_runs records, per table, the files each step added, removed and deleted ({@code files}) and the
 * versions it committed. A re-run with nothing written in between rewrites nothing.
 */
public final class MaintainJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(MaintainJob.class);

  private final List<TableDef> tables;
  private final boolean optimize;
  private final boolean vacuum;
  private final List<String> done = new ArrayList<>();

  /** Maintains these tables (those that exist): OPTIMIZE them when {@code optimize}, then VACUUM them when {@code vacuum}. */
  public MaintainJob(List<TableDef> tables, boolean optimize, boolean vacuum) {
    this.tables = List.copyOf(tables);
    this.optimize = optimize;
    this.vacuum = vacuum;
  }

  @Override
  public String name() {
    return "maintain";
  }

  @Override
  public void run(JobContext ctx) {
    MaintainSettings s = MaintainSettings.from(ctx.settings());
    for (TableDef t : tables) {
      if (!ctx.lake().exists(t)) {
        continue;
      }
      long started = System.nanoTime();
      List<String> what = new ArrayList<>();
      if (optimize) {
        what.add(optimize(ctx, t, s));
      }
      if (vacuum) {
        what.add(vacuum(ctx, t, s));
      }
      String line = t + ": " + String.join("; ", what);
      done.add(line);
      LOG.info("run {}: {} ({} s)", ctx.runId(), line, (System.nanoTime() - started) / 1_000_000_000);
    }
    if (vacuum) {
      // No other run is alive while this one holds the lake: what they kept and did not release was a killed run's.
      int left = Kept.deleteLeftCheckpoints(ctx.spark().sparkContext(), ctx.lake().root());
      if (left > 0) {
        done.add(Kept.CHECKPOINTS + ": deleted the kept rows of " + left + " runs that were killed");
      }
    }
  }

  /** One line per table maintained: what each step did. */
  public List<String> done() {
    return List.copyOf(done);
  }

  /**
   * Z-orders the table if it names Z-order columns and rows were written since its last Z-order (only its recent
   * partitions, when it is partitioned by a date), and compacts the rest.
   */
  private String optimize(JobContext ctx, TableDef t, MaintainSettings s) {
    Lake lake = ctx.lake();
    if (t.zorderBy().isEmpty()) {
      return "compacted " + optimized(ctx, t, lake.optimize(t, Optional.empty(), false));
    }
    if (lake.zorderedSinceLastWrite(t)) {
      return "nothing written since its last Z-order";
    }
    Optional<String> recent = recentPartitions(t, ctx.asOf(), s.zorderRecentDays());
    String zordered = "Z-ordered by " + t.zorderBy() + recent.map(p -> " where " + p).orElse("") + ": "
        + optimized(ctx, t, lake.optimize(t, recent, true));
    if (recent.isEmpty()) {
      return zordered;
    }
    Optional<String> older = Optional.of(olderPartitions(t, ctx.asOf(), s.zorderRecentDays()));
    return zordered + "; older partitions compacted: " + optimized(ctx, t, lake.optimize(t, older, false));
  }

  /** Records an OPTIMIZE in ops.job_runs ({@code <table>:optimize_removed}, {@code _added}, the version) and says it. */
  private static String optimized(JobContext ctx, TableDef t, FileChanges c) {
    long removed = c.removed().orElse(0);
    ctx.metrics().files(t.qualifiedName() + ":optimize_removed", removed);
    ctx.metrics().files(t.qualifiedName() + ":optimize_added", c.added());
    committed(ctx, c);
    return removed + " files into " + c.added();
  }

  private String vacuum(JobContext ctx, TableDef t, MaintainSettings s) {
    FileChanges c = ctx.lake().vacuum(t, s.vacuumRetention());
    c.removed().ifPresent(n -> ctx.metrics().files(t.qualifiedName() + ":vacuum_deleted", n));
    committed(ctx, c);
    String deleted = c.removed().isPresent() ? c.removed().getAsLong() + " files deleted"
        : "Delta did not log the files deleted (spark.databricks.delta.vacuum.logging.enabled)";
    return "vacuumed, retention " + s.vacuumRetention().toHours() + "h: " + deleted;
  }

  private static void committed(JobContext ctx, FileChanges c) {
    if (c.write().committed()) {
      ctx.metrics().wrote(c.write());
    }
  }

  /**
   * The partitions Z-ordered in a run as of a date, as SQL over the partition column: those of the last {@code days}
   * days up to it, and any later. Empty for a table not partitioned by one date column: all of it is Z-ordered.
   */
  static Optional<String> recentPartitions(TableDef t, LocalDate asOf, int days) {
    return dateColumn(t).map(c -> "`" + c.name() + "` >= DATE'" + asOf.minusDays(days - 1L) + "'");
  }

  /** The other partitions: older, or of no date. */
  static String olderPartitions(TableDef t, LocalDate asOf, int days) {
    Col c = dateColumn(t).orElseThrow();
    return "`" + c.name() + "` < DATE'" + asOf.minusDays(days - 1L) + "' OR `" + c.name() + "` IS NULL";
  }

  private static Optional<Col> dateColumn(TableDef t) {
    return t.partitionBy().size() == 1 && t.partitionBy().get(0).type().equals(DataTypes.DateType)
        ? Optional.of(t.partitionBy().get(0)) : Optional.empty();
  }
}
