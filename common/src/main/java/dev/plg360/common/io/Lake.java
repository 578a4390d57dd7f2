package dev.plg360.common.io;

import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import dev.plg360.common.config.Settings;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.spark.Kept;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import io.delta.tables.DeltaOptimizeBuilder;
import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The one place that reads and writes Delta tables. Tables live under {@code <lake.root>/<layer>/<name>} and
 * are registered by name in the session catalog on first use, so Spark SQL can query {@code bronze.x}.
 * Every write checks the frame against the catalog's schema first.
 */
public final class Lake {
  private static final Logger LOG = LoggerFactory.getLogger(Lake.class);
  /**
   * Held while a name is checked and (re)registered in the session catalog, which every session of the JVM shares:
   * two jobs of one JVM registering the same name for different lakes (a notebook, serve-sql beside a run, concurrent
   * tests) would otherwise both find it free, and the second CREATE fail.
   */
  private static final Object SESSION_CATALOG = new Object();
  private static final String TARGET = "t";
  private static final String SOURCE = "s";

  private final SparkSession spark;
  private final String root;
  private final CatalogNames names;
  private final Set<String> ensured = new HashSet<>();
  /** By table path, for the whole JVM: a chain's steps and its heartbeat hold Lakes of their own over one lake. */
  private static final Map<String, Object> WRITE_LOCKS = new ConcurrentHashMap<>();

  /** The lake at {@code root}, its tables registered under plg360's own names ({@link CatalogNames#DEFAULT}). */
  public Lake(SparkSession spark, String root) {
    this(spark, root, CatalogNames.DEFAULT);
  }

  /** The lake of the settings, its tables registered under the names {@code plg360.catalog} gives. */
  public static Lake of(SparkSession spark, Settings settings) {
    return new Lake(spark, settings.lakeRoot(), CatalogNames.of(settings));
  }

