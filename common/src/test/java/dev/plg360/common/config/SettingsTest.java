package dev.plg360.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @Test
  void layersOverridesOverFileOverReference(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("local.conf");
    Files.writeString(file, "plg360.lake.root = \"/from/file\"\nplg360.spark.shuffle-partitions = 3\n");
    Settings s = Settings.load(Optional.of(file), Map.of("plg360.spark.shuffle-partitions", "5"));
    assertEquals("/from/file", s.lakeRoot());
    assertEquals(5, s.shufflePartitions());
    assertEquals("local[*]", s.sparkMaster());
  }

  /** The demo lands its company with a mapping plg360 ships: a classpath resource laid over the settings. */
  @Test
  void aShippedLayerGoesOverTheSettingsItIsGiven() {
    Settings s = Settings.load(Optional.empty(), Map.of("plg360.spark.shuffle-partitions", "5", "plg360.lake.root", "/mine"))
        .withResource("plg360/layer-test.conf");
    assertEquals(7, s.shufflePartitions());
    assertEquals("/mine", s.lakeRoot(), "what the layer does not set stays");
    assertEquals("true", s.sparkConf().get("spark.sql.ansi.enabled"), "its Spark keys quoted as every layer's");
    SettingsException misspelt = assertThrows(SettingsException.class, () -> s.withResource("plg360/layer-misspelt.conf"));
    assertTrue(misspelt.getMessage().startsWith("unknown setting plg360.spark.shuffle-partition "), misspelt.getMessage());
    assertThrows(SettingsException.class, () -> s.withResource("plg360/no-such-layer.conf"));
  }

  @Test
  void aListIsGivenOnTheCommandLineInBrackets() {
    Settings s = Settings.load(Optional.empty(), Map.of("plg360.ingest.sources.segment.required", "[message_id, event_ts]",
        "plg360.lake.root", "/lake[1]"));
    assertEquals(List.of("message_id", "event_ts"), s.config().getStringList("plg360.ingest.sources.segment.required"));
    assertEquals("/lake[1]", s.lakeRoot(), "only a whole value in brackets is a list");
  }

  @Test
  void aDurationBelowItsLeastFailsNamingTheKey() {
    Settings s = Settings.load(Optional.empty(), Map.of("plg360.run-log.heartbeat", "0s"));
    SettingsException e = assertThrows(SettingsException.class,
        () -> s.duration("plg360.run-log.heartbeat", java.time.Duration.ofSeconds(1)));
    assertEquals("setting plg360.run-log.heartbeat must be at least 1s, was 0s", e.getMessage());
  }

  @Test
  void misspeltKeyFailsNamingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "plg360.lake.rooot = \"/x\"\n");
    SettingsException e = assertThrows(SettingsException.class, () -> Settings.load(Optional.of(file), Map.of()));
    assertTrue(e.getMessage().contains("plg360.lake.rooot"), e.getMessage());
  }

  @Test
  void wrongTypeFailsNamingTheKey() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> Settings.load(Optional.empty(), Map.of("plg360.spark.shuffle-partitions", "many")).validate());
    assertTrue(e.getMessage().contains("shuffle-partitions"), e.getMessage());
  }

  @Test
  void nonPositiveValueFailsWhenRead() {
    Settings s = Settings.load(Optional.empty(), Map.of("plg360.spark.shuffle-partitions", "0"));
    SettingsException e = assertThrows(SettingsException.class, s::validate);
    assertTrue(e.getMessage().contains("plg360.spark.shuffle-partitions"), e.getMessage());
  }

  @Test
  void missingFileFailsNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("nope.conf");
    SettingsException e = assertThrows(SettingsException.class, () -> Settings.load(Optional.of(missing), Map.of()));
    assertTrue(e.getMessage().contains("nope.conf"), e.getMessage());
  }

  @Test
  void extraSparkSettingsPassThrough() {
    Settings s = Settings.load(Optional.empty(), Map.of("plg360.spark.conf.\"spark.sql.ansi.enabled\"", "false"));
    assertEquals("false", s.sparkConf().get("spark.sql.ansi.enabled"));
  }

  /** reference.conf sets Spark keys quoted; -D, a file or .with() may write them unquoted, and still override them. */
  @Test
  void aSparkSettingWrittenWithoutQuotesOverridesReferenceConf(@TempDir Path dir) throws Exception {
    String spark = "spark.sql.sources.parallelPartitionDiscovery.parallelism";
    String key = "plg360.spark.conf." + spark;
    assertEquals("8", Settings.defaults().sparkConf().get(spark));
    assertEquals("100", Settings.load(Optional.empty(), Map.of(key, "100")).sparkConf().get(spark));
    assertEquals("200", Settings.defaults().with(Map.of(key, "200")).sparkConf().get(spark));
    Path file = dir.resolve("app.conf");
    Files.writeString(file, key + " = 300\n");
    assertEquals("300", Settings.load(Optional.of(file), Map.of()).sparkConf().get(spark));
    assertEquals("400", Settings.load(Optional.of(file), Map.of(key, "400")).sparkConf().get(spark), "-D over the file");
  }
}
