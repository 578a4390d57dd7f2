package dev.plg360.testkit;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import dev.plg360.common.config.Settings;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.run.JobRunner;
import dev.plg360.common.spark.SparkSessions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import scala.Tuple2;

/**
 * Base class for tests that need Spark: spark-testing-base's DataFrame suite driven from JUnit 5. One
 * SparkSession per test JVM (spark-testing-base keeps its context in a static and this class never stops it):
 * local[2], UI off, two shuffle partitions, Delta on, UTC, the same settings a plg360 session has.
 */
public abstract class SparkTestBase {

  /** spark-testing-base's suite, configured like a plg360 session; its context is static, so one per JVM. */
  private static final class Suite extends JavaDataFrameSuiteBase {
    @Override
    public SparkConf conf() {
      Settings s = Settings.defaults().with(Map.of(
          "plg360.spark.master", "local[2]",
          "plg360.spark.shuffle-partitions", "2",
          "plg360.spark.ui-enabled", "false"));
      SparkConf conf = new SparkConf();
      for (Tuple2<String, String> kv : SparkSessions.conf(s).getAll()) {
        conf.set(kv._1(), kv._2());
      }
      return conf.setMaster("local[2]").setAppName("plg360-tests")
          .set("spark.driver.host", "127.0.0.1")
          .set("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/plg360-test-warehouse")
          .set("spark.databricks.delta.snapshotPartitions", "2");
    }

    @Override
    public boolean enableHiveSupport() {
      return false;
    }
  }

  private static final Suite SUITE = new Suite();

  /** Classes may run side by side (jobs/pom.xml): the first to start makes the one context. */
  @BeforeEach
  public void startSpark() {
    synchronized (SUITE) {
      SUITE.runBefore();
    }
  }

  /**
   * What a test class leaves in the JVM's one session goes when the class ends: Delta keeps every table it opened
   * (its log, its snapshot and the snapshot's state, cached in Spark's memory) for the life of the JVM, and Spark every
   * frame a test cached, so that class after class of lakes in temporary folders would fill the heap.
   */
  @AfterAll
  static void releaseWhatTheClassLeftCached() {
    if (SparkSession.getDefaultSession().isDefined()) {
      DeltaLog.clearCache();
      SparkSession.getDefaultSession().get().catalog().clearCache();
    }
  }

  protected SparkSession spark() {
    return SUITE.spark();
  }

  /** A frame built row by row: each row names its columns (catalog {@code Col}s or names); the others are null. */
  protected FrameBuilder frame(org.apache.spark.sql.types.StructType schema) {
    return new FrameBuilder(spark(), schema);
  }

  /** Same rows and columns in any order, nullability ignored (Delta reads every column back as nullable). */
  protected void assertDataFrameDataEquals(Dataset<Row> expected, Dataset<Row> actual) {
    SUITE.assertDataFrameDataEquals(expected, actual);
  }

  /** Reference settings with the lake (and landing zone) under a test's folder, plus any overrides. */
  protected static Settings settings(Path dir, String... keyValues) {
    Map<String, String> m = new HashMap<>();
    m.put("plg360.lake.root", dir.resolve("lake").toString());
    m.put("plg360.landing.dir", dir.resolve("landing").toString());
    m.put("plg360.spark.shuffle-partitions", "2");
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return Settings.defaults().with(m);
  }

  /** Runs a job as the command line would, inside its run-log record, and returns its context. */
  protected JobContext runJob(Job job, Settings settings, LocalDate asOf) throws Exception {
    return new JobRunner(Clock.systemUTC()).run(job, settings, spark(), asOf);
  }

  protected static LocalDate date(String iso) {
    return LocalDate.parse(iso);
  }

  protected static Instant instant(String iso) {
    return Instant.parse(iso);
  }

  protected static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }
}
