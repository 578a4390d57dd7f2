package dev.plg360.jobs.activate;

import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.SyncState;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code plg360 activate} (docs/ACTIVATE.md): sends each delivered table's changes since the version the target
 * last committed (its change data feed) to PostgreSQL, and writes Salesforce import files of the changed scores.
 * The version is recorded in ops.sync_state only after the target has committed every change up to it, so a run
 * that dies in between sends those changes again, which the keyed upserts absorb: nothing is lost or doubled.
 */
public final class ActivateJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(ActivateJob.class);

  /** Where a delivery of a table is: a test stops it at one of these, as a crash or an outage would. */
  enum Point { BATCH_COMMITTED, TARGET_COMMITTED }

  /** Told each point as it is passed (with the batch's number, counting from 1; 0 for the target commit). */
  @FunctionalInterface
  interface Checkpoints {
    Checkpoints NONE = (point, table, batch) -> {};

    void reached(Point point, TableDef table, int batch);
  }

  /** What one run did for one table. */
  public record Delivery(TableDef table, String mode, long fromVersion, long toVersion, long upserted, long deleted) {
    public String describe() {
      if (mode.equals("none")) {
        return String.format("%-20s version %d delivered already: nothing sent", table.qualifiedName(), toVersion);
      }
      String versions = mode.equals("full") ? "whole table at version " + toVersion
          : "changes of versions " + fromVersion + " to " + toVersion;
      return String.format("%-20s %,9d upserted %,7d deleted  (%s)", table.qualifiedName(), upserted, deleted, versions);
    }
  }

  private final boolean full;
  private final Checkpoints checkpoints;
  private final List<Delivery> deliveries = new ArrayList<>();

  /** Delivers to plg360.activate.jdbc.url; {@code full}: every row, whatever was delivered before. */
  public ActivateJob(boolean full) {
    this(full, Checkpoints.NONE);
  }

  ActivateJob(boolean full, Checkpoints checkpoints) {
    this.full = full;
    this.checkpoints = checkpoints;
  }

  @Override
  public String name() {
    return "activate";
  }

  /** The tables of the last run, as delivered. */
  public List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  /** The rows each delivered table holds in the target now, by its name there. */
  public static Map<String, Long> targetRows(ActivateSettings s) {
    Map<String, Long> out = new LinkedHashMap<>();
    try (PgTarget target = new PgTarget(s)) {
      for (TableDef t : s.tables()) {
        out.put(PgTarget.table(s, t), target.rows(t));
      }
    }
    return out;
  }

  @Override
  public void run(JobContext ctx) {
    deliveries.clear();
    ActivateSettings s = ActivateSettings.from(ctx.settings());
    s.requireUrl();
    Map<TableDef, Dataset<Row>> sent = new LinkedHashMap<>();
    try (PgTarget target = new PgTarget(s)) {
      for (TableDef t : s.tables()) {
        deliver(ctx, s, target, t, sent);
      }
    } finally {
      sent.values().forEach(Dataset::unpersist);
    }
  }

  private void deliver(JobContext ctx, ActivateSettings s, PgTarget target, TableDef t, Map<TableDef, Dataset<Row>> sent) {
    Lake lake = ctx.lake();
    if (!lake.exists(t)) {
      LOG.info("{} does not exist yet (run score first): nothing to deliver", t);
      return;
    }
    lake.ensure(t);
    long current = lake.version(t);
    String tableId = lake.tableId(t);
    Optional<Row> state = deliveryState(lake, s.target(), t);
    Optional<Long> delivered = state.map(r -> r.getLong(r.fieldIndex(SyncState.DELIVERED_VERSION.name())));
    boolean created = target.prepare(t);
    // Delivered from another table of that name (deleted and made anew since): its versions are another history.
    boolean remade = state.isPresent() && !tableId.equals(state.get().getAs(SyncState.SOURCE_TABLE_ID.name()));
    // Rows delivered masked and rows delivered plain must not meet in one table: a switch of the setting sends all.
    boolean mask = PersonalData.masking(ctx.settings());
    boolean remasked = state.isPresent() && mask != Boolean.TRUE.equals(state.get().getAs(SyncState.MASKED.name()));
    boolean whole = full || created || delivered.isEmpty() || remade || remasked;
    if (!whole && delivered.get() >= current) {
      LOG.info("{}: version {} delivered to {} already; nothing to send", t, current, s.target());
      deliveries.add(new Delivery(t, "none", current, current, 0, 0));
      return;
    }
    Dataset<Row> changes = null;
    if (!whole) {
      changes = feed(lake, t, delivered.get() + 1, current);
      whole = changes == null;
    }
    if (whole) {
      LOG.info("{}: sending the whole table at version {} ({})", t, current, full ? "--full"
          : created ? "the target had no such table" : remade ? "the table was made anew since the last delivery"
          : remasked ? (mask ? "personal data is masked from now on" : "personal data is no longer masked")
          : "never delivered to " + s.target() + " before");
      changes = ChangeSet.whole(lake, t, current).persist(StorageLevel.MEMORY_AND_DISK());
    }
    sent.put(t, changes);
    // The files first: a run that dies after them sends the same changes again, into the next run's folder.
    if (s.crmDir().isPresent() && (t.equals(AccountScores.TABLE) || t.equals(LeadScores.TABLE))) {
      writeCrmFiles(ctx, s.crmDir().get(), t, changes);
    }
    long[] counts = send(ctx, s, target, t, shown(t, changes, mask), current);
    if (whole) {
      counts[1] += target.deleteOthers(t, ctx.runId());
    }
    checkpoints.reached(Point.TARGET_COMMITTED, t, 0);
    recordDelivered(ctx, s.target(), t, tableId, current, whole ? "full" : "changes", counts, mask);
    Delivery d = new Delivery(t, whole ? "full" : "changes", whole ? current : delivered.get() + 1, current, counts[0], counts[1]);
    deliveries.add(d);
    LOG.info("{}", d.describe());
  }

  /**
   * The latest change per key of versions from..to, persisted; null when the feed does not cover them (the feed
   * was turned on later, or its files were vacuumed), and the whole table must go instead.
   */
  private static Dataset<Row> feed(Lake lake, TableDef t, long from, long to) {
    Dataset<Row> changes = ChangeSet.latest(lake.changes(t, from, to), t).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      changes.count();
      return changes;
    } catch (Exception e) {
      // Delta's DELTA_MISSING_CHANGE_DATA (an AnalysisException), a SparkException over the FileNotFoundException of a
      // vacuumed change file, a version whose log is gone: checked exceptions Scala throws undeclared. Whatever the
      // cause, the whole table is a correct delivery, only a larger one.
      changes.unpersist();
      LOG.warn("{}: no change data for versions {} to {} ({}); sending the whole table", t, from, to, e.getMessage());
      return null;
    }
  }

  /** Sends the changes in batches of plg360.activate.jdbc.batch-size, a transaction each. */
  private long[] send(JobContext ctx, ActivateSettings s, PgTarget target, TableDef t, Dataset<Row> changes, long version) {
    long[] total = {0, 0};
    Instant syncedAt = Instant.now();
    int deleteAt = changes.schema().fieldIndex(ChangeSet.DELETE);
    Iterator<Row> it = changes.toLocalIterator();
    List<PgTarget.Change> batch = new ArrayList<>(s.batchSize());
    int batches = 0;
    while (it.hasNext()) {
      Row r = it.next();
      batch.add(new PgTarget.Change(r.getBoolean(deleteAt), r));
      if (batch.size() == s.batchSize() || !it.hasNext()) {
        long[] done = target.apply(t, batch, version, ctx.runId(), syncedAt);
        total[0] += done[0];
        total[1] += done[1];
        checkpoints.reached(Point.BATCH_COMMITTED, t, ++batches);
        batch.clear();
      }
    }
    ctx.metrics().read(t.qualifiedName() + " changes", total[0] + total[1]);
    ctx.metrics().wrote(PgTarget.table(s, t) + " (PostgreSQL)", total[0] + total[1]);
    return total;
  }

  private static Optional<Row> deliveryState(Lake lake, String target, TableDef t) {
    List<Row> rows = lake.read(SyncState.TABLE)
        .where(SyncState.TARGET.col().equalTo(target).and(SyncState.SOURCE_TABLE.col().equalTo(t.qualifiedName())))
        .collectAsList();
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** The changes as the target shows them: personal columns masked when masking is on. */
  private static Dataset<Row> shown(TableDef t, Dataset<Row> changes, boolean mask) {
    return mask ? changes.select(PersonalData.shown(t, List.of(changes.columns()), true).toArray(Column[]::new)) : changes;
  }

  private static void recordDelivered(JobContext ctx, String target, TableDef t, String tableId, long version, String mode,
                                      long[] counts, boolean masked) {
    Row state = RowFactory.create(target, t.qualifiedName(), tableId, version, mode, counts[0], counts[1], ctx.runId(),
        Timestamp.from(Instant.now()), masked);
    Dataset<Row> row = ctx.spark().createDataFrame(List.of(state), SyncState.TABLE.schema());
    ctx.metrics().wrote(ctx.lake().upsert(row, SyncState.TABLE));
  }

  private static void writeCrmFiles(JobContext ctx, String dir, TableDef t, Dataset<Row> changes) {
    Path folder = new Path(ctx.lake().folder(dir), ctx.runId());
    boolean accounts = t.equals(AccountScores.TABLE);
    Map<String, Long> files = CrmFiles.write(accounts ? changes : null, accounts ? null : changes, folder,
        ctx.spark().sparkContext().hadoopConfiguration());
    files.forEach((file, rows) -> {
      ctx.metrics().wrote(folder + "/" + file, rows);
      LOG.info("wrote {} rows to {}/{}", rows, folder, file);
    });
  }
}
