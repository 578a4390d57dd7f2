package dev.plg360.jobs.model;

import static org.apache.spark.sql.functions.col;

import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.io.Lake;
import dev.plg360.common.io.WriteResult;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.TrainingSet;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.Firmographics;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.common.tables.Tables.Workspaces;
import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds gold.conversion_training as of the date (see {@link TrainingSet}) and replaces the table with it, unless
 * it holds exactly these rows already: a re-run adds no version, so a model's training version stays the data's.
 */
public final class FeaturesJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(FeaturesJob.class);

  @Override
  public String name() {
    return "features";
  }

  @Override
  public void run(JobContext ctx) {
    write(ctx, ModelSettings.from(ctx.settings()));
  }

  /** Builds and writes the set; returns the table's Delta version that holds it. */
  static long write(JobContext ctx, ModelSettings s) {
    IdentityRules.registerUdfs(ctx.spark());
    TrainingSet.checkFeatures(ctx.spark(), s.features());
    Lake lake = ctx.lake();
    IdentityAsOf identity = IdentityAsOf.of(lake.read(IdentityLinks.TABLE), ctx.asOf());
    TrainingSet.Inputs in = new TrainingSet.Inputs(lake.read(Workspaces.TABLE), lake.read(ProductDaily.TABLE),
        lake.read(SubscriptionEvents.TABLE), lake.read(Firmographics.TABLE), identity);
    TableDef table = TrainingSet.table(s.features());
    Dataset<Row> rows = TrainingSet.build(in, ctx.asOf(), s).cache();
    try {
      long all = rows.count();
      long labelled = rows.where(col(ConversionTraining.LABEL.name()).isNotNull()).count();
      ctx.metrics().read("population", all);
      ctx.metrics().read("labelled", labelled);
      LOG.info("training set as of {}: {} {}s past their observation point, {} labelled", ctx.asOf(), all,
          s.population().label(), labelled);
      if (holds(lake, table, rows)) {
        long version = lake.version(table);
        LOG.info("{} version {} holds these rows already; not rewritten", table, version);
        return version;
      }
      WriteResult w = lake.overwriteWithSchema(rows, table);
      ctx.metrics().wrote(w);
      return w.version();
    } finally {
      rows.unpersist();
    }
  }

  /** The table exists with these columns and exactly these rows. */
  private static boolean holds(Lake lake, TableDef table, Dataset<Row> rows) {
    if (!lake.exists(table)) {
      return false;
    }
    Dataset<Row> current = lake.readVersion(table, lake.version(table));
    if (!Arrays.equals(names(current.schema().fields()), names(rows.schema().fields()))) {
      return false;
    }
    return Lake.sameRows(current, rows);
  }

  private static String[] names(StructField[] fields) {
    return Arrays.stream(fields).map(f -> f.name() + ":" + f.dataType().simpleString()).toArray(String[]::new);
  }
}
