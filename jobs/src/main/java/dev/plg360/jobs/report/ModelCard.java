package dev.plg360.jobs.report;

import static dev.plg360.jobs.report.Html.count;
import static dev.plg360.jobs.report.Html.fixed;
import static dev.plg360.jobs.report.Html.num;
import static dev.plg360.jobs.report.Html.percent;

import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ModelMetrics;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.run.RunMetrics;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ModelTables.Calibration;
import dev.plg360.common.tables.ModelTables.Coefficients;
import dev.plg360.common.tables.ModelTables.Predictions;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.jobs.report.Charts.Bars;
import dev.plg360.jobs.report.Charts.Line;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The model card of the current conversion model (the registry's {@code current} version): its held-out metrics
 * beside the version it replaced, ROC and calibration curves, lift by decile, odds ratios and the data it was
 * trained on. From gold.model_versions, gold.model_calibration, gold.model_coefficients and gold.model_predictions;
 * the metrics are the ones training stored, only the ROC points are computed here, from the held-out predictions.
 */
final class ModelCard {
  private ModelCard() {}

  static final String FILE = "model-card.html";
  static final String TITLE = "Conversion model card";
  private static final int MAX_TERMS = 15;
  private static final int MAX_ROC_POINTS = 2000;
  private static final String INTERCEPT = "(intercept)";

  /** What the card shows. {@code model} is empty when there is no current version (or no row for it). */
  record Data(String registry, Optional<String> current, List<Row> versions, Optional<Row> model, Optional<Row> previous,
              List<Row> calibration, List<Row> coefficients, List<double[]> roc, List<double[]> previousRoc) {}

  static Data read(Lake lake, ModelRegistry registry, RunMetrics metrics) {
    Optional<String> current = registry.current();
    List<Row> versions = lake.exists(Versions.TABLE)
        ? lake.read(Versions.TABLE).orderBy(Versions.VERSION.col()).collectAsList() : List.of();
    metrics.read(Versions.TABLE.qualifiedName(), versions.size());
    Optional<Row> model = current.flatMap(v -> version(versions, v));
    if (model.isEmpty()) {
      return new Data(registry.dir().toString(), current, versions, model, Optional.empty(), List.of(), List.of(),
          List.of(), List.of());
    }
    String v = current.get();
    Optional<Row> previous = previous(versions, model.get());
    List<Row> calibration = ofVersion(lake, Calibration.TABLE, Calibration.VERSION, v)
        .orderBy(Calibration.DECILE.col()).collectAsList();
    List<Row> coefficients = ofVersion(lake, Coefficients.TABLE, Coefficients.VERSION, v)
        .orderBy(Coefficients.RANK.col()).collectAsList();
    List<double[]> roc = roc(lake, v, metrics);
    List<double[]> previousRoc = previous.map(p -> roc(lake, p.<String>getAs(Versions.VERSION.name()), metrics))
        .orElse(List.of());
    metrics.read(Calibration.TABLE.qualifiedName(), calibration.size());
    metrics.read(Coefficients.TABLE.qualifiedName(), coefficients.size());
    return new Data(registry.dir().toString(), current, versions, model, previous, calibration, coefficients, roc,
        previousRoc);
  }

  private static Optional<Row> version(List<Row> versions, String version) {
    return versions.stream().filter(r -> version.equals(r.getAs(Versions.VERSION.name()))).findFirst();
  }

  /**
   * The version to compare with: the one the current version was compared with when it was trained (the model it
   * replaced), else the newest version trained before it.
   */
  private static Optional<Row> previous(List<Row> versions, Row model) {
    String champion = model.getAs(Versions.CHAMPION_VERSION.name());
    if (champion != null) {
      Optional<Row> r = version(versions, champion);
      if (r.isPresent()) {
        return r;
      }
    }
    int number = ModelRegistry.number(model.getAs(Versions.VERSION.name()));
    return versions.stream()
        .filter(r -> ModelRegistry.number(r.getAs(Versions.VERSION.name())) < number)
        .reduce((a, b) -> b);
  }

  private static Dataset<Row> ofVersion(Lake lake, dev.plg360.common.tables.TableDef t, Col versionCol, String version) {
    if (!lake.exists(t)) {
      return lake.spark().createDataFrame(List.of(), t.schema());
    }
    return lake.read(t).where(versionCol.col().equalTo(version));
  }

  /** The ROC curve of a version's held-out predictions, thinned to a few thousand points for the chart. */
  private static List<double[]> roc(Lake lake, String version, RunMetrics metrics) {
    Dataset<Row> predictions = ofVersion(lake, Predictions.TABLE, Predictions.VERSION, version)
        .select(Predictions.LABEL.col(), Predictions.PROBABILITY.col()).cache();
    try {
      if (predictions.isEmpty()) {
        return List.of();
      }
      List<double[]> points = ModelMetrics.rocCurve(predictions);
      if (points.size() <= MAX_ROC_POINTS) {
        return points;
      }
      List<double[]> thinned = new ArrayList<>();
      int step = points.size() / MAX_ROC_POINTS + 1;
      for (int i = 0; i < points.size(); i += step) {
        thinned.add(points.get(i));
      }
      thinned.add(points.get(points.size() - 1));
      return thinned;
    } finally {
      predictions.unpersist();
    }
  }

  // ------------------------------------------------------------------------------------------------ HTML

  private enum Better { HIGHER, LOWER, NEITHER }

  /** A metric of gold.model_versions as the card shows it, with how to format its value and its change. */
  private record Metric(Col col, String name, Better better, DoubleFunction<String> format,
                        DoubleFunction<String> change, String meaning) {}

  private static final DoubleFunction<String> FIXED3 = v -> fixed(v, 3);
  private static final DoubleFunction<String> CHANGE3 = v -> String.format(Locale.ROOT, "%+.3f", v);

  private static final List<Metric> METRICS = List.of(
      new Metric(Versions.AUC_ROC, "AUC-ROC", Better.HIGHER, FIXED3, CHANGE3,
          "chance that a workspace that paid is ranked above one that did not (0.5: a coin toss)"),
      new Metric(Versions.AUC_PR, "AUC-PR", Better.HIGHER, FIXED3, CHANGE3,
          "precision averaged over recall; compare with the base rate, what a random ranking gets"),
      new Metric(Versions.LOG_LOSS, "log loss", Better.LOWER, FIXED3, CHANGE3, "penalises confident wrong probabilities"),
      new Metric(Versions.BRIER, "Brier score", Better.LOWER, FIXED3, CHANGE3, "mean squared error of the probability"),
      new Metric(Versions.ECE, "ECE", Better.LOWER, FIXED3, CHANGE3,
          "expected calibration error: mean gap between predicted and observed rate over the deciles"),
      new Metric(Versions.BASE_RATE, "base rate", Better.NEITHER, Html::percent,
          v -> String.format(Locale.ROOT, "%+.1f pp", 100 * v), "share of the held-out cohort that paid"),
      new Metric(Versions.TOP_DECILE_RATE, "top-decile rate", Better.HIGHER, Html::percent,
          v -> String.format(Locale.ROOT, "%+.1f pp", 100 * v), "share that paid among the 10% with the highest probability"),
      new Metric(Versions.TOP_DECILE_LIFT, "top-decile lift", Better.HIGHER, v -> fixed(v, 2) + "x",
          v -> String.format(Locale.ROOT, "%+.2f", v), "top-decile rate / base rate"),
      new Metric(Versions.TRAIN_ROWS, "training rows", Better.NEITHER, v -> count((long) v),
          v -> String.format(Locale.ROOT, "%+,d", (long) v), "rows the final model was fitted on"),
      new Metric(Versions.TEST_ROWS, "held-out rows", Better.NEITHER, v -> count((long) v),
          v -> String.format(Locale.ROOT, "%+,d", (long) v), "rows of the newest cohort the metrics are measured on"));

  static String html(Data d) {
    if (d.model().isEmpty()) {
      String why = d.current().map(v -> "The registry names " + v + " as current, but " + Versions.TABLE.qualifiedName()
          + " has no row for it.").orElse("No conversion model yet: the registry at " + d.registry()
          + " has no current version.");
      return Html.page(TITLE, "no current model", Html.h2("No model") + Html.p(why)
          + Html.p("Run plg360 train (docs/MODEL.md) once gold.conversion_training has enough labelled rows; "
              + "the run report beside this card shows the runs so far.") + versionsTable(d));
    }
    Row m = d.model().get();
    String v = m.getAs(Versions.VERSION.name());
    StringBuilder b = new StringBuilder();
    b.append(Html.p("Version " + v + " scores accounts now (registry " + d.registry() + "). Trained "
        + Html.timestamp(m.getAs(Versions.TRAINED_AT.name())) + " UTC as of " + m.getAs(Versions.AS_OF.name()) + " by run "
        + m.getAs(Versions.RUN_ID.name()) + ". Decision: " + m.getAs(Versions.DECISION.name())));
    b.append(metricsSection(m, d.previous()));
    b.append(rocSection(v, d));
    b.append(calibrationSection(d.calibration()));
    b.append(liftSection(d.calibration()));
    b.append(oddsSection(d.coefficients()));
    b.append(trainingSection(m));
    b.append(versionsTable(d));
    return Html.page(TITLE + " " + v, "plg360 conversion model " + v + ": how well it ranks and how well its "
        + "probabilities match what happened, on the newest cohort, held out from training", b.toString());
  }

  private static String metricsSection(Row m, Optional<Row> previous) {
    String v = m.getAs(Versions.VERSION.name());
    String pv = previous.map(p -> p.<String>getAs(Versions.VERSION.name())).orElse(null);
    List<String> headers = new ArrayList<>(List.of("metric", v + " (current)"));
    if (pv != null) {
      headers.addAll(List.of(pv + " (previous)", "change"));
    }
    headers.add("what it says");
    List<List<?>> rows = new ArrayList<>();
    for (Metric x : METRICS) {
      Double now = number(m, x.col());
      List<Object> row = new ArrayList<>(List.of(x.name(), num(now == null ? "-" : x.format().apply(now))));
      if (pv != null) {
        Double then = number(previous.get(), x.col());
        row.add(num(then == null ? "-" : x.format().apply(then)));
        row.add(change(x, now, then));
      }
      row.add(x.meaning());
      rows.add(row);
    }
    String compared = pv == null ? "This is the first version: there is none to compare with."
        : "Each version is measured on its own held-out cohort (the newest sign-ups when it was trained), so a change "
            + "mixes the model and the cohort. When " + v + " was trained, " + pv + " scored AUC-ROC "
            + Optional.ofNullable(number(m, Versions.CHAMPION_AUC_ROC)).map(FIXED3::apply).orElse("-") + " on "
            + v + "'s cohort.";
    return Html.h2("Held-out metrics") + Html.table(headers, rows) + Html.note(compared);
  }

  private static Html.Cell change(Metric x, Double now, Double then) {
    if (now == null || then == null) {
      return num("-");
    }
    double delta = now - then;
    String css = x.better() == Better.NEITHER || Math.abs(delta) < 1e-12 ? "n"
        : (delta > 0) == (x.better() == Better.HIGHER) ? "n better" : "n worse";
    return Html.cell(x.change().apply(delta), css);
  }

  private static Double number(Row r, Col c) {
    Object v = r.getAs(c.name());
    return v == null ? null : ((Number) v).doubleValue();
  }

  private static String rocSection(String v, Data d) {
    if (d.roc().isEmpty()) {
      return Html.h2("ROC curve") + Html.p("No held-out predictions of " + v + " in "
          + Predictions.TABLE.qualifiedName() + ".");
    }
    List<Line> lines = new ArrayList<>();
    lines.add(line(v + " (current)", d.roc(), Charts.BLUE));
    d.previous().filter(p -> !d.previousRoc().isEmpty()).ifPresent(p ->
        lines.add(line(p.<String>getAs(Versions.VERSION.name()) + " (previous, its own cohort)", d.previousRoc(), Charts.GREY)));
    lines.add(new Line("chance", new double[] {0, 1}, new double[] {0, 1}, Charts.GREY, true, false));
    byte[] png = Charts.unitSquare("ROC curve, held-out cohort", "false positive rate (of those who did not pay)",
        "true positive rate (of those who paid)", 1.0, lines);
    return Html.h2("ROC curve") + Html.img(png, "ROC curve of " + v)
        + Html.note("Each point is a probability threshold: above it, the share of paying workspaces caught (up) "
            + "against the share of non-paying ones flagged too (right). The closer the curve hugs the top left, the "
            + "better the ranking; the dashed diagonal is a random ranking. The area under it is the AUC-ROC above. "
            + "From " + Predictions.TABLE.qualifiedName() + ".");
  }

  private static Line line(String name, List<double[]> points, java.awt.Color color) {
    return new Line(name, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray(),
        color, false, false);
  }

  private static String calibrationSection(List<Row> deciles) {
    if (deciles.isEmpty()) {
      return Html.h2("Calibration") + Html.p("No calibration rows in " + Calibration.TABLE.qualifiedName() + ".");
    }
    double[] predicted = deciles.stream().mapToDouble(r -> r.<Double>getAs(Calibration.MEAN_PREDICTED.name())).toArray();
    double[] observed = deciles.stream().mapToDouble(r -> r.<Double>getAs(Calibration.OBSERVED_RATE.name())).toArray();
    double max = Math.min(1.0, Math.ceil(10 * 1.1 * Math.max(max(predicted), max(observed))) / 10);
    byte[] png = Charts.unitSquare("Calibration by decile", "mean predicted probability", "observed conversion rate", max,
        List.of(new Line("deciles", predicted, observed, Charts.BLUE, false, true),
            new Line("perfect calibration", new double[] {0, max}, new double[] {0, max}, Charts.GREY, true, false)));
    List<List<?>> rows = new ArrayList<>();
    for (Row r : deciles) {
      rows.add(List.of(num(String.valueOf(r.<Integer>getAs(Calibration.DECILE.name()))),
          num(count(r.<Long>getAs(Calibration.ROWS.name()))), num(count(r.<Long>getAs(Calibration.CONVERTED.name()))),
          num(percent(r.<Double>getAs(Calibration.MEAN_PREDICTED.name()))),
          num(percent(r.<Double>getAs(Calibration.OBSERVED_RATE.name()))),
          num(fixed(r.<Double>getAs(Calibration.LIFT.name()), 2) + "x")));
    }
    return Html.h2("Calibration") + Html.img(png, "calibration by decile")
        + Html.note("Each point is a tenth of the held-out cohort by predicted probability: its mean prediction (right) "
            + "against the share that really paid (up). On the dashed diagonal, a probability of 20% means one in five "
            + "paid. Points below it: the model promises too much; above it: too little. From "
            + Calibration.TABLE.qualifiedName() + ".")
        + Html.table(List.of("decile (1: highest)", "rows", "paid", "mean predicted", "observed", "lift"), rows);
  }

  private static double max(double[] xs) {
    double m = 0;
    for (double x : xs) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static String liftSection(List<Row> deciles) {
    if (deciles.isEmpty()) {
      return "";
    }
    List<String> names = deciles.stream().map(r -> String.valueOf(r.<Integer>getAs(Calibration.DECILE.name()))).toList();
    List<Double> lift = deciles.stream().map(r -> r.<Double>getAs(Calibration.LIFT.name())).toList();
    byte[] png = Charts.bars("Lift by decile", "decile of predicted probability (1: highest)",
        "conversion rate / base rate", names, List.of(new Bars("lift", lift, Charts.BLUE, false),
            new Bars("base rate (lift 1)", Collections.nCopies(names.size(), 1.0), Charts.ORANGE, true)), "0.0");
    return Html.h2("Lift by decile") + Html.img(png, "lift by decile")
        + Html.note("How many times the cohort's conversion rate each tenth converted at. Calling the first deciles "
            + "first finds the paying workspaces sooner; a useful model's bars fall from left to right.");
  }

  private static String oddsSection(List<Row> coefficients) {
    List<Row> terms = coefficients.stream().filter(r -> !INTERCEPT.equals(r.getAs(Coefficients.TERM.name()))).toList();
    if (terms.isEmpty()) {
      return Html.h2("Behaviours that go with paying") + Html.p("No coefficients in "
          + Coefficients.TABLE.qualifiedName() + ".");
    }
    List<Row> shown = terms.subList(0, Math.min(MAX_TERMS, terms.size()));
    List<String> names = shown.stream().map(r -> r.<String>getAs(Coefficients.TERM.name())).toList();
    List<Double> up = new ArrayList<>();
    List<Double> down = new ArrayList<>();
    for (Row r : shown) {
      double or = r.getAs(Coefficients.ODDS_RATIO.name());
      up.add(or >= 1 ? or : null);
      down.add(or < 1 ? or : null);
    }
    byte[] png = Charts.bars("Odds ratios, strongest " + shown.size() + " terms", "", "odds ratio per standard deviation",
        names, List.of(new Bars("more likely to pay", up, Charts.GREEN, false),
            new Bars("less likely to pay", down, Charts.ORANGE, false),
            new Bars("no effect (1)", Collections.nCopies(names.size(), 1.0), Charts.GREY, true)), "0.00");
    List<List<?>> rows = new ArrayList<>();
    for (Row r : terms) {
      rows.add(List.of(num(String.valueOf(r.<Integer>getAs(Coefficients.RANK.name()))), r.<String>getAs(Coefficients.TERM.name()),
          num(fixed(r.<Double>getAs(Coefficients.COEFFICIENT.name()), 3)),
          num(fixed(r.<Double>getAs(Coefficients.ODDS_RATIO.name()), 2)), r.<String>getAs(Coefficients.DIRECTION.name())));
    }
    return Html.h2("Behaviours that go with paying") + Html.img(png, "odds ratios")
        + Html.note("How the odds of paying multiply with one standard deviation more of each input, the others held "
            + "equal: 1.4 is 40% higher odds, 0.7 is 30% lower, 1 (dashed) is no effect. Counts enter as log1p, "
            + "categories as 'feature = value'. Associations in the training data, not causes. From "
            + Coefficients.TABLE.qualifiedName() + ".")
        + Html.table(List.of("rank", "term", "coefficient", "odds ratio", "direction"), rows);
  }

  private static String trainingSection(Row m) {
    List<List<?>> rows = List.of(
        List.of("training table", m.getAs(Versions.TRAINING_TABLE.name())),
        List.of("Delta version", Optional.ofNullable(m.getAs(Versions.TRAINING_VERSION.name())).map(String::valueOf).orElse("- (not a Delta table)")),
        List.of("rows fitted on", count(m.<Long>getAs(Versions.TRAIN_ROWS.name()))),
        List.of("held-out rows", count(m.<Long>getAs(Versions.TEST_ROWS.name()))),
        List.of("held-out sign-ups", m.getAs(Versions.TEST_FROM.name()) + " to " + m.getAs(Versions.TEST_TO.name())),
        List.of("regularisation", "regParam " + m.getAs(Versions.REG_PARAM.name()) + ", elasticNetParam "
            + m.getAs(Versions.ELASTIC_NET_PARAM.name())));
    return Html.h2("Training data") + Html.table(List.of("lineage", "value"), rows)
        + Html.note("The model was trained on this Delta version of the table: plg360 train --training-version N "
            + "trains on it again (time travel); the version's metadata.json in the registry has every feature's SQL.");
  }

  private static String versionsTable(Data d) {
    if (d.versions().isEmpty()) {
      return "";
    }
    List<List<?>> rows = new ArrayList<>();
    for (Row r : d.versions()) {
      String v = r.getAs(Versions.VERSION.name());
      rows.add(List.of(v + (d.current().filter(v::equals).isPresent() ? " (current)" : ""),
          Html.time(r.getAs(Versions.TRAINED_AT.name())), Html.time(r.getAs(Versions.AS_OF.name())),
          num(Optional.ofNullable(number(r, Versions.AUC_ROC)).map(FIXED3::apply).orElse("-")),
          Boolean.TRUE.equals(r.getAs(Versions.PROMOTED.name())) ? "yes" : "no", r.<String>getAs(Versions.DECISION.name())));
    }
    return Html.h2("Every version") + Html.table(List.of("version", "trained (UTC)", "as of", "AUC-ROC", "promoted",
        "decision"), rows);
  }
}
