package dev.plg360.common.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plg360.common.tables.ModelTables.Predictions;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The held-out metrics on hand-made (label, probability) rows, each against a value computed here from its
 * definition rather than by the code under test: AUC-ROC as the share of (payer, non-payer) pairs ranked right (a
 * tie half right); AUC-PR as Spark's BinaryClassificationMetrics defines it (the trapezoidal area under the
 * (recall, precision) points of each distinct probability, highest first, starting at recall 0 with the precision
 * of the highest); log loss with probabilities kept within [1e-15, 1 - 1e-15]; Brier score; deciles, their lift
 * and the expected calibration error.
 */
class ModelMetricsTest extends SparkTestBase {

  private static final StructType PREDICTIONS = new StructType()
      .add(Predictions.ENTITY_ID.field()).add(Predictions.LABEL.field()).add(Predictions.PROBABILITY.field());

  private record Scored(int label, double p) {}

  private Dataset<Row> predictions(List<Scored> rows) {
    FrameBuilder f = frame(PREDICTIONS);
    for (int i = 0; i < rows.size(); i++) {
      f.row(Predictions.ENTITY_ID, String.format("e%02d", i), Predictions.LABEL, rows.get(i).label(),
          Predictions.PROBABILITY, rows.get(i).p());
    }
    return f.build();
  }

  /** AUC-ROC by its rank definition: pairs of a payer and a non-payer ordered right, a tie counting half. */
  private static double aucRocByPairs(List<Scored> rows) {
    double right = 0;
    long pairs = 0;
    for (Scored pos : rows) {
      for (Scored neg : rows) {
        if (pos.label() == 1 && neg.label() == 0) {
          pairs++;
          right += pos.p() > neg.p() ? 1 : pos.p() == neg.p() ? 0.5 : 0;
        }
      }
    }
    return right / pairs;
  }

  /**
   * AUC-PR as Spark computes it: one (recall, precision) point per distinct probability, highest first, counting
   * every row at or above it as predicted to pay; (0, precision of the first point) before them; trapezoids between.
   */
  private static double aucPrBySparksCurve(List<Scored> rows) {
    TreeMap<Double, long[]> byProbability = new TreeMap<>(Comparator.reverseOrder());
    long positives = 0;
    for (Scored s : rows) {
      byProbability.computeIfAbsent(s.p(), k -> new long[2])[s.label()]++;
      positives += s.label();
    }
    List<double[]> curve = new ArrayList<>();
    long tp = 0;
    long fp = 0;
    for (long[] counts : byProbability.values()) {
      fp += counts[0];
      tp += counts[1];
      curve.add(new double[] {(double) tp / positives, (double) tp / (tp + fp)});
    }
    curve.add(0, new double[] {0.0, curve.get(0)[1]});
    double area = 0;
    for (int i = 1; i < curve.size(); i++) {
      area += (curve.get(i)[0] - curve.get(i - 1)[0]) * (curve.get(i)[1] + curve.get(i - 1)[1]) / 2;
    }
    return area;
  }

  /** Seven rows, four payers; 0.4 is shared by a payer and a non-payer. */
  private static final List<Scored> SEVEN = List.of(new Scored(1, 0.9), new Scored(0, 0.8), new Scored(1, 0.7),
      new Scored(1, 0.6), new Scored(0, 0.4), new Scored(1, 0.4), new Scored(0, 0.2));

  @Test
  void aucRocAndAucPrFollowTheirDefinitionsWithTiedProbabilitiesAsOneThreshold() {
    ModelMetrics m = ModelMetrics.of(ModelMetrics.withDeciles(predictions(SEVEN)));
    // Pairs: 0.9 beats all 3 non-payers, 0.7 and 0.6 beat 2 each, 0.4 beats 0.2 and ties 0.4: 8.5 of 12.
    assertEquals(8.5 / 12, aucRocByPairs(SEVEN), 1e-12);
    assertEquals(8.5 / 12, m.aucRoc(), 1e-12);
    // (recall, precision): (0, 1) (.25, 1) (.25, .5) (.5, 2/3) (.75, .75) (1, 2/3) (1, 4/7):
    // 0.25 + 0 + 0.25 x (1/2 + 2/3) / 2 + 0.25 x (2/3 + 3/4) / 2 x 2 + 0 = 0.75.
    assertEquals(0.75, aucPrBySparksCurve(SEVEN), 1e-12);
    assertEquals(0.75, m.aucPr(), 1e-12);
    assertEquals(8.5 / 12, ModelMetrics.aucRoc(predictions(SEVEN)), 1e-12, "the validation cohort's AUC alone");

    // The ROC curve the report draws: (0, 0), one point per distinct probability from the highest, then (1, 1).
    List<double[]> roc = ModelMetrics.rocCurve(predictions(SEVEN));
    double[][] expected = {{0, 0}, {0, 0.25}, {1.0 / 3, 0.25}, {1.0 / 3, 0.5}, {1.0 / 3, 0.75}, {2.0 / 3, 1}, {1, 1},
        {1, 1}};
    assertEquals(expected.length, roc.size());
    for (int i = 0; i < expected.length; i++) {
      assertArrayEquals(expected[i], roc.get(i), 1e-12, "point " + i);
    }
  }

