package dev.plg360.jobs.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.ModelMetrics;
import dev.plg360.common.model.ModelRegistry;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The current version, and whether the new one replaces it. */
record Champion(Optional<String> version, OptionalDouble auc, boolean promoted, String decision) {

  static Champion compare(ModelRegistry registry, Dataset<Row> test, double newAuc, double tolerance, boolean force) {
    Optional<String> current = registry.current();
    if (current.isEmpty()) {
      return new Champion(current, OptionalDouble.empty(), true, "promoted: there was no current model");
    }
    String v = current.get();
    double auc;
    String on;
    try {
      auc = ModelMetrics.aucRoc(ConversionPipeline.score(registry.load(v), test));
      on = "on the same held-out cohort";
    } catch (Exception cannotScore) { // e.g. its features are not all in this training set (an AnalysisException)
      JsonNode recorded = registry.metadata(v).path("metrics").path("aucRoc");
      auc = recorded.asDouble(Double.NaN);
      on = "on its own held-out cohort (it cannot score this one: " + FeatureDef.firstLine(cannotScore.getMessage()) + ")";
    }
    String compared = String.format("held-out AUC-ROC %.4f against %s's %.4f %s, tolerance %.4f", newAuc, v, auc, on, tolerance);
    boolean better = !(newAuc < auc - tolerance);
    if (better) {
      return new Champion(current, OptionalDouble.of(auc), true, "promoted: " + compared);
    }
    if (force) {
      return new Champion(current, OptionalDouble.of(auc), true, "promoted by --force although worse: " + compared);
    }
    return new Champion(current, OptionalDouble.of(auc), false, v + " stays current: " + compared);
  }
}
