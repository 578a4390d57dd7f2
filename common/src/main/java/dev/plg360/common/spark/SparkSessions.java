package dev.plg360.common.spark;

import dev.plg360.common.config.Settings;
import dev.plg360.common.privacy.PersonalData;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Option;
import scala.Tuple2;

/**
 * The one place that builds a SparkSession.
 *
 * <p>A master given by spark-submit ({@code spark.master} already set) wins; otherwise the configured master
 * (default {@code local[*]}, the embedded default) is used. Delta's extensions and catalog are always on, and
 * the session time zone is UTC so that every timestamp is read, computed and written in UTC. MLlib's linear algebra
 * runs in Java, not in a native BLAS the machine may have, so that the same training rows give the same model.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * The system property naming the native BLAS library MLlib's linear algebra (dev.ludovic.netlib) loads, by default
   * {@code libblas.so.3}. A library that cannot be loaded makes it use its Java implementation.
   */
  public static final String NATIVE_BLAS = "dev.ludovic.netlib.blas.nativeLib";
  /** What plg360 sets it to, unless it was set: a library that does not exist. */
  public static final String NO_NATIVE_BLAS = "plg360-java-blas-only";

  /**
   * The session a command runs in. When this JVM has a session already (a command run in-process, as the tests and a
   * notebook's JVM do), the command gets a session of its own on the same Spark context and catalog: its SQL settings
   * (shuffle partitions, adaptive execution, ...) apply to it alone, where {@code getOrCreate} would set them on the
   * running session for everyone after it. Settings of the context itself (master, UI) cannot change once it runs.
   */
  public static SparkSession create(Settings settings) {
    SparkConf conf = conf(settings);
    Option<SparkSession> running = SparkSession.getActiveSession().orElse(SparkSession::getDefaultSession);
    if (running.isEmpty()) {
      return SparkSession.builder().config(conf).getOrCreate();
    }
    SparkSession own = running.get().newSession();
    for (Tuple2<String, String> kv : conf.getAll()) {
      if (own.conf().isModifiable(kv._1())) {
        own.conf().set(kv._1(), kv._2());
      }
    }
    SparkSession.setActiveSession(own);
    return own;
  }

  /**
   * A session whose catalog is a Hive metastore (spark-hive must be on the classpath), with further settings (the
   * metastore's location, a Thrift server's port): for serving the lake's tables by name across processes.
   */
  public static SparkSession createWithHiveMetastore(Settings settings, Map<String, String> extra) {
    SparkConf conf = conf(settings);
    extra.forEach(conf::set);
    return SparkSession.builder().config(conf).enableHiveSupport().getOrCreate();
  }

  private static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";

  /**
   * What plg360's results depend on, set whatever was given: Delta's catalog, every timestamp in UTC, a text that does
   * not parse as a timestamp a null to quarantine (never an exception that stops the run), no schema merged by
   * accident, and VACUUM's retention check.
   */
  static final Map<String, String> REQUIRED = Map.of(
      "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog",
      "spark.sql.session.timeZone", "UTC",
      "spark.sql.legacy.timeParserPolicy", "CORRECTED",
      "spark.databricks.delta.schema.autoMerge.enabled", "false",
      "spark.databricks.delta.retentionDurationCheck.enabled", "true");

  /**
   * The settings every plg360 session carries, also used by the test session. What spark-submit gave (its
   * {@code --conf}, spark-defaults.conf: Spark's own properties of this JVM) is kept: plg360's tuning (shuffle
   * partitions, the UI, adaptive execution, {@code plg360.spark.conf}) only fills in what is not set. Only what
   * plg360's results depend on is always set ({@link #REQUIRED}); Delta's extension joins any the platform has.
   */
  public static SparkConf conf(Settings settings) {
    SparkConf conf = new SparkConf();
    String master = conf.get("spark.master", settings.sparkMaster());
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("spark.master", master);
    defaults.put("spark.app.name", settings.appName());
    defaults.put("spark.sql.shuffle.partitions", String.valueOf(settings.shufflePartitions()));
    // Spark's UI on a cluster, where the history server and the platform expect it; off on one machine (the demo).
    defaults.put("spark.ui.enabled", String.valueOf(settings.uiEnabled().orElse(!master.startsWith("local"))));
    defaults.put("spark.ui.showConsoleProgress", "false");
    defaults.put("spark.sql.adaptive.enabled", "true");
    // Few, large files: Delta's optimized writes are off in OSS, so coalesce after shuffles instead.
    defaults.put("spark.sql.adaptive.coalescePartitions.enabled", "true");
    defaults.putAll(settings.sparkConf());
    defaults.forEach(conf::setIfMissing);
    REQUIRED.forEach(conf::set);
    String extensions = conf.get("spark.sql.extensions", "");
    if (!Arrays.asList(extensions.split(",")).contains(DELTA_EXTENSION)) {
      conf.set("spark.sql.extensions", extensions.isBlank() ? DELTA_EXTENSION : extensions + "," + DELTA_EXTENSION);
    }
    javaBlasUnlessChosen(conf);
    String maskSecret = System.getenv(PersonalData.SECRET_ENV);
    if (maskSecret != null && settings.config().getBoolean(PersonalData.SETTING)) {
      // Executors on a cluster evaluate the mask too; Spark redacts settings named *secret* in its UI and logs.
      conf.setExecutorEnv(PersonalData.SECRET_ENV, maskSecret);
    }
    return conf;
  }

  /**
   * A native BLAS (Debian's OpenBLAS comes with numpy) sums in an order that depends on its threads and on where the
   * arrays lie in memory: fitting the same training rows four times in one JVM gave four sets of coefficients,
   * agreeing to 11 to 15 digits. The Java BLAS sums in one order, so the same rows give the same model bit for bit,
   * on the driver and (by their Java options) on the executors. It is what MLlib uses on a machine without a native
   * library anyway. A {@code -Ddev.ludovic.netlib.blas.nativeLib=...} given to the JVM, or in
   * spark.executor.extraJavaOptions, wins.
   */
  private static void javaBlasUnlessChosen(SparkConf conf) {
    if (System.getProperty(NATIVE_BLAS) == null) {
      System.setProperty(NATIVE_BLAS, NO_NATIVE_BLAS);
    }
    String executorOptions = conf.get("spark.executor.extraJavaOptions", "");
    if (!executorOptions.contains(NATIVE_BLAS)) {
      conf.set("spark.executor.extraJavaOptions",
          (executorOptions + " -D" + NATIVE_BLAS + "=" + System.getProperty(NATIVE_BLAS)).strip());
    }
  }
}