  public Lake(SparkSession spark, String root, CatalogNames names) {
    this.spark = spark;
    this.names = names;
    // Made absolute once (a relative root is taken from the working folder): Delta refuses relative table paths.
    // Local paths stay plain paths; Delta compares "file:/x" and "file:///x" as different locations.
    URI uri = qualified(root);
    String qualified = "file".equals(uri.getScheme()) ? uri.getPath() : uri.toString();
    this.root = qualified.endsWith("/") ? qualified.substring(0, qualified.length() - 1) : qualified;
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public CatalogNames names() {
    return names;
  }

  public String path(TableDef t) {
    return root + "/" + t.layer() + "/" + t.name();
  }

  public boolean exists(TableDef t) {
    return DeltaTable.isDeltaTable(spark, path(t));
  }

  /**
   * Creates the table with its catalog schema, comments, partitioning and properties if it does not exist, and
   * registers its name in the session catalog (replacing a registration that points elsewhere).
   */
  public synchronized void ensure(TableDef t) {
    if (ensured.contains(t.qualifiedName())) {
      return;
    }
    if (!exists(t)) {
      createExclusively(t);
    } else {
      evolve(t);
    }
    register(t);
    ensured.add(t.qualifiedName());
  }

  /**
   * Creates the table unless another process did first. The lake's run lock keeps a second writer away from every
   * table but the lock's own, ops.job_runs, which two processes starting on an empty lake both create. On a local
   * disk Delta's log store cannot make two processes' first commits exclusive (a rename replaces what the other
   * wrote, leaving a checksum file of the other's bytes, and the table unreadable), so creation there takes a file
   * lock in the lake's root; a store that makes commits exclusive needs none.
   */
  private void createExclusively(TableDef t) {
    if (!root.startsWith("/")) {
      create(t);
      return;
    }
    java.nio.file.Path lock = java.nio.file.Path.of(root, ".plg360-create.lock");
    try {
      java.nio.file.Files.createDirectories(lock.getParent());
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lock,
               java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
           java.nio.channels.FileLock held = channel.lock()) {
        if (!DeltaTable.isDeltaTable(spark, path(t))) {
          create(t);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lock + " to create " + t.qualifiedName(), e);
    }
  }

  private void create(TableDef t) {
    DeltaTableBuilder b = DeltaTable.createIfNotExists(spark).location(path(t)).comment(t.grain());
    for (StructField f : t.schema().fields()) {
      b = b.addColumn(f);
    }
    if (!t.partitionBy().isEmpty()) {
      b = b.partitionedBy(t.partitionBy().stream().map(Col::name).toArray(String[]::new));
    }
    if (t.changeDataFeed()) {
      b = b.property("delta.enableChangeDataFeed", "true");
    }
    b.execute();
    LOG.info("created table {} at {}", t.qualifiedName(), path(t));
  }

  /**
   * Brings a table made by an earlier plg360 up to its catalog definition: columns the catalog added since are
   * added (null in the rows already there), a column the catalog now holds as text where the table holds numbers
   * (an id that other systems write with letters) is rewritten as text once, and the change data feed is turned on
   * where the catalog asks for it (recorded from that version on). Nothing is ever dropped, nor retyped otherwise.
   */
  private void evolve(TableDef t) {
    String table = "delta.`" + path(t) + "`";
    StructType schema = DeltaTable.forPath(spark, path(t)).toDF().schema();
    Set<String> have = new HashSet<>(List.of(schema.fieldNames()));
    List<String> added = new ArrayList<>();
    List<Col> asText = new ArrayList<>();
    for (Col c : t.columns()) {
      if (!have.contains(c.name())) {
        added.add("`" + c.name() + "` " + c.type().sql() + " COMMENT " + sqlString(c.comment()));
      } else if (c.type().equals(DataTypes.StringType) && schema.apply(c.name()).dataType() instanceof NumericType) {
        asText.add(c);
      }
    }
    if (!asText.isEmpty()) {
      rewriteAsText(t, asText);
    }
    if (!added.isEmpty()) {
      spark.sql("ALTER TABLE " + table + " ADD COLUMNS (" + String.join(", ", added) + ")");
      LOG.info("{}: added {} column(s) of this version's catalog", t.qualifiedName(), added.size());
    }
    if (t.changeDataFeed() && !changeDataFeedOn(t)) {
      spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
      LOG.info("{}: change data feed turned on", t.qualifiedName());
    }
  }

  /**
   * Rewrites the table with these numeric columns as text, in one commit: the numbers read as the text they were
   * (12345 becomes "12345"), so a key matched before matches after. Earlier versions keep their types for time travel.
   */
  private void rewriteAsText(TableDef t, List<Col> columns) {
    Dataset<Row> rows = spark.read().format("delta").load(path(t));
    for (Col c : columns) {
      rows = rows.withColumn(c.name(), rows.col(c.name()).cast(DataTypes.StringType).as(c.name(), c.field().metadata()));
    }
    DataFrameWriter<Row> write = rows.write().format("delta").mode("overwrite").option("overwriteSchema", "true");
    if (!t.partitionBy().isEmpty()) {
      write = write.partitionBy(t.partitionBy().stream().map(Col::name).toArray(String[]::new));
    }
    write.save(path(t));
    LOG.info("{}: rewrote {} as text, as this version's catalog holds them", t.qualifiedName(),
        columns.stream().map(Col::name).toList());
  }

  private boolean changeDataFeedOn(TableDef t) {
    Row detail = DeltaTable.forPath(spark, path(t)).detail().first();
    Map<String, String> props = detail.getJavaMap(detail.fieldIndex("properties"));
    return "true".equalsIgnoreCase(props.getOrDefault("delta.enableChangeDataFeed", "false"));
  }

  /**
   * The change data feed of versions {@code from} to {@code to}, both included: the table's columns plus
   * {@code _change_type} (insert, update_preimage, update_postimage, delete), {@code _commit_version} and
   * {@code _commit_timestamp}. Fails (when read) if the feed was not recorded for some of those versions.
   */
  public Dataset<Row> changes(TableDef t, long from, long to) {
    ensure(t);
    return spark.read().format("delta").option("readChangeFeed", "true").option("startingVersion", from)
        .option("endingVersion", to).load(path(t));
  }

  private void register(TableDef t) {
    if (names.catalog().isPresent()) {
      registerByName(t);
    } else {
      registerInSession(t);
    }
  }

  /** Registers the table under its two-part name in the session's own catalog, replacing a name that points elsewhere. */
  private void registerInSession(TableDef t) {
    synchronized (SESSION_CATALOG) {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + names.schema(t));
      Optional<CatalogTable> entry = catalogEntry(t);
      if (entry.isPresent()) {
        boolean here = entry.get().tableType() != CatalogTableType.VIEW()
            && entry.get().storage().locationUri().isDefined() && entry.get().location().equals(qualified(path(t)));
        if (here) {
          return;
        }
        unregister(t);
      }
      spark.sql("CREATE TABLE " + names.sessionName(t) + atItsPath(t));
    }
  }

