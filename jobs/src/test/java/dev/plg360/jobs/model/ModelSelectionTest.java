package dev.plg360.jobs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.ConversionPipeline.Params;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.FeatureDef.Kind;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import dev.plg360.jobs.model.ModelSelection.Fit;
import dev.plg360.jobs.model.ModelSelection.Split;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * TrainJob's time-based split, regularisation search and choice of the grid point on a few labelled rows, without
 * the job: which sign-up days hold the newest test-share of rows (the held-out cohort), which the validation-share
 * before them, the boundary dates the model's metadata records, the validation log loss the search reports for each
 * point of the grid, and which point {@code best} picks. {@code split}, {@code search}, {@code best} and the records
 * {@code Split} and {@code Fit} are package-private in TrainJob so that this test, in the same package, calls them
 * directly rather than running a whole training job for each case.
 */
class ModelSelectionTest extends SparkTestBase {

  private static final LocalDate DAY_1 = LocalDate.parse("2026-03-01");
  private static final List<FeatureDef> FEATURES = List.of(new FeatureDef("x", Kind.NUMERIC, null));
  private static final StructType ROWS = new StructType()
      .add(ConversionTraining.ENTITY_ID.field()).add(ConversionTraining.SIGNUP_DATE.field())
      .add(ConversionTraining.LABEL.field()).add("x", DataTypes.DoubleType);