  @Test
  void logLossIsTheMeanNegativeLogLikelihoodWithProbabilitiesKeptOffZeroAndOne() {
    List<Scored> rows = List.of(new Scored(1, 0.8), new Scored(0, 0.25), new Scored(0, 0.0), new Scored(0, 1.0),
        new Scored(1, 0.5));
    double eps = 1e-15;
    double expected = 0;
    for (Scored s : rows) {
      double p = Math.min(Math.max(s.p(), eps), 1 - eps);
      expected -= s.label() * Math.log(p) + (1 - s.label()) * Math.log(1 - p);
    }
    expected /= rows.size();
    // A confident miss (0 predicted 1.0) costs about -ln(1e-15) = 34.54, not infinity; a confident hit about 0:
    // (0.2231 + 0.2877 + 0 + 34.5396 + 0.6931) / 5.
    assertEquals(7.14871, expected, 1e-5, "the hand computation itself");
    Dataset<Row> df = predictions(rows);
    assertEquals(expected, ModelMetrics.logLoss(df), 1e-12, "what the grid compares fits by");
    ModelMetrics m = ModelMetrics.of(ModelMetrics.withDeciles(df));
    assertEquals(expected, m.logLoss(), 1e-12);
    assertEquals((0.04 + 0.0625 + 0 + 1 + 0.25) / 5, m.brier(), 1e-12, "Brier: mean squared gap, unclipped");
    assertEquals(5, m.rows());
    assertEquals(0.4, m.baseRate(), 1e-12);
  }

  @Test
  void decilesSplitTheRowsByProbabilityAndTheTopOnesLiftIsItsRateOverTheBaseRate() {
    // Twenty rows at 0.95, 0.90, ..., 0.00: two per decile. Five payers, at ranks 1, 2, 4, 7 and 11.
    List<Integer> payers = List.of(1, 2, 4, 7, 11);
    List<Scored> rows = new ArrayList<>();
    for (int rank = 1; rank <= 20; rank++) {
      rows.add(new Scored(payers.contains(rank) ? 1 : 0, (20 - rank) * 0.05));
    }
    ModelMetrics m = ModelMetrics.of(ModelMetrics.withDeciles(predictions(rows)));
    assertEquals(20, m.rows());
    assertEquals(0.25, m.baseRate(), 1e-12);
    assertEquals(1.0, m.topDecileRate(), 1e-12, "both of the two likeliest paid");
    assertEquals(4.0, m.topDecileLift(), 1e-12, "1.0 against 0.25");

    long[] converted = {2, 1, 0, 1, 0, 1, 0, 0, 0, 0};
    double ece = 0;
    assertEquals(10, m.deciles().size());
    for (int d = 1; d <= 10; d++) {
      ModelMetrics.Decile decile = m.deciles().get(d - 1);
      double meanPredicted = ((20 - (2 * d - 1)) * 0.05 + (20 - 2 * d) * 0.05) / 2;
      double observed = converted[d - 1] / 2.0;
      assertEquals(d, decile.decile());
      assertEquals(2, decile.rows());
      assertEquals(converted[d - 1], decile.converted(), "decile " + d);
      assertEquals(meanPredicted, decile.meanPredicted(), 1e-12, "decile " + d);
      assertEquals(observed, decile.observedRate(), 1e-12, "decile " + d);
      assertEquals(observed / 0.25, decile.lift(), 1e-12, "decile " + d);
      ece += 2.0 / 20 * Math.abs(meanPredicted - observed);
    }
    assertEquals(0.255, ece, 1e-12, "the hand computation itself");
    assertEquals(ece, m.ece(), 1e-12);
    assertEquals(aucRocByPairs(rows), m.aucRoc(), 1e-12);
    assertEquals(aucPrBySparksCurve(rows), m.aucPr(), 1e-12);
  }

  @Test
  void tiedProbabilitiesFallIntoDecilesByEntityIdSoARerunGivesTheSameDeciles() {
    List<Scored> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rows.add(new Scored(i % 2, 0.5));
    }
    List<Row> deciles = ModelMetrics.withDeciles(predictions(rows)).orderBy(Predictions.ENTITY_ID.name())
        .select("decile").collectAsList();
    for (int i = 0; i < 20; i++) {
      assertEquals(i / 2 + 1, deciles.get(i).getInt(0), "e" + i + " is the " + (i + 1) + "th by id");
    }
  }
}
