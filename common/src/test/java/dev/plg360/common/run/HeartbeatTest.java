package dev.plg360.common.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plg360.testkit.SparkTestBase;
import java.time.Duration;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** The progress line a long step logs at each beat: its time, and its own Spark jobs (by job group) only. */
class HeartbeatTest extends SparkTestBase {

  @Test
  void progressCountsTheSparkJobsOfTheRunsGroup() throws Exception {
    startSpark();
    SparkContext sc = spark().sparkContext();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    sc.setLocalProperty(JobRunner.JOB_GROUP, "progress-test");
    try {
      jsc.parallelize(List.of(1, 2, 3), 2).count();
      jsc.parallelize(List.of(4, 5), 1).collect();
    } finally {
      sc.setLocalProperty(JobRunner.JOB_GROUP, null);
    }
    jsc.parallelize(List.of(6), 1).count(); // another group's job is not this run's
    sc.listenerBus().waitUntilEmpty();
    assertEquals("running for 1 min 15 s: 2 Spark jobs done, none running",
        Heartbeat.progress(sc, "progress-test", Duration.ofSeconds(75)));
    assertEquals("running for 9 s: 0 Spark jobs done, none running",
        Heartbeat.progress(sc, "no-such-run", Duration.ofSeconds(9)));
  }
}
