package dev.plg360.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.IngestedFiles;
import dev.plg360.testkit.SparkTestBase;
import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeTest extends SparkTestBase {

  private Dataset<Row> files(Object[]... rows) {
    List<Row> list = java.util.Arrays.stream(rows).map(RowFactory::create).toList();
    return spark().createDataFrame(list, IngestedFiles.TABLE.schema());
  }

  private static Object[] file(String path, long size) {
    Timestamp t = Timestamp.valueOf("2026-05-01 00:00:00");
    return new Object[] {"segment", path, size, t, "abc", 3L, "run-1", t};
  }

  @Test
  void insertNewAddsOnlyUnseenKeysAndReRunCommitsNothing(@TempDir Path dir) {
    Lake lake = new Lake(spark(), dir.toString());
    WriteResult first = lake.insertNew(files(file("a", 1), file("b", 2)), IngestedFiles.TABLE, Optional.empty());
    assertEquals(2, first.inserted());
    WriteResult second = lake.insertNew(files(file("a", 1), file("c", 3)), IngestedFiles.TABLE, Optional.empty());
    assertEquals(1, second.inserted());
    assertEquals(3, lake.read(IngestedFiles.TABLE).count());
    assertEquals(3, spark().sql("SELECT * FROM ops.ingested_files").count(), "registered by name");
  }

  @Test
  void aPartitionedTableIsRewrittenAsOneFilePerPartition(@TempDir Path dir) {
    Lake lake = new Lake(spark(), dir.toString());
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Object[] f = file("f" + i, i);
      f[0] = "source-" + i % 3; // IngestedFiles is partitioned by source
      rows.add(RowFactory.create(f));
    }
    // Four tasks, each holding rows of every source: written as they come, 12 small files.
    Dataset<Row> spread = spark().createDataFrame(rows, IngestedFiles.TABLE.schema()).repartition(4);
    lake.overwrite(spread, IngestedFiles.TABLE);
    assertEquals(12, lake.read(IngestedFiles.TABLE).count());
    assertEquals(3, lake.read(IngestedFiles.TABLE).inputFiles().length, "one file for each of the three sources");
  }

  @Test
  void readsBackWhatItWroteAndTimeTravels(@TempDir Path dir) {
    Lake lake = new Lake(spark(), dir.toString());
    Dataset<Row> first = files(file("a", 1), file("b", 2));
    lake.insertNew(first, IngestedFiles.TABLE, Optional.empty());
    long v1 = lake.version(IngestedFiles.TABLE);
    lake.insertNew(files(file("c", 3)), IngestedFiles.TABLE, Optional.empty());
    assertDataFrameDataEquals(first, lake.readVersion(IngestedFiles.TABLE, v1));
    assertDataFrameDataEquals(files(file("a", 1), file("b", 2), file("c", 3)), lake.read(IngestedFiles.TABLE));
  }

  @Test
  void upsertReplacesExistingKeys(@TempDir Path dir) {
    Lake lake = new Lake(spark(), dir.toString());
    lake.upsert(files(file("a", 1)), IngestedFiles.TABLE);
    WriteResult w = lake.upsert(files(file("a", 1)), IngestedFiles.TABLE);
    assertEquals(1, w.updated());
    assertEquals(1, lake.read(IngestedFiles.TABLE).count());
  }

  @Test
  void syncTouchesOnlyWhatChanged(@TempDir Path dir) {
    Lake lake = new Lake(spark(), dir.toString());
    List<dev.plg360.common.tables.Col> unversioned = List.of(IngestedFiles.RUN_ID);
    WriteResult first = lake.sync(files(file("a", 1), file("b", 2), file("c", 3)), IngestedFiles.TABLE, unversioned);
    assertEquals(3, first.inserted());
    Object[] otherRun = file("a", 1);
    otherRun[6] = "run-2";
    WriteResult same = lake.sync(files(otherRun, file("b", 2), file("c", 3)), IngestedFiles.TABLE, unversioned);
    assertFalse(same.committed(), "a run id alone is not a change: no commit");
    assertEquals(first.version(), lake.version(IngestedFiles.TABLE));

    WriteResult changed = lake.sync(files(file("a", 1), file("b", 20), file("d", 4)), IngestedFiles.TABLE, unversioned);
    assertEquals(List.of(1L, 1L, 1L), List.of(changed.inserted(), changed.updated(), changed.deleted()),
        "d inserted, b updated, c deleted; a untouched");
    assertEquals(List.of("a:1", "b:20", "d:4"), lake.read(IngestedFiles.TABLE).orderBy("path")
        .collectAsList().stream().map(r -> r.getString(1) + ":" + r.getLong(2)).toList());
  }

  @Test
  void writeChecksTheFrameAgainstTheCatalog(@TempDir Path dir) {
    Lake lake = new Lake(spark(), dir.toString());
    Dataset<Row> wrong = files(file("a", 1)).drop(IngestedFiles.CHECKSUM.name());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> lake.insertNew(wrong, IngestedFiles.TABLE, Optional.empty()));
    assertTrue(e.getMessage().contains("missing column checksum"), e.getMessage());
    assertFalse(lake.exists(IngestedFiles.TABLE) && lake.read(IngestedFiles.TABLE).count() > 0);
  }

  @Test
  void columnCommentsComeFromTheCatalog(@TempDir Path dir) {
    Lake lake = new Lake(spark(), dir.toString());
    lake.ensure(IngestedFiles.TABLE);
    List<Row> described = spark().sql("DESCRIBE TABLE ops.ingested_files").collectAsList();
    Row checksum = described.stream().filter(r -> r.getString(0).equals("checksum")).findFirst().orElseThrow();
    assertEquals(IngestedFiles.CHECKSUM.comment(), checksum.getString(2));
  }

  @Test
  void aTableOfAnEarlierCatalogGainsTheNewColumnsAndTheChangeFeed(@TempDir Path dir) {
    Col key = new Col("id", DataTypes.StringType, "Key");
    Col added = new Col("note", DataTypes.StringType, "A column a later catalog adds, it's new");
    TableDef before = TableDef.table("ops", "evolving").columns(key).key(key).build();
    TableDef after = TableDef.table("ops", "evolving").columns(key, added).key(key).changeDataFeed().build();
    new Lake(spark(), dir.toString()).upsert(spark().createDataFrame(List.of(RowFactory.create("a")), before.schema()), before);

    Lake lake = new Lake(spark(), dir.toString());
    Dataset<Row> read = lake.read(after);
    assertEquals(List.of("id", "note"), List.of(read.columns()));
    assertTrue(read.where("id = 'a' AND note IS NULL").count() == 1, "the rows already there hold null");
    assertEquals(added.comment(), read.schema().apply("note").getComment().get());
    long v = lake.version(after);
    lake.upsert(spark().createDataFrame(List.of(RowFactory.create("a", "x")), after.schema()), after);
    assertEquals(List.of("update_preimage", "update_postimage"), lake.changes(after, v + 1, lake.version(after))
        .orderBy("_change_type").select("_change_type").as(Encoders.STRING()).collectAsList().stream().sorted(
            java.util.Comparator.reverseOrder()).toList(), "the change data feed is on from then");
  }

  @Test
  void aNumberColumnTheCatalogNowHoldsAsTextIsRewrittenAsTextKeepingRowsAndPartitions(@TempDir Path dir) {
    Col day = new Col("day", DataTypes.StringType, "Partition");
    Col before = new Col("ticket_id", DataTypes.LongType, "Ticket id");
    Col after = new Col("ticket_id", DataTypes.StringType, "Ticket id, as text");
    TableDef old = TableDef.table("bronze", "retyped").columns(day, before).key(before).partitionBy(day).build();
    TableDef now = TableDef.table("bronze", "retyped").columns(day, after).key(after).partitionBy(day).build();
    new Lake(spark(), dir.toString()).upsert(spark().createDataFrame(List.of(RowFactory.create("d1", 12345L),
        RowFactory.create("d2", 7L)), old.schema()), old);

    Lake lake = new Lake(spark(), dir.toString());
    Dataset<Row> read = lake.read(now);
    assertEquals(DataTypes.StringType, read.schema().apply("ticket_id").dataType());
    assertEquals(after.comment(), read.schema().apply("ticket_id").getComment().get());
    assertEquals(List.of("d1 12345", "d2 7"), read.orderBy("day").selectExpr("concat_ws(' ', day, ticket_id)")
        .as(Encoders.STRING()).collectAsList(), "each number as the text it was");
    Row detail = DeltaTable.forPath(spark(), lake.path(now)).detail().first();
    assertEquals(List.of("day"), detail.<String>getList(detail.fieldIndex("partitionColumns")), "partitioned as before");
    lake.upsert(spark().createDataFrame(List.of(RowFactory.create("d1", "12345"), RowFactory.create("d3", "T-000c31")),
        now.schema()), now);
    assertEquals(List.of("12345", "7", "T-000c31"), lake.read(now).orderBy("ticket_id").select("ticket_id")
        .as(Encoders.STRING()).collectAsList(), "a key written as a number before matches it as text now");
  }

  /** Names from plg360.catalog: a schema per layer, and a catalog for three-part names (here Spark's own, by name). */
  @Test
  void tablesAreRegisteredUnderTheConfiguredNames(@TempDir Path dir) {
    CatalogNames names = CatalogNames.of(dev.plg360.common.config.Settings.defaults().with(java.util.Map.of(
        "plg360.catalog.schemas.ops", "plg360_ops")));
    Lake lake = new Lake(spark(), dir.resolve("a").toString(), names);
    lake.upsert(files(file("a", 1), file("b", 2)), IngestedFiles.TABLE);
    assertEquals(List.of("a", "b"), spark().sql("SELECT path FROM plg360_ops.ingested_files ORDER BY path")
        .as(Encoders.STRING()).collectAsList());
    assertEquals(List.of("plg360_ops.ingested_files"), lake.registerAll());
    assertEquals(List.of("CREATE SCHEMA IF NOT EXISTS plg360_ops;",
        "CREATE TABLE IF NOT EXISTS plg360_ops.ingested_files USING DELTA LOCATION 'file://" + dir.resolve("a/ops/ingested_files") + "';"),
        lake.registrationSql());

    // Three-part names go through SQL alone; registering another lake under the same names moves them there.
    CatalogNames threePart = CatalogNames.of(dev.plg360.common.config.Settings.defaults().with(java.util.Map.of(
        "plg360.catalog.name", "spark_catalog", "plg360.catalog.schemas.ops", "lakehouse_ops")));
    Lake first = new Lake(spark(), dir.resolve("a").toString(), threePart);
    assertEquals(List.of("spark_catalog.lakehouse_ops.ingested_files"), first.registerAll());
    assertEquals(2, spark().table("spark_catalog.lakehouse_ops.ingested_files").count());
    Lake second = new Lake(spark(), dir.resolve("b").toString(), threePart);
    second.upsert(files(file("c", 3)), IngestedFiles.TABLE);
    assertEquals(List.of("c"), spark().sql("SELECT path FROM spark_catalog.lakehouse_ops.ingested_files")
        .as(Encoders.STRING()).collectAsList(), "the name now stands for the second lake's table");
    assertEquals(List.of("spark_catalog.lakehouse_ops.ingested_files"), first.registerAll());
    assertEquals(List.of("a", "b"), spark().sql("SELECT path FROM spark_catalog.lakehouse_ops.ingested_files ORDER BY path")
        .as(Encoders.STRING()).collectAsList(), "and back");
  }

  @Test
  void aCatalogNameThatIsNotAPlainIdentifierFailsNamingItsKey() {
    var defaults = dev.plg360.common.config.Settings.defaults();
    var bad = assertThrows(dev.plg360.common.config.SettingsException.class, () -> CatalogNames.of(
        defaults.with(java.util.Map.of("plg360.catalog.schemas.gold", "gold; DROP TABLE x"))));
    assertTrue(bad.getMessage().startsWith("plg360.catalog.schemas.gold must be a plain name"), bad.getMessage());
    var shared = assertThrows(dev.plg360.common.config.SettingsException.class, () -> CatalogNames.of(
        defaults.with(java.util.Map.of("plg360.catalog.schemas.gold", "silver"))));
    assertTrue(shared.getMessage().startsWith("plg360.catalog.schemas must give each layer a schema of its own"),
        shared.getMessage());
    assertEquals(CatalogNames.DEFAULT, CatalogNames.of(defaults));
  }
}
