package dev.plg360.jobs;

import java.util.Arrays;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark session that knows a Hive metastore and nothing of plg360: no lake root, no plg360 settings, only Spark
 * with Delta, as another team's job or notebook on the platform would be. Runs each query given after the metastore
 * folder and prints its rows as JSON lines, each query's rows after a line {@code -- <query>}.
 *
 * <p>{@code java ... MetastoreSession <metastore folder> <query>...}
 */
public final class MetastoreSession {
  private MetastoreSession() {}

  public static void main(String[] args) {
    String folder = args[0];
    SparkSession spark = SparkSession.builder().master("local[1]").appName("another-team")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", "jdbc:derby:;databaseName=" + folder + "/metastore_db")
        .config("spark.sql.warehouse.dir", folder + "/warehouse")
        .enableHiveSupport()
        .getOrCreate();
    for (String query : Arrays.copyOfRange(args, 1, args.length)) {
      System.out.println("-- " + query);
      spark.sql(query).toJSON().collectAsList().forEach(System.out::println);
    }
    spark.stop();
  }
}
