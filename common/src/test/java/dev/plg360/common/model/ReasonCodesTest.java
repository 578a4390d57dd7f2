package dev.plg360.common.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plg360.common.model.ConversionPipeline.Term;
import dev.plg360.common.model.FeatureDef.Kind;
import dev.plg360.common.tables.ModelTables.Predictions;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Reason codes from a regression whose coefficients the test sets, on standardised inputs it sets too, so that every
 * contribution (coefficient x standardised value, summed over a feature's terms) is known by hand: reasons_up lists
 * the features raising the log-odds most, largest first; reasons_down those lowering it most, most negative first,
 * with their negative contributions; each with the feature's value as text; under 0.01 either way is not listed.
 */
class ReasonCodesTest extends SparkTestBase {

  private static final List<FeatureDef> FEATURES = List.of(
      new FeatureDef("invites", Kind.COUNT, null),
      new FeatureDef("industry", Kind.CATEGORICAL, null),
      new FeatureDef("personal", Kind.BINARY, null),
      new FeatureDef("active_days", Kind.NUMERIC, null),
      new FeatureDef("decoy_uses", Kind.COUNT, null),
      new FeatureDef("not_in_model", Kind.NUMERIC, null)); // no term: never a reason

  /** The regression's terms in coefficient order; industry has two (its categories), summed into one reason. */
  private static final List<Term> TERMS = List.of(
      new Term("log1p(invites)", "invites"),
      new Term("industry = Software", "industry"),
      new Term("industry = Retail", "industry"),
      new Term("personal", "personal"),
      new Term("active_days", "active_days"),
      new Term("log1p(decoy_uses)", "decoy_uses"));

  private static final double[] COEFFICIENTS = {0.8, 0.5, -0.3, -1.2, 0.4, 0.02};

  private static final StructType SCORED = new StructType()
      .add(Predictions.ENTITY_ID.field())
      .add(ConversionPipeline.SCALED, new VectorUDT())
      .add("invites", DataTypes.DoubleType).add("industry", DataTypes.StringType)
      .add("personal", DataTypes.DoubleType).add("active_days", DataTypes.DoubleType)
      .add("decoy_uses", DataTypes.DoubleType).add("not_in_model", DataTypes.DoubleType);

  /** A pipeline whose last stage, the one ReasonCodes reads, is a regression with the given coefficients. */
  private static PipelineModel model() {
    LogisticRegressionModel lr = new LogisticRegressionModel("lr", Vectors.dense(COEFFICIENTS), -1.0);
    return new PipelineModel("pipeline", new Transformer[] {lr});
  }

  private record Reason(String feature, String value, double contribution) {}

  private static List<Reason> reasons(Row r, String column) {
    List<Reason> out = new ArrayList<>();
    for (Row reason : r.<Row>getList(r.fieldIndex(column))) {
      out.add(new Reason(reason.getAs("feature"), reason.getAs("value"), reason.getAs("contribution")));
    }
    return out;
  }

  private static void assertReasons(List<Reason> expected, List<Reason> actual, String what) {
    assertEquals(expected.stream().map(x -> x.feature() + "=" + x.value()).toList(),
        actual.stream().map(x -> x.feature() + "=" + x.value()).toList(), what);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).contribution(), actual.get(i).contribution(), 1e-12, what + " " + expected.get(i));
    }
  }

  private Map<String, Row> explain(int howMany) {
    FrameBuilder f = frame(SCORED);
    // e1: many invites, Software rather than Retail, personal, a little less active than average.
    f.row(Predictions.ENTITY_ID, "e1", ConversionPipeline.SCALED, Vectors.dense(1.5, 1.0, -0.5, 2.0, -0.25, 0.5),
        "invites", 26.0, "industry", "Software", "personal", 1.0, "active_days", 3.5, "decoy_uses", 7.0,
        "not_in_model", 99.0);
    // e2: few invites, an average industry, a business domain, very active; decoy below the threshold either way.
    f.row(Predictions.ENTITY_ID, "e2", ConversionPipeline.SCALED, Vectors.dense(-1.0, 0.0, 0.0, -0.5, 3.0, -0.25),
        "invites", 0.0, "industry", null, "personal", 0.0, "active_days", 12.0, "decoy_uses", 1.0);
    Dataset<Row> explained = ReasonCodes.explain(f.build(), model(), TERMS, FEATURES, howMany);
    Map<String, Row> out = new HashMap<>();
    for (Row r : explained.collectAsList()) {
      out.put(r.getAs(Predictions.ENTITY_ID.name()), r);
    }
    return out;
  }

  @Test
  void reasonsAreTheLargestContributionsEachWaySignedAndSummedOverAFeaturesTerms() {
    Map<String, Row> rows = explain(3);
    Row e1 = rows.get("e1");
    // invites 0.8 x 1.5 = 1.2; industry 0.5 x 1.0 + (-0.3) x (-0.5) = 0.65; decoy 0.02 x 0.5 = 0.01, the threshold:
    // listed. personal -1.2 x 2.0 = -2.4; active_days 0.4 x -0.25 = -0.1.
    assertReasons(List.of(new Reason("invites", "26", 1.2), new Reason("industry", "Software", 0.65),
        new Reason("decoy_uses", "7", 0.01)), reasons(e1, "reasons_up"), "e1 up");
    assertReasons(List.of(new Reason("personal", "1", -2.4), new Reason("active_days", "3.5", -0.1)),
        reasons(e1, "reasons_down"), "e1 down");

    Row e2 = rows.get("e2");
    // active_days 0.4 x 3 = 1.2; personal -1.2 x -0.5 = 0.6 (a business domain raises it); invites 0.8 x -1 = -0.8;
    // industry 0 and decoy 0.02 x -0.25 = -0.005 explain nothing.
    assertReasons(List.of(new Reason("active_days", "12", 1.2), new Reason("personal", "0", 0.6)),
        reasons(e2, "reasons_up"), "e2 up");
    assertReasons(List.of(new Reason("invites", "0", -0.8)), reasons(e2, "reasons_down"), "e2 down");
  }

  @Test
  void onlyTheConfiguredNumberOfReasonsIsKeptTheStrongestOnes() {
    Map<String, Row> rows = explain(1);
    assertReasons(List.of(new Reason("invites", "26", 1.2)), reasons(rows.get("e1"), "reasons_up"), "e1 up");
    assertReasons(List.of(new Reason("personal", "1", -2.4)), reasons(rows.get("e1"), "reasons_down"), "e1 down");
    assertReasons(List.of(new Reason("active_days", "12", 1.2)), reasons(rows.get("e2"), "reasons_up"), "e2 up");
  }

  @Test
  void aMissingValueReadsMissing() {
    FrameBuilder f = frame(SCORED);
    f.row(Predictions.ENTITY_ID, "e3", ConversionPipeline.SCALED, Vectors.dense(-2.0, 0.0, 0.0, 0.0, 0.0, 0.0));
    Row e3 = ReasonCodes.explain(f.build(), model(), TERMS, FEATURES, 3).first();
    // Imputed to below average in the pipeline, so it lowers the odds; the person reads that the value was missing.
    assertReasons(List.of(new Reason("invites", "(missing)", -1.6)), reasons(e3, "reasons_down"), "e3 down");
    assertEquals(List.of(), reasons(e3, "reasons_up"));
  }
}
