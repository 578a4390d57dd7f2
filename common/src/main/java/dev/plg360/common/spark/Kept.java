package dev.plg360.common.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * The frames a job computes once and reads in several later queries (the identity facts, the workspaces people are
 * resolved against, the day's activity), released together when the job is done with them:
 * {@code try (Kept kept = new Kept()) { Dataset<Row> facts = kept.keep(...); ... }}.
 *
 * <p>Not {@code cache()} in local mode: Spark writes every query's plan out as text for its UI and event log, when the
 * query starts and again at each adaptive re-plan, and a plan over a cached frame prints the cached frame's whole plan
 * beneath it, once per reference; a frame cached from cached frames prints theirs inside its own. resolve's daily run
 * on the 2,000-workspace demo wrote 521 MB of plan text that way (single plans of 40 MB). In local mode (driver and
 * executors are one JVM: there is no executor to lose) a kept frame is computed at once and kept without its lineage
 * ({@code localCheckpoint}); later plans show a scan of it. On a cluster it is persisted with its lineage, so that the
 * blocks of a lost executor are computed again, and computed by the first query that reads it; plans stay long there.
 */
public final class Kept implements AutoCloseable {
  private final List<Dataset<Row>> frames = new ArrayList<>();

  /** The rows, kept until {@link #release} or {@link #close}. */
  public Dataset<Row> keep(Dataset<Row> rows) {
    Dataset<Row> kept = rows.sparkSession().sparkContext().isLocal()
        ? rows.localCheckpoint(true)
        : rows.persist(StorageLevel.MEMORY_AND_DISK());
    frames.add(kept);
    return kept;
  }

  /** Frees one kept frame before the others. */
  public void release(Dataset<Row> kept) {
    if (frames.remove(kept)) {
      free(kept);
    }
  }

  /** Frees every frame still kept. */
  @Override
  public void close() {
    frames.forEach(Kept::free);
    frames.clear();
  }

  private static void free(Dataset<Row> kept) {
    LogicalPlan plan = kept.queryExecution().analyzed();
    if (plan instanceof LogicalRDD checkpointed) {
      checkpointed.rdd().unpersist(false);
    } else {
      kept.unpersist();
    }
  }
}
