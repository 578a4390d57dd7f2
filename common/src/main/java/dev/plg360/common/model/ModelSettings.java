package dev.plg360.common.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/** Everything the conversion model reads from {@code plg360.model}, read once and checked at start. */
public record ModelSettings(
    Population population,
    int observationDays,
    int labelHorizonDays,
    java.time.Duration signupPlanWithin,
    dev.plg360.common.billing.BillingStatuses billing,
    List<String> passiveEvents,
    List<FeatureDef> features,
    double testShare,
    double validationShare,
    long minTrainingRows,
    List<Double> regParams,
    List<Double> elasticNetParams,
    int maxIter,
    boolean balanceClasses,
    int reasonCodes,
    double promoteAucTolerance,
    String registryDir) implements Serializable {

  public enum Population {
    WORKSPACE, ACCOUNT;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String M = "plg360.model.";

  public static ModelSettings from(Settings settings) {
    Config c = settings.config();
    try {
      Population population;
      try {
        population = Population.valueOf(settings.string(M + "population").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new SettingsException(M + "population must be workspace or account, was " + c.getString(M + "population"));
      }
      String weights = settings.string(M + "class-weights");
      if (!weights.equals("none") && !weights.equals("balanced")) {
        throw new SettingsException(M + "class-weights must be none or balanced, was " + weights);
      }
      double test = share(c, "test-share");
      double validation = share(c, "validation-share");
      if (test + validation >= 0.9) {
        throw new SettingsException(M + "test-share + validation-share must leave at least 10% to train on, was "
            + (test + validation));
      }
      return new ModelSettings(
          population,
          settings.positiveInt(M + "observation-days"),
          settings.positiveInt(M + "label-horizon-days"),
          settings.duration(M + "signup-plan-within", java.time.Duration.ZERO),
          dev.plg360.common.billing.BillingStatuses.from(settings),
          c.getStringList("plg360.build360.passive-events"),
          FeatureDef.parse(c.getConfig(M + "features"), M + "features", true),
          test,
          validation,
          settings.positiveInt(M + "min-training-rows"),
          grid(c, "reg-params", 0, Double.MAX_VALUE),
          grid(c, "elastic-net-params", 0, 1),
          settings.positiveInt(M + "max-iter"),
          weights.equals("balanced"),
          settings.positiveInt(M + "reason-codes"),
          nonNegative(c, "promote-auc-tolerance"),
          settings.string(M + "registry-dir"));
    } catch (ConfigException e) {
      throw new SettingsException("bad setting under " + M + ": " + e.getMessage(), e);
    }
  }

  /** The same settings with other features (a feature-set file, or the columns of a table). */
  public ModelSettings withFeatures(List<FeatureDef> other) {
    return new ModelSettings(population, observationDays, labelHorizonDays, signupPlanWithin, billing, passiveEvents, other,
        testShare,
        validationShare, minTrainingRows, regParams, elasticNetParams, maxIter, balanceClasses, reasonCodes,
        promoteAucTolerance, registryDir);
  }

  /** The same settings as a trained model saw them: its features, observation window and population. */
  public ModelSettings asTrained(List<FeatureDef> modelFeatures, int modelObservationDays, Population modelPopulation) {
    return new ModelSettings(modelPopulation, modelObservationDays, labelHorizonDays, signupPlanWithin, billing,
        passiveEvents, modelFeatures,
        testShare, validationShare, minTrainingRows, regParams, elasticNetParams, maxIter, balanceClasses, reasonCodes,
        promoteAucTolerance, registryDir);
  }

  private static double share(Config c, String key) {
    double v = c.getDouble(M + key);
    if (v <= 0 || v >= 1) {
      throw new SettingsException(M + key + " must be between 0 and 1, was " + v);
    }
    return v;
  }

  private static double nonNegative(Config c, String key) {
    double v = c.getDouble(M + key);
    if (v < 0) {
      throw new SettingsException(M + key + " must not be negative, was " + v);
    }
    return v;
  }

  private static List<Double> grid(Config c, String key, double min, double max) {
    List<Double> values = c.getDoubleList(M + key);
    if (values.isEmpty()) {
      throw new SettingsException(M + key + " lists no value");
    }
    for (double v : values) {
      if (v < min || v > max) {
        throw new SettingsException(M + key + " values must be in [" + min + ", " + max + "], was " + v);
      }
    }
    return List.copyOf(values);
  }
}
