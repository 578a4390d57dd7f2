package dev.plg360.common.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/**
 * What spark-submit gives a driver (its --conf and spark-defaults.conf, as Spark's properties of the JVM) is kept:
 * plg360's own Spark settings only fill in what is not set, but for what plg360's results depend on.
 */
class SparkConfPrecedenceTest {

  /** The session settings plg360 would build with these Spark properties given to the JVM, as spark-submit does. */
  private static SparkConf submitted(Map<String, String> sparkSubmit, Map<String, String> plg360) {
    Map<String, String> before = new HashMap<>();
    sparkSubmit.keySet().forEach(k -> before.put(k, System.getProperty(k)));
    sparkSubmit.forEach(System::setProperty);
    try {
      return SparkSessions.conf(Settings.defaults().with(plg360));
    } finally {
      before.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }

  @Test
  void sparkSubmitsConfWinsOverPlg360sDefaultsButNotOverWhatResultsDependOn() {
    SparkConf conf = submitted(Map.of("spark.master", "yarn", "spark.sql.shuffle.partitions", "700",
            "spark.sql.adaptive.enabled", "false", "spark.sql.session.timeZone", "America/New_York",
            "spark.sql.extensions", "org.example.PlatformExtension"),
        Map.of("plg360.spark.shuffle-partitions", "200", "plg360.spark.conf.spark.sql.adaptive.enabled", "true",
            "plg360.spark.conf.spark.sql.files.maxPartitionBytes", "64m"));
    assertEquals("yarn", conf.get("spark.master"));
    assertEquals("700", conf.get("spark.sql.shuffle.partitions"), "the platform's tuning is kept");
    assertEquals("false", conf.get("spark.sql.adaptive.enabled"), "over plg360.spark.conf too");
    assertEquals("64m", conf.get("spark.sql.files.maxPartitionBytes"), "what spark-submit did not set, plg360 does");
    assertEquals("UTC", conf.get("spark.sql.session.timeZone"), "every timestamp is computed in UTC, whatever was given");
    assertEquals("org.example.PlatformExtension,io.delta.sql.DeltaSparkSessionExtension", conf.get("spark.sql.extensions"),
        "Delta's extension joins the platform's");
    assertEquals("true", conf.get("spark.ui.enabled"), "Spark's UI on a cluster");
  }

  @Test
  void theUiIsOffOnOneMachineAndAsChosenElsewhere() {
    assertEquals("false", submitted(Map.of(), Map.of("plg360.spark.master", "local[2]")).get("spark.ui.enabled"));
    assertEquals("true", submitted(Map.of(), Map.of("plg360.spark.master", "local[2]", "plg360.spark.ui-enabled", "true"))
        .get("spark.ui.enabled"));
    assertEquals("false", submitted(Map.of("spark.master", "spark://m:7077"), Map.of("plg360.spark.ui-enabled", "false"))
        .get("spark.ui.enabled"));
    assertEquals("true", submitted(Map.of("spark.master", "spark://m:7077", "spark.ui.enabled", "true"),
        Map.of("plg360.spark.ui-enabled", "false")).get("spark.ui.enabled"), "spark-submit's own choice wins");
    SettingsException bad = assertThrows(SettingsException.class,
        () -> SparkSessions.conf(Settings.defaults().with(Map.of("plg360.spark.ui-enabled", "sometimes"))));
    assertEquals("plg360.spark.ui-enabled must be auto, true or false, was sometimes", bad.getMessage());
  }
}