  private static ModelSettings settings(String... keyValues) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return ModelSettings.from(Settings.defaults().with(m)).withFeatures(FEATURES);
  }

  private static Date day(int n) {
    return Date.valueOf(DAY_1.plusDays(n - 1L));
  }

  /** Rows signed up on day 1, 2, ...: {@code perDay[i]} rows on day i + 1, ids d&lt;day&gt;_&lt;n&gt;, label n % 2. */
  private Dataset<Row> rowsPerDay(int... perDay) {
    FrameBuilder f = frame(ROWS);
    for (int d = 0; d < perDay.length; d++) {
      for (int n = 0; n < perDay[d]; n++) {
        f.row(ConversionTraining.ENTITY_ID, String.format("d%02d_%d", d + 1, n), ConversionTraining.SIGNUP_DATE,
            day(d + 1), ConversionTraining.LABEL, n % 2, "x", (double) n);
      }
    }
    return ConversionPipeline.withWeights(f.build(), false);
  }

  /** The split's boundaries and the ids of each cohort, sorted: a Split with its datasets collected, to compare. */
  private record Cohorts(LocalDate validationFrom, LocalDate testFrom, LocalDate testTo, List<String> train,
                         List<String> validation, List<String> beforeTest, List<String> test) {}

  private static Cohorts split(Dataset<Row> rows, ModelSettings s) {
    Split split = ModelSelection.split(rows, s);
    return new Cohorts(split.validationFrom(), split.testFrom(), split.testTo(), ids(split.train()),
        ids(split.validation()), ids(split.beforeTest()), ids(split.test()));
  }

  private static List<String> ids(Dataset<Row> cohort) {
    return cohort.select(ConversionTraining.ENTITY_ID.name()).as(Encoders.STRING()).collectAsList().stream()
        .sorted().toList();
  }

  private static List<String> idsOfDays(int[] perDay, int fromDay, int toDay) {
    List<String> out = new ArrayList<>();
    for (int d = fromDay; d <= toDay; d++) {
      for (int n = 0; n < perDay[d - 1]; n++) {
        out.add(String.format("d%02d_%d", d, n));
      }
    }
    return out;
  }

  @Test
  void oneRowADayTheNewestTwentyPercentAreHeldOutAndTheTwentyPercentBeforeThemValidate() {
    int[] perDay = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    Cohorts c = split(rowsPerDay(perDay), settings());
    assertEquals(new Cohorts(DAY_1.plusDays(6), DAY_1.plusDays(8), DAY_1.plusDays(9),
        idsOfDays(perDay, 1, 6), idsOfDays(perDay, 7, 8), idsOfDays(perDay, 1, 8), idsOfDays(perDay, 9, 10)), c,
        "test: days 9 and 10 (2 of 10 rows); validation: days 7 and 8; training: days 1 to 6");
  }

  @Test
  void aDayIsNeverSplitTheDayThatReachesAShareGoesWholeToTheNewerCohort() {
    // 20 rows; newest first: day 6 has 2, day 5 has 5 (7 rows: past the 4 of the test share), day 4 has 3 (10 rows:
    // past the 8 of test + validation), days 3 to 1 the rest.
    int[] perDay = {4, 3, 3, 3, 5, 2};
    Cohorts c = split(rowsPerDay(perDay), settings());
    assertEquals(new Cohorts(DAY_1.plusDays(3), DAY_1.plusDays(4), DAY_1.plusDays(5),
        idsOfDays(perDay, 1, 3), idsOfDays(perDay, 4, 4), idsOfDays(perDay, 1, 4), idsOfDays(perDay, 5, 6)), c);
  }

  @Test
  void withThreeDaysEachCohortGetsOneDayHoweverTheRowsFall() {
    // The newest day alone is under the test share, and the middle one does not reach test + validation; still one
    // day each, so that no cohort is empty.
    int[] fewNew = {8, 1, 1};
    assertEquals(new Cohorts(DAY_1.plusDays(1), DAY_1.plusDays(2), DAY_1.plusDays(2),
        idsOfDays(fewNew, 1, 1), idsOfDays(fewNew, 2, 2), idsOfDays(fewNew, 1, 2), idsOfDays(fewNew, 3, 3)),
        split(rowsPerDay(fewNew), settings()));
    // The newest day holds most rows: it is the test cohort, and the next day still validates.
    int[] manyNew = {1, 1, 8};
    assertEquals(new Cohorts(DAY_1.plusDays(1), DAY_1.plusDays(2), DAY_1.plusDays(2),
        idsOfDays(manyNew, 1, 1), idsOfDays(manyNew, 2, 2), idsOfDays(manyNew, 1, 2), idsOfDays(manyNew, 3, 3)),
        split(rowsPerDay(manyNew), settings()));
  }

  @Test
  void fewerThanThreeSignUpDaysCannotBeSplit() {
    TrainingException e = assertThrows(TrainingException.class, () -> split(rowsPerDay(5, 5), settings()));
    assertEquals("the labelled rows signed up on 2 day(s); a time-based split needs at least 3", e.getMessage());
  }

  @Test
  void otherSharesMoveTheBoundaries() {
    // 30% test (3 rows: days 8 to 10), 30% validation (days 5 to 7), 40% training.
    int[] perDay = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    Cohorts c = split(rowsPerDay(perDay),
        settings("plg360.model.test-share", "0.3", "plg360.model.validation-share", "0.3"));
    assertEquals(new Cohorts(DAY_1.plusDays(4), DAY_1.plusDays(7), DAY_1.plusDays(9),
        idsOfDays(perDay, 1, 4), idsOfDays(perDay, 5, 7), idsOfDays(perDay, 1, 7), idsOfDays(perDay, 8, 10)), c);
  }

  @Test
  void tenAndTwentyPercentOfTenRowsAreOneAndTwoRows() {
    // In binary, (0.1 + 0.2) * 10 is 3.0000000000000004: 3 rows would not reach it and validation would take a third
    // day. The validation boundary compares exact decimals.
    int[] perDay = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    Cohorts c = split(rowsPerDay(perDay),
        settings("plg360.model.test-share", "0.1", "plg360.model.validation-share", "0.2"));
    assertEquals(new Cohorts(DAY_1.plusDays(7), DAY_1.plusDays(9), DAY_1.plusDays(9),
        idsOfDays(perDay, 1, 7), idsOfDays(perDay, 8, 9), idsOfDays(perDay, 1, 9), idsOfDays(perDay, 10, 10)), c,
        "test: day 10 (10%); validation: days 8 and 9 (20%); training: days 1 to 7");
  }

  @Test
  void twentyEightPercentOfTwentyFiveRowsIsSevenRows() {
    // In binary, 0.28 * 25 is 7.000000000000001: the 7 rows of day 5 would not reach it and the test cohort would
    // take day 4 as well. The test boundary compares exact decimals (0.28 + 0.2 = 0.48: 12 rows, not on a day's edge).
    int[] perDay = {3, 3, 6, 6, 7};
    Cohorts c = split(rowsPerDay(perDay),
        settings("plg360.model.test-share", "0.28", "plg360.model.validation-share", "0.2"));
    assertEquals(new Cohorts(DAY_1.plusDays(3), DAY_1.plusDays(4), DAY_1.plusDays(4),
        idsOfDays(perDay, 1, 3), idsOfDays(perDay, 4, 4), idsOfDays(perDay, 1, 4), idsOfDays(perDay, 5, 5)), c,
        "test: day 5 (7 rows, 28%); validation: day 4 (13 rows reach 48%); training: days 1 to 3");
  }

  // The search --------------------------------------------------------------------------------------------------

  /**
   * Training days 1 to 6, where a larger x goes with paying but not perfectly (so the unregularised fit is finite),
   * half of them paying; validation days 7 and 8, where it does exactly; test days 9 and 10.
   */
  private Dataset<Row> searchRows() {
    FrameBuilder f = frame(ROWS);
    double[] x = {0, 1, 2, 3, 4, 5, 0, 5, 1, 4};
    int[] label = {0, 0, 1, 0, 1, 1, 0, 1, 0, 1};
    for (int i = 0; i < x.length; i++) {
      f.row(ConversionTraining.ENTITY_ID, String.format("e%02d", i), ConversionTraining.SIGNUP_DATE, day(i + 1),
          ConversionTraining.LABEL, label[i], "x", x[i]);
    }
    return ConversionPipeline.withWeights(f.build(), false);
  }

  @Test
  void theSearchFitsEachGridPointOnTrainingAndReportsItsLogLossOnValidation() {
    ModelSettings s = settings("plg360.model.reg-params", "[0.0, 1000000.0]",
        "plg360.model.elastic-net-params", "[0.0, 0.5]");
    List<Fit> fits = ModelSelection.search(ModelSelection.split(searchRows(), s), s);
    List<Params> params = fits.stream().map(Fit::params).toList();
    List<Double> losses = fits.stream().map(Fit::validationLogLoss).toList();
    // Without regularisation the L1 share changes nothing: (0, 0.5) is not fitted again.
    assertEquals(List.of(new Params(0.0, 0.0), new Params(1e6, 0.0), new Params(1e6, 0.5)), params);
    // Regularised that hard, the coefficient is 0 and every validation row gets the training base rate, 1/2:
    // the log loss of predicting 1/2 is ln 2.
    assertEquals(Math.log(2), losses.get(1), 1e-5, "ridge at 1e6");
    assertEquals(Math.log(2), losses.get(2), 1e-9, "elastic net at 1e6: the L1 part zeroes the coefficient");
    // Unregularised, x ranks the two validation rows right: below ln 2.
    assertTrue(losses.get(0) < Math.log(2) - 0.1, "unregularised: " + losses);
    assertSame(fits.get(0), ModelSelection.best(fits), "the unregularised point has the lowest validation log loss");
  }

  // The choice -------------------------------------------------------------------------------------------------

  private static Fit fit(double regParam, double validationLogLoss) {
    return new Fit(new Params(regParam, 0.0), validationLogLoss, 0.5);
  }

  @Test
  void theBestPointHasTheLowestValidationLogLoss() {
    Fit lowest = fit(0.1, 0.30);
    List<Fit> grid = List.of(fit(0.0, 0.70), fit(0.01, 0.45), lowest, fit(1.0, 0.52));
    assertSame(lowest, ModelSelection.best(grid));
  }

  @Test
  void ofTwoPointsWithTheSameLowestLogLossTheFirstInGridOrderIsBest() {
    // Distinct parameters, so that picking the second one would show.
    Fit first = fit(0.01, 0.40);
    Fit second = fit(0.1, 0.40);
    assertSame(first, ModelSelection.best(List.of(fit(0.0, 0.60), first, second, fit(1.0, 0.50))));
    assertSame(second, ModelSelection.best(List.of(second, first)), "the order decides, not the parameters");
  }
}
