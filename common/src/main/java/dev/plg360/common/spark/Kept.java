package dev.plg360.common.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames a job computes once and reads in several later queries (the identity facts, the workspaces people are
 * resolved against, the day's activity), released together when the job is done with them:
 * {@code try (Kept kept = new Kept()) { Dataset<Row> facts = kept.keep(...); ... }}.
 *
 * <p>A kept frame is computed at once and kept without its lineage: later plans show a scan of it, not the plan that
 * made it. Kept with its lineage ({@code cache()}), every plan over it would carry the whole plan beneath, once per
 * reference, and a frame kept from kept frames theirs inside its own: resolve's plans grew to megabytes, and Spark
 * analyses, optimises and prints each one, on the driver, at every query that reads it. Where driver and executors
 * are one JVM (local mode: no executor to lose) the rows are kept in memory and on local disk
 * ({@code localCheckpoint}). On a cluster they are written under the Spark context's checkpoint folder
 * ({@link #checkpointUnder}: the lake's {@code _checkpoints}, unless spark-submit set one), from where any executor
 * reads them again after another was lost, and deleted when released; with no such folder (code run outside a job)
 * they are cached with their lineage.
 */
public final class Kept implements AutoCloseable {
  /** The folder under the lake root that kept frames of jobs on a cluster are written to. */
  public static final String CHECKPOINTS = "_checkpoints";
  private static final Logger LOG = LoggerFactory.getLogger(Kept.class);
  /** Kept frames of this JVM written to a checkpoint folder and not released yet (jobs may run side by side). */
  private static final AtomicInteger WRITTEN = new AtomicInteger();

  private final List<Dataset<Row>> frames = new ArrayList<>();

  /** The rows, kept until {@link #release} or {@link #close}. */
  public Dataset<Row> keep(Dataset<Row> rows) {
    SparkContext sc = rows.sparkSession().sparkContext();
    Dataset<Row> kept;
    if (sc.isLocal()) {
      kept = rows.localCheckpoint(true);
    } else if (sc.getCheckpointDir().isDefined()) {
      kept = rows.checkpoint(true);
      WRITTEN.incrementAndGet();
    } else {
      kept = rows.persist(StorageLevel.MEMORY_AND_DISK());
    }
    frames.add(kept);
    return kept;
  }

  /**
   * Where a job on a cluster writes its kept frames: the session's checkpoint folder if spark-submit's application set
   * one, else {@code <lake root>/_checkpoints} (shared storage every executor reads; no table lives under a folder
   * whose name starts with an underscore). Local mode needs none.
   */
  public static void checkpointUnder(SparkContext sc, String lakeRoot) {
    if (!sc.isLocal() && sc.getCheckpointDir().isEmpty()) {
      sc.setCheckpointDir(lakeRoot + "/" + CHECKPOINTS);
    }
  }

  /**
   * Deletes the folder this application's kept frames were written to, if {@link #checkpointUnder} chose it under
   * this lake, once no frame of this JVM is kept there: at the end of each job, whether it succeeded or failed. A
   * folder that cannot be deleted is logged, not thrown: it would hide why the job failed.
   */
  public static void deleteCheckpoints(SparkContext sc, String lakeRoot) {
    if (sc.getCheckpointDir().isEmpty() || WRITTEN.get() > 0) {
      return;
    }
    Path own = new Path(sc.getCheckpointDir().get());
    try {
      FileSystem fs = own.getFileSystem(sc.hadoopConfiguration());
      if (own.getParent().equals(fs.makeQualified(new Path(lakeRoot, CHECKPOINTS)))) {
        fs.delete(own, true);
      }
    } catch (IOException e) {
      // A job's result does not depend on it; maintain deletes what is left.
      LOG.warn("cannot delete {}: {}", own, e.getMessage());
    }
  }

  /**
   * Deletes what other applications' jobs left under the lake's checkpoint folder, and returns how many folders it
   * deleted: the frames of a run killed before it could release them. Only while no other run is alive on the lake
   * (plg360 maintain, which holds the lake's lock).
   */
  public static int deleteLeftCheckpoints(SparkContext sc, String lakeRoot) {
    Path folder = new Path(lakeRoot, CHECKPOINTS);
    String own = sc.getCheckpointDir().isDefined() ? new Path(sc.getCheckpointDir().get()).getName() : "";
    try {
      FileSystem fs = folder.getFileSystem(sc.hadoopConfiguration());
      if (!fs.exists(folder)) {
        return 0;
      }
      int deleted = 0;
      for (FileStatus left : fs.listStatus(folder)) {
        if (!left.getPath().getName().equals(own)) {
          delete(left.getPath(), sc);
          deleted++;
        }
      }
      return deleted;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
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
      RDD<InternalRow> rdd = checkpointed.rdd();
      rdd.unpersist(false);
      if (rdd.getCheckpointFile().isDefined()) {
        // Counted out first: rows that cannot be deleted must not keep the folder from ever being deleted.
        WRITTEN.decrementAndGet();
        delete(new Path(rdd.getCheckpointFile().get()), rdd.context());
      }
    } else {
      kept.unpersist();
    }
  }

  private static void delete(Path files, SparkContext sc) {
    try {
      files.getFileSystem(sc.hadoopConfiguration()).delete(files, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the kept rows at " + files, e);
    }
  }
}
