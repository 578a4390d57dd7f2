package dev.plg360.jobs.serve;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.CatalogNames;
import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.privacy.QueryGuard;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.common.tables.TableDef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lake's tables for BI tools: Spark's Thrift JDBC/ODBC server (the HiveServer2 protocol, which Tableau, Power
 * BI, Superset and DBeaver speak) on a session whose catalog is a Hive metastore, so the names BI tools see
 * ({@code gold.account_scores}) are kept across runs. At start, every table of the configured layers is registered
 * by name, or with masking on as a view whose personal columns are masked ({@link Lake#publish}). Then every
 * statement a client sends is held to {@link QueryGuard.Policy#BI}: read-only, over those names only.
 */
public final class SqlServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqlServer.class);

  private final SparkSession spark;
  private final HiveThriftServer2 server;
  private final ServeSettings settings;
  private final List<TableDef> shown;
  private final int namesBefore;
  private final boolean masked;

  private SqlServer(SparkSession spark, HiveThriftServer2 server, ServeSettings settings, List<TableDef> shown,
                    int namesBefore, boolean masked) {
    this.spark = spark;
    this.server = server;
    this.settings = settings;
    this.shown = shown;
    this.namesBefore = namesBefore;
    this.masked = masked;
  }

  public static SqlServer start(Settings settings) {
    ServeSettings s = ServeSettings.from(settings);
    boolean mask = PersonalData.masking(settings);
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("hive.server2.thrift.bind.host", s.host());
    conf.put("hive.server2.thrift.port", String.valueOf(s.port()));
    s.metastoreDir().ifPresent(dir -> {
      createFolder(dir);
      System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
      conf.put("spark.hadoop.javax.jdo.option.ConnectionURL",
          "jdbc:derby:;databaseName=" + dir.resolve("metastore_db") + ";create=true");
      conf.put("spark.sql.warehouse.dir", dir.resolve("warehouse").toUri().toString());
    });
    s.metastoreUris().ifPresent(uris -> conf.put("spark.hadoop.hive.metastore.uris", uris));
    s.user().ifPresent(user -> {
      ServeLogin.expect(user);
      conf.put("hive.server2.authentication", "CUSTOM");
      // The login handler reads a HiveConf of its own, made from system properties, not from Spark's settings.
      System.setProperty("hive.server2.custom.authentication.class", ServeLogin.class.getName());
    });
    conf.put("spark.sql.extensions",
        SparkSessions.conf(settings).get("spark.sql.extensions") + "," + QueryGuard.Extension.class.getName());
    SparkSession spark = SparkSessions.createWithHiveMetastore(settings, conf);
    Lake lake = Lake.of(spark, settings);
    int before = registeredNames(spark, lake.names());
    List<TableDef> shown = lake.publish(s.layers(), mask);
    // From here on every statement of every connection is a BI user's: read-only, published tables, no reflection.
    QueryGuard.guardEverySession();
    LOG.info("{} tables registered ({} names were in the metastore before), personal data {}", shown.size(), before,
        mask ? "masked" : "shown as it is");
    HiveThriftServer2 server = HiveThriftServer2.startWithContext(spark.sqlContext());
    return new SqlServer(spark, server, s, shown, before, mask);
  }

  private static void createFolder(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the metastore folder " + dir, e);
    }
  }

  /** plg360's table names the metastore held before this run registered any: what earlier runs left. */
  private static int registeredNames(SparkSession spark, CatalogNames names) {
    int n = 0;
    for (String schema : names.schemas().values()) {
      if (spark.catalog().databaseExists(schema)) {
        n += (int) spark.sql("SHOW TABLES IN " + schema).count();
      }
    }
    return n;
  }

  public String jdbcUrl() {
    return "jdbc:hive2://" + settings.host() + ":" + settings.port() + "/default";
  }

  public List<TableDef> tables() {
    return shown;
  }

  public int namesBefore() {
    return namesBefore;
  }

  public boolean masked() {
    return masked;
  }

  public ServeSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    server.stop();
    spark.stop();
  }
}
