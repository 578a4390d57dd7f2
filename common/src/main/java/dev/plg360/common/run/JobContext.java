package dev.plg360.common.run;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;

/**
 * What a job gets: settings, the session, the lake, the as-of date and the run's id and start time. Jobs take
 * time from here, never from the clock, so a re-run computes the same thing.
 */
public record JobContext(Settings settings, SparkSession spark, Lake lake, LocalDate asOf, String runId,
                         Instant startedAt, RunMetrics metrics) {

  public static JobContext create(Settings settings, SparkSession spark, LocalDate asOf, String runId, Instant startedAt) {
    return new JobContext(settings, spark, Lake.of(spark, settings), asOf, runId, startedAt, new RunMetrics());
  }
}
