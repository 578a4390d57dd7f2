package dev.plg360.jobs.model;

import static org.apache.spark.sql.functions.col;

import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.ConversionPipeline.Params;
import dev.plg360.common.model.ModelMetrics;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How train chooses a model: the labelled rows split by sign-up day into training, validation and held-out cohorts,
 * the regularisation grid fitted on the first and scored on the second, and the grid point with the lowest
 * validation log loss (docs/MODEL.md).
 */
final class ModelSelection {
  private static final Logger LOG = LoggerFactory.getLogger(ModelSelection.class);

  private ModelSelection() {}

  /** The three cohorts of the time-based split, by sign-up day. */
  record Split(Dataset<Row> train, Dataset<Row> validation, Dataset<Row> beforeTest, Dataset<Row> test,
               LocalDate validationFrom, LocalDate testFrom, LocalDate testTo) {}

  /** One point of the regularisation grid, fitted on the training cohort and scored on the validation cohort. */
  record Fit(Params params, double validationLogLoss, double validationAuc) {}


  /** Splits by sign-up day: the newest test-share of rows held out, the validation-share before them, the rest. */
  static Split split(Dataset<Row> labelled, ModelSettings s) {
    String day = ConversionTraining.SIGNUP_DATE.name();
    List<Row> perDay = labelled.groupBy(day).count().orderBy(col(day).desc()).collectAsList();
    if (perDay.size() < 3) {
      throw new TrainingException("the labelled rows signed up on " + perDay.size() + " day(s); a time-based split needs at least 3");
    }
    long total = perDay.stream().mapToLong(r -> r.getLong(1)).sum();
    // Exact decimals: the shares are decimal settings, and in binary 0.1 + 0.2 times 10 rows is just over 3 rows.
    BigDecimal testRows = BigDecimal.valueOf(s.testShare()).multiply(BigDecimal.valueOf(total));
    BigDecimal testAndValidationRows = BigDecimal.valueOf(s.testShare()).add(BigDecimal.valueOf(s.validationShare()))
        .multiply(BigDecimal.valueOf(total));
    LocalDate testFrom = null;
    LocalDate validationFrom = null;
    long seen = 0;
    for (int i = 0; i < perDay.size(); i++) {
      LocalDate d = perDay.get(i).getDate(0).toLocalDate();
      seen += perDay.get(i).getLong(1);
      BigDecimal seenRows = BigDecimal.valueOf(seen);
      boolean last = i == perDay.size() - 1;
      if (testFrom == null && (seenRows.compareTo(testRows) >= 0 || i == perDay.size() - 3)) {
        testFrom = d;
      } else if (testFrom != null && validationFrom == null && (seenRows.compareTo(testAndValidationRows) >= 0
          || i == perDay.size() - 2 || last)) {
        validationFrom = d;
      }
    }
    LocalDate testTo = perDay.get(0).getDate(0).toLocalDate();
    Column date = col(day);
    return new Split(labelled.where(date.lt(Date.valueOf(validationFrom))),
        labelled.where(date.geq(Date.valueOf(validationFrom)).and(date.lt(Date.valueOf(testFrom)))),
        labelled.where(date.lt(Date.valueOf(testFrom))), labelled.where(date.geq(Date.valueOf(testFrom))),
        validationFrom, testFrom, testTo);
  }

  /** Fits the regression for every grid point on the training cohort and scores the validation cohort. */
  static List<Fit> search(Split split, ModelSettings s) {
    List<PipelineStage> stages = ConversionPipeline.preparation(s.features());
    PipelineModel prepared = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(split.train());
    Dataset<Row> train = prepared.transform(split.train()).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> validation = prepared.transform(split.validation()).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Fit> out = new ArrayList<>();
      for (double reg : s.regParams()) {
        for (double enet : s.elasticNetParams()) {
          if (reg == 0 && enet > 0 && out.stream().anyMatch(f -> f.params().regParam() == 0)) {
            continue; // without regularisation the L1 share changes nothing
          }
          Params p = new Params(reg, enet);
          LogisticRegressionModel lr = ConversionPipeline.regression(p, s.maxIter(), s.balanceClasses()).fit(train);
          Dataset<Row> scored = ConversionPipeline.withProbability(lr.transform(validation));
          Fit f = new Fit(p, ModelMetrics.logLoss(scored), ModelMetrics.aucRoc(scored));
          LOG.info("regParam {} elasticNetParam {}: validation log loss {}, AUC-ROC {}", reg, enet,
              String.format("%.5f", f.validationLogLoss()), String.format("%.4f", f.validationAuc()));
          out.add(f);
        }
      }
      return out;
    } finally {
      train.unpersist();
      validation.unpersist();
    }
  }

  /**
   * The grid point to train the model with: the lowest validation log loss. Of points with the same log loss, the
   * first in grid order (the order {@link #search} fits them: regParams, then elasticNetParams, as configured).
   *
   * @throws NoSuchElementException if the grid is empty
   */
  static Fit best(List<Fit> grid) {
    if (grid.isEmpty()) {
      throw new NoSuchElementException("the grid has no points");
    }
    // A loop, not Stream.min: its Javadoc does not say which of equal elements it returns, and the tie rule is ours.
    // Only a strictly lower loss replaces the best so far, so the first tied point stays; Double.compare as before.
    Fit best = grid.get(0);
    for (Fit f : grid) {
      if (Double.compare(f.validationLogLoss(), best.validationLogLoss()) < 0) {
        best = f;
      }
    }
    return best;
  }
}
