package dev.plg360.common.run;

import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.Tables.JobRuns;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Reads and writes ops.job_runs: a row when a run starts, replaced when it ends. */
public final class RunLog {
  public static final String RUNNING = "RUNNING";
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";

  private final Lake lake;

  public RunLog(Lake lake) {
    this.lake = lake;
  }

  public void started(JobContext ctx, String job) {
    write(ctx, job, RUNNING, null, null);
  }

  public void ended(JobContext ctx, String job, Instant endedAt, Throwable error) {
    write(ctx, job, error == null ? SUCCEEDED : FAILED, endedAt, error == null ? null : describe(error));
  }

  private void write(JobContext ctx, String job, String status, Instant endedAt, String error) {
    RunMetrics m = ctx.metrics();
    Row row = RowFactory.create(ctx.runId(), job, Date.valueOf(ctx.asOf()), Timestamp.from(ctx.startedAt()),
        endedAt == null ? null : Timestamp.from(endedAt), status, m.read(), m.written(), m.rejected(),
        m.versions(), m.files(), error);
    Dataset<Row> df = lake.spark().createDataFrame(List.of(row), JobRuns.TABLE.schema());
    lake.upsert(df, JobRuns.TABLE);
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
