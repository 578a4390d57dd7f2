package dev.plg360.jobs.model;

import static org.apache.spark.sql.functions.col;

import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.TrainingSet;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import dev.plg360.common.tables.TableDef;
import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The rows train fits on and where they come from: a table and its Delta version (-1 for a table that is not Delta),
 * and what one row is (a workspace, a person, or a row of a table of one's own).
 */
record TrainingSource(Dataset<Row> rows, String table, long version, String entityType) {

  String describe() {
    return version < 0 ? table : table + " version " + version;
  }

  /** The rows to train on: the table the request names, an earlier version of the training set, or the set built now. */
  static TrainingSource of(JobContext ctx, ModelSettings s, TrainJob.Request request) {
    Lake lake = ctx.lake();
    if (request.table().isPresent()) {
      String name = request.table().get();
      lake.registerExisting();
      SparkSession spark = ctx.spark();
      if (!spark.catalog().tableExists(name)) {
        throw new TrainingException("table " + name + " does not exist");
      }
      long version;
      try {
        version = DeltaTable.forName(spark, name).history(1).first().getLong(0);
      } catch (Exception notDelta) {
        version = -1;
      }
      Dataset<Row> rows = spark.table(name);
      for (String c : List.of(request.idColumn(), request.dateColumn(), request.labelColumn())) {
        if (!List.of(rows.columns()).contains(c)) {
          throw new TrainingException("table " + name + " has no column " + c + " (its columns: " + String.join(", ", rows.columns()) + ")");
        }
      }
      Dataset<Row> renamed = rows
          .withColumn(ConversionTraining.ENTITY_ID.name(), col(request.idColumn()).cast("string"))
          .withColumn(ConversionTraining.SIGNUP_DATE.name(), col(request.dateColumn()).cast("date"))
          .withColumn(ConversionTraining.LABEL.name(), col(request.labelColumn()).cast("int"));
      return new TrainingSource(renamed, name, version, "row");
    }
    TableDef table = TrainingSet.table(s.features());
    long version;
    if (request.trainingVersion().isPresent()) {
      version = request.trainingVersion().getAsLong();
      long latest = lake.version(table);
      if (version < 0 || version > latest) {
        throw new TrainingException(table + " has no version " + version + " (latest: " + latest + ")");
      }
    } else {
      version = FeaturesJob.write(ctx, s);
    }
    Dataset<Row> rows = lake.readVersion(table, version);
    String entityType = rows.select(ConversionTraining.ENTITY_TYPE.name()).as(Encoders.STRING())
        .distinct().collectAsList().stream().findFirst().orElse(s.population().label());
    return new TrainingSource(rows, table.qualifiedName(), version, entityType);
  }
}
