package dev.plg360.jobs.model;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** What a training set must be to make a model, checked before anything is fitted or written. */
final class TrainingChecks {
  private TrainingChecks() {}

  /**
   * The labelled rows, after checking that every feature is a column that is not an outcome, that there are
   * enough rows of both classes, and that no feature is null everywhere or the same everywhere. {@code what}
   * names the rows in errors.
   */
  static Dataset<Row> labelled(Dataset<Row> rows, ModelSettings s, String what) {
    List<String> columns = List.of(rows.columns());
    List<String> outcomes = ConversionTraining.OUTCOMES.stream().map(Col::name).toList();
    for (FeatureDef f : s.features()) {
      if (outcomes.contains(f.name())) {
        throw new TrainingException("feature " + f.name() + " is an outcome, known only after the observation point; "
            + "it cannot be a feature");
      }
      if (!columns.contains(f.name())) {
        throw new TrainingException("feature " + f.name() + " is not a column of " + what);
      }
    }
    Dataset<Row> labelled = rows.where(col(ConversionTraining.LABEL.name()).isNotNull());
    List<Column> aggs = new ArrayList<>(List.of(count(lit(1)), coalesce(sum(ConversionTraining.LABEL.name()), lit(0L))));
    for (FeatureDef f : s.features()) {
      aggs.add(count(col(f.name())));
      aggs.add(countDistinct(f.isCategorical() ? coalesce(col(f.name()).cast("string"), lit("(missing)")) : col(f.name())));
    }
    Row r = labelled.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    long n = r.getLong(0);
    long positives = ((Number) r.get(1)).longValue();
    if (n == 0 && rows.isEmpty()) {
      throw new TrainingException(what + " has no rows: no entity signed up, on a free plan or a trial, at least "
          + "plg360.model.observation-days before the as-of date (a workspace's created_at in silver.workspaces, its "
          + "subscription at sign-up)");
    }
    if (n == 0) {
      throw new TrainingException(what + " has no labelled row: no entity's label horizon has passed yet "
          + "(plg360.model.observation-days + label-horizon-days after sign-up)");
    }
    if (n < s.minTrainingRows()) {
      throw new TrainingException(what + " has " + n + " labelled rows, fewer than plg360.model.min-training-rows ("
          + s.minTrainingRows() + ")");
    }
    if (positives == 0 || positives == n) {
      throw new TrainingException(what + ": all " + n + " labelled rows have label " + (positives == 0 ? 0 : 1)
          + "; a model needs entities that paid and entities that did not");
    }
    for (int i = 0; i < s.features().size(); i++) {
      FeatureDef f = s.features().get(i);
      long present = r.getLong(2 + 2 * i);
      long distinct = r.getLong(3 + 2 * i);
      if (!f.isCategorical() && present == 0) {
        throw new TrainingException("feature " + f.name() + " is null in every labelled row of " + what);
      }
      if (distinct <= 1) {
        throw new TrainingException("feature " + f.name() + " is constant: it has one value in every labelled row of "
            + what + ", so it cannot tell who pays");
      }
    }
    return labelled;
  }

  /** Fails unless the cohort has rows of both classes. */
  static void bothClasses(Dataset<Row> cohort, String what) {
    Row r = cohort.agg(count(lit(1)), coalesce(sum(ConversionTraining.LABEL.name()), lit(0L))).first();
    long n = r.getLong(0);
    long positives = ((Number) r.get(1)).longValue();
    if (positives == 0 || positives == n) {
      throw new TrainingException(what + " has " + n + " rows, " + positives + " of them paid: it needs both classes; "
          + "label more cohorts or change plg360.model.test-share / validation-share");
    }
  }
}