  /**
   * Registers the table under a three-part name, through SQL alone: a catalog other than the session's (Unity
   * Catalog, say) is reached only through Spark's catalog plugins. A name that stands for another location is
   * replaced.
   */
  private void registerByName(TableDef t) {
    synchronized (SESSION_CATALOG) {
      String name = names.name(t);
      spark.sql("CREATE SCHEMA IF NOT EXISTS " + names.schemaName(t.layer()));
      if (spark.catalog().tableExists(name)) {
        String location = spark.sql("DESCRIBE DETAIL " + name).select("location").first().getString(0);
        if (qualified(location).equals(qualified(path(t)))) {
          return;
        }
        spark.sql("DROP TABLE " + name);
      }
      spark.sql("CREATE TABLE " + name + atItsPath(t));
    }
  }

  /**
   * Registers the name as a view over the table that shows its personal columns masked ({@link PersonalData}), with
   * the table's grain and column comments, replacing what the name stood for before. Views live in the session's
   * catalog: the masked tables are what one plg360 process (serve-sql, sql) shows its own clients.
   */
  private void registerMasked(TableDef t) {
    synchronized (SESSION_CATALOG) {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + names.schema(t));
      catalogEntry(t).filter(e -> e.tableType() != CatalogTableType.VIEW()).ifPresent(e -> unregister(t));
      List<String> columns = List.of(DeltaTable.forPath(spark, path(t)).toDF().schema().fieldNames());
      String commented = String.join(", ", columns.stream().map(c -> "`" + c + "`"
          + t.column(c).map(col -> " COMMENT " + sqlString(col.comment())).orElse("")).toList());
      spark.sql("CREATE OR REPLACE VIEW " + names.sessionName(t) + " (" + commented + ") COMMENT " + sqlString(t.grain())
          + " AS SELECT " + PersonalData.shownSql(t, columns, true) + " FROM delta.`" + qualified(path(t)) + "`");
    }
  }

  /** Removes the name from the session catalog (a view, or a table's entry: never its files). */
  private void unregister(TableDef t) {
    synchronized (SESSION_CATALOG) {
      Optional<CatalogTable> entry = catalogEntry(t);
      if (entry.isPresent()) {
        boolean view = entry.get().tableType() == CatalogTableType.VIEW();
        spark.sql((view ? "DROP VIEW IF EXISTS " : "DROP TABLE IF EXISTS ") + names.sessionName(t));
      }
    }
  }

  private Optional<CatalogTable> catalogEntry(TableDef t) {
    SessionCatalog catalog = spark.sessionState().catalog();
    String schema = names.schema(t);
    TableIdentifier id = new TableIdentifier(t.name(), Option.apply(schema));
    if (!catalog.databaseExists(schema) || !catalog.tableExists(id)) {
      return Optional.empty();
    }
    try {
      return Optional.of(catalog.getTableMetadata(id));
    } catch (Exception e) { // Scala declares NoSuchTableException; tableExists was just true
      throw new IllegalStateException("cannot read the catalog entry of " + id, e);
    }
  }

  /** The end of the DDL that registers the table as the external Delta table at its path. */
  private String atItsPath(TableDef t) {
    return " USING DELTA LOCATION '" + qualified(path(t)) + "'";
  }

  private static String sqlString(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private URI qualified(String p) {
    try {
      Path path = new Path(p);
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(path).toUri();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve " + p, e);
    }
  }

  /**
   * Registers every table the lake holds under its name ({@link CatalogNames}), in the session's catalog or the one
   * {@code plg360.catalog.name} gives, as external Delta tables at their paths; leaves every other name alone and
   * creates no table. Returns the names, in catalog order.
   */
  public List<String> registerAll() {
    List<String> registered = new ArrayList<>();
    for (TableDef t : Tables.all()) {
      if (exists(t)) {
        register(t);
        registered.add(names.name(t));
      }
    }
    return registered;
  }

  /**
   * The SQL that registers every table the lake holds, for a catalog a plg360 process does not reach (run it in the
   * platform's SQL editor): a schema per layer, then an external Delta table per table, at its path. The tables'
   * column comments and grain are in their Delta logs, which the catalog reads.
   */
  public List<String> registrationSql() {
    List<String> sql = new ArrayList<>();
    Set<String> schemas = new java.util.LinkedHashSet<>();
    for (TableDef t : Tables.all()) {
      if (exists(t)) {
        if (schemas.add(t.layer())) {
          sql.add("CREATE SCHEMA IF NOT EXISTS " + names.schemaName(t.layer()) + ";");
        }
        sql.add("CREATE TABLE IF NOT EXISTS " + names.name(t) + atItsPath(t) + ";");
      }
    }
    return sql;
  }

  /** Registers every catalog table that exists in the lake by its name, for SQL; creates none. */
  public void registerExisting() {
    publish(Tables.layers(), false);
  }

  /**
   * Gives SQL the lake's tables of the given layers by name, as BI tools see them: each existing table itself, or
   * with {@code mask} a view of it in which personal columns are masked; a table holding personal data that no
   * column mask reaches ({@link TableDef#personalDataInText()}) is then not shown. A name registered earlier (in a
   * persistent metastore) that is not shown now is removed. Always in the session's own catalog, under the
   * configured schemas: what this process (serve-sql, sql) shows its clients. Creates no table; returns the tables
   * shown.
   */
  public List<TableDef> publish(Set<String> layers, boolean mask) {
    List<TableDef> shown = new ArrayList<>();
    for (TableDef t : Tables.all()) {
      boolean show = layers.contains(t.layer()) && exists(t) && !(mask && t.personalDataInText().isPresent());
      if (!show) {
        unregister(t);
      } else if (mask && t.columns().stream().anyMatch(Col::personalData)) {
        registerMasked(t);
        shown.add(t);
      } else {
        registerInSession(t);
        shown.add(t);
      }
    }
    return shown;
  }

  public Dataset<Row> read(TableDef t) {
    ensure(t);
    return spark.read().format("delta").load(path(t));
  }

  /** The table as it was at a Delta version (time travel). */
  public Dataset<Row> readVersion(TableDef t, long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(path(t));
  }

  /** The table's Delta id: it stays through every write, and a table deleted and made again gets a new one. */
  public String tableId(TableDef t) {
    Row detail = DeltaTable.forPath(spark, path(t)).detail().first();
    return detail.getString(detail.fieldIndex("id"));
  }

  /**
   * The latest committed version, or -1 when the table does not exist yet. Read from the table's log as Delta keeps it
   * (a listing of {@code _delta_log}), not through {@code DESCRIBE HISTORY}: every write asks it twice, and a history
   * query costs a query plan each time (about 0.1 s in a warm JVM, against 2 ms).
   */
  public long version(TableDef t) {
    if (!exists(t)) {
      return -1;
    }
    return DeltaLog.forTable(spark, path(t)).update(false, Option.empty(), Option.empty()).version();
  }

  /**
   * Inserts the rows whose key is not in the table yet (MERGE ... WHEN NOT MATCHED INSERT), so a re-run adds
   * nothing. {@code targetFilter}, over the target's columns, prunes the files the MERGE reads (e.g. the
   * partitions the batch touches).
   */
  public WriteResult insertNew(Dataset<Row> rows, TableDef t, Optional<Column> targetFilter) {
    return insertUnless(rows, t, keyMatch(t, targetFilter));
  }

  /**
   * Inserts the rows that {@code match} (over {@link #target} and {@link #source} columns) pairs with no row of the
   * table, in one MERGE: a concurrent commit that adds a matching row makes this one fail and not insert.
   */
  public WriteResult insertUnless(Dataset<Row> rows, TableDef t, Column match) {
    Dataset<Row> source = conform(rows, t);
    return commit(t, () -> DeltaTable.forPath(spark, path(t)).as(TARGET)
        .merge(source.as(SOURCE), match)
        .whenNotMatched().insertAll()
        .execute());
  }

  /**
   * Adds the rows as they are, in one commit, without looking at the table: for a writer that has compared the rows
   * with the table itself (ingest's classification against bronze) and holds the lake's run lock, so that no other
   * process adds rows in between. Cheaper than {@link #insertNew}: one write, no join with the table.
   */
  public WriteResult append(Dataset<Row> rows, TableDef t) {
    Dataset<Row> source = byPartition(conform(rows, t), t);
    return commit(t, () -> source.write().format("delta").mode("append").save(path(t)));
  }

  /** A column of the table being written, for a {@code targetFilter} of {@link #insertNew} or {@link #upsert}. */
  public static Column target(dev.plg360.common.tables.Col c) {
    return c.of(TARGET);
  }

  /** A column of the rows being written, for the match of {@link #insertUnless}. */
  public static Column source(dev.plg360.common.tables.Col c) {
    return c.of(SOURCE);
  }

  /** Runs one write of the table and reads back the commit it made (or that it made none). */
  private WriteResult commit(TableDef t, Runnable write) {
    ensure(t);
    synchronized (writeLock(t)) {
      long before = version(t);
      write.run();
      return lastWrite(t, before);
    }
  }

  /**
   * Writers of one table in this process take turns, so that the commit read back from the table's history is
   * their own (jobs write several tables at once from several threads). Other processes are kept out by the run lock.
   */
  private Object writeLock(TableDef t) {
    return WRITE_LOCKS.computeIfAbsent(path(t), k -> new Object());
  }

  /** Inserts new keys and replaces the rows of existing ones (an upsert). */
  public WriteResult upsert(Dataset<Row> rows, TableDef t) {
    return upsert(rows, t, Optional.empty());
  }

  /**
   * An upsert that reads only the target rows matching {@code targetFilter}: writers of disjoint partitions
   * then do not conflict.
   */
  public WriteResult upsert(Dataset<Row> rows, TableDef t, Optional<Column> targetFilter) {
    Dataset<Row> source = conform(rows, t);
    return commit(t, () -> DeltaTable.forPath(spark, path(t)).as(TARGET)
        .merge(source.as(SOURCE), keyMatch(t, targetFilter))
        .whenMatched().updateAll()
        .whenNotMatched().insertAll()
        .execute());
  }

  /** Sets columns of the rows matching {@code condition} (over the table's columns) to the values, in one commit. */
  public WriteResult update(TableDef t, Column condition, Map<Col, Column> set) {
    Map<String, Column> assignments = new LinkedHashMap<>();
    set.forEach((c, v) -> assignments.put(c.name(), v));
    return commit(t, () -> DeltaTable.forPath(spark, path(t)).update(condition, assignments));
  }

  /**
   * Makes a current-state table hold exactly these rows while touching only what changed, so that its change data
   * feed is the change: one MERGE on the key updates the rows whose values (all columns but {@code unversioned})
   * differ, inserts new keys and deletes the keys that are gone. When nothing differs no commit is made.
   */
  public WriteResult sync(Dataset<Row> rows, TableDef t, List<Col> unversioned) {
    // Computed once for both the comparison and the MERGE: the rows are usually a whole scoring plan.
    try (Kept kept = new Kept()) {
      Dataset<Row> source = kept.keep(conform(rows, t));
      ensure(t);
      List<Col> compared = t.columns().stream().filter(c -> !unversioned.contains(c)).toList();
      Column differs = not(contentOf(compared, TARGET).equalTo(contentOf(compared, SOURCE)));
      Column key = keyMatch(t, Optional.empty());
      Dataset<Row> target = DeltaTable.forPath(spark, path(t)).toDF();
      boolean changed = !source.as(SOURCE).join(target.as(TARGET), key, "full_outer")
          .where(t.key().get(0).of(TARGET).isNull().or(t.key().get(0).of(SOURCE).isNull()).or(differs))
          .isEmpty();
      if (!changed) {
        long version = version(t);
        LOG.info("{} version {} holds these rows already; nothing written", t, version);
        return WriteResult.nothing(t, version);
      }
      return commit(t, () -> DeltaTable.forPath(spark, path(t)).as(TARGET)
          .merge(source.as(SOURCE), key)
          .whenMatched(differs).updateAll()
          .whenNotMatched().insertAll()
          .whenNotMatchedBySource().delete()
          .execute());
    }
  }

  /** The two frames hold the same rows, duplicates counted (same columns assumed). */
  public static boolean sameRows(Dataset<Row> a, Dataset<Row> b) {
    return a.exceptAll(b).isEmpty() && b.exceptAll(a).isEmpty();
  }

  /** The columns' values as one comparable text (maps are not comparable in Spark; their JSON is). */
  private static Column contentOf(List<Col> cols, String alias) {
    return to_json(struct(cols.stream().map(c -> c.of(alias).as(c.name())).toArray(Column[]::new)));
  }

  /** Replaces the whole table with the rows (a current-state table rebuilt by each run). */
  public WriteResult overwrite(Dataset<Row> rows, TableDef t) {
    return replace(rows, t, Optional.empty());
  }

  /**
   * Replaces the rows matching {@code condition} (SQL over the table's columns, e.g. the dates a run rebuilt) with
   * {@code rows}, which must all match it: Delta's replaceWhere, one atomic commit.
   */
  public WriteResult replaceWhere(Dataset<Row> rows, TableDef t, String condition) {
    return replace(rows, t, Optional.of(condition));
  }

  /**
   * Replaces the whole table with the rows and their schema: for a table whose columns come from configuration
   * (a training set's features). Earlier versions keep their own schema for time travel.
   */
  public WriteResult overwriteWithSchema(Dataset<Row> rows, TableDef t) {
    Dataset<Row> source = conform(rows, t);
    return commit(t, () -> source.write().format("delta").mode("overwrite").option("overwriteSchema", "true").save(path(t)));
  }

  private WriteResult replace(Dataset<Row> rows, TableDef t, Optional<String> condition) {
    Dataset<Row> source = byPartition(conform(rows, t), t);
    return commit(t, () -> {
      org.apache.spark.sql.DataFrameWriter<Row> w = source.write().format("delta").mode("overwrite");
      condition.ifPresent(c -> w.option("replaceWhere", c));
      w.save(path(t));
    });
  }

  /**
   * The rows of a partitioned table gathered by partition before they are written, so that each partition is written
   * by one task, as one file. Otherwise every task writes a file into every partition it holds a row of: the timeline
   * of a 10,000-workspace company (180 daily partitions) went into 5,431 files of 21 KB on average, rewritten whole
   * by each run.
   */
  private static Dataset<Row> byPartition(Dataset<Row> rows, TableDef t) {
    return t.partitionBy().isEmpty() ? rows : rows.repartition(t.partitionBy().stream().map(Col::col).toArray(Column[]::new));
  }

  /**
   * Rewrites the table's small files into fewer large ones (Delta's OPTIMIZE), sorted along the catalog's Z-order
   * columns when {@code zorder} is true and the table names some. {@code where}, SQL over partition columns, limits it
   * to those partitions. Compaction leaves alone a partition whose small files fit no fewer; Z-ordering rewrites every
   * partition it is given that has a file. Nothing to rewrite, no commit. Rows are never changed.
   */
  public FileChanges optimize(TableDef t, Optional<String> where, boolean zorder) {
    synchronized (writeLock(t)) {
      long before = version(t);
      DeltaOptimizeBuilder optimize = DeltaTable.forPath(spark, path(t)).optimize();
      if (where.isPresent()) {
        optimize = optimize.where(where.get());
      }
      Row out = (zorder && !t.zorderBy().isEmpty()
          ? optimize.executeZOrderBy(t.zorderBy().stream().map(Col::name).toArray(String[]::new))
          : optimize.executeCompaction()).first();
      Row m = out.getStruct(out.fieldIndex("metrics"));
      return new FileChanges(lastWrite(t, before), m.getLong(m.fieldIndex("numFilesAdded")),
          OptionalLong.of(m.getLong(m.fieldIndex("numFilesRemoved"))));
    }
  }

  /**
   * Deletes from storage the files the table stopped referencing more than {@code retention} ago (Delta's VACUUM):
   * after it, time travel and change data feed reach back no further. Delta refuses a retention below its safety
   * default (168 hours; spark.databricks.delta.retentionDurationCheck.enabled, which plg360 keeps on). The files
   * deleted are read from the VACUUM END commit, which Delta writes where spark.databricks.delta.vacuum.logging.enabled.
   */
  public FileChanges vacuum(TableDef t, Duration retention) {
    synchronized (writeLock(t)) {
      long before = version(t);
      DeltaTable table = DeltaTable.forPath(spark, path(t));
      table.vacuum(retention.toHours());
      OptionalLong deleted = OptionalLong.empty();
      for (Row commit : table.history().where("version > " + before + " AND operation = 'VACUUM END'").collectAsList()) {
        Map<String, String> m = commit.getJavaMap(commit.fieldIndex("operationMetrics"));
        deleted = OptionalLong.of(deleted.orElse(0) + metric(m, "numDeletedFiles"));
      }
      long after = version(t);
      return new FileChanges(after == before ? WriteResult.nothing(t, after) : new WriteResult(t, after, true, 0, 0, 0),
          0, deleted);
    }
  }

  /**
   * No row was written to the table since its files were last Z-ordered: every commit after that OPTIMIZE only moved
   * or deleted files (OPTIMIZE, VACUUM). False for a table never Z-ordered.
   */
  public boolean zorderedSinceLastWrite(TableDef t) {
    List<Row> commits = DeltaTable.forPath(spark, path(t)).history().orderBy(functions.col("version").desc())
        .select("operation", "operationParameters").collectAsList();
    for (Row c : commits) {
      String operation = c.getString(0);
      if ("OPTIMIZE".equals(operation)) {
        String zorderBy = c.<String, String>getJavaMap(1).getOrDefault("zOrderBy", "[]");
        if (!"[]".equals(zorderBy)) {
          return true;
        }
      } else if (!operation.startsWith("VACUUM")) {
        return false;
      }
    }
    return false;
  }

  private static Column keyMatch(TableDef t, Optional<Column> targetFilter) {
    if (t.key().isEmpty()) {
      throw new IllegalArgumentException(t + " has no key to merge on");
    }
    Column cond = t.key().stream().map(k -> k.of(TARGET).eqNullSafe(k.of(SOURCE))).reduce(Column::and).orElseThrow();
    return targetFilter.map(cond::and).orElse(cond);
  }

  private WriteResult lastWrite(TableDef t, long before) {
    long version = version(t);
    if (version == before) {
      return WriteResult.nothing(t, version);
    }
    Map<String, String> m = operationMetrics(t, version);
    WriteResult r = new WriteResult(t, version, true,
        metric(m, "numTargetRowsInserted", "numOutputRows"),
        metric(m, "numTargetRowsUpdated"),
        metric(m, "numTargetRowsDeleted", "numDeletedRows"));
    LOG.info("wrote {} version {}: {} inserted, {} updated, {} deleted", t, version, r.inserted(), r.updated(), r.deleted());
    return r;
  }

  /** The operation metrics of one commit, from its commit info in the log (empty when it recorded none). */
  private Map<String, String> operationMetrics(TableDef t, long version) {
    scala.collection.Iterator<Tuple2<Object, Seq<Action>>> commits =
        DeltaLog.forTable(spark, path(t)).getChanges(version, version, false);
    while (commits.hasNext()) {
      for (Action a : JavaConverters.seqAsJavaList(commits.next()._2())) {
        if (a instanceof CommitInfo info && info.operationMetrics().isDefined()) {
          return JavaConverters.mapAsJavaMap(info.operationMetrics().get());
        }
      }
    }
    return Map.of();
  }

  private static long metric(Map<String, String> metrics, String... names) {
    for (String n : names) {
      String v = metrics.get(n);
      if (v != null) {
        return Long.parseLong(v);
      }
    }
    return 0;
  }

  /**
   * Checks a frame against the catalog before a write: every catalog column present with its declared type,
   * nothing extra. Returns the columns in catalog order.
   */
  public static Dataset<Row> conform(Dataset<Row> df, TableDef t) {
    Map<String, StructField> have = new java.util.HashMap<>();
    for (StructField f : df.schema().fields()) {
      have.put(f.name(), f);
    }
    List<String> problems = new ArrayList<>();
    for (Col c : t.columns()) {
      StructField f = have.remove(c.name());
      if (f == null) {
        problems.add("missing column " + c.name());
      } else if (!f.dataType().sameType(c.type())) {
        problems.add(c.name() + " is " + f.dataType().simpleString() + ", catalog says " + c.type().simpleString());
      }
    }
    if (!have.isEmpty()) {
      problems.add("columns not in the catalog: " + String.join(", ", have.keySet()));
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("frame does not fit " + t + ": " + String.join("; ", problems));
    }
    return df.select(t.columns().stream().map(Col::col).toArray(Column[]::new));
  }

  /** A Hadoop path under the lake, for non-table files (models, reports). */
  public Path file(String relative) {
    return new Path(root + "/" + relative);
  }

  /** A folder a setting names: a path under the lake root, or an absolute path or URI as given. */
  public Path folder(String setting) {
    Path p = new Path(setting);
    return p.isAbsolute() || p.toUri().getScheme() != null ? p : file(setting);
  }
}
