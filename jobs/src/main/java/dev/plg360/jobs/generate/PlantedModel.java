package dev.plg360.jobs.generate;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The planted conversion model: {@code logit(p) = logit(baseRate) + sum(coefficient * (x - center)) + industry},
 * over a workspace's behaviour in its observation window and its company's fit. The generator draws each
 * workspace's label from this p; the truth keeps p, so a trained model can be compared with the oracle.
 */
public record PlantedModel(double baseRate, Map<String, Term> terms, Map<String, Double> industryEffects,
                           String decoyFeature) implements Serializable {

  public record Term(double coefficient, double center) implements Serializable {}

  public static final String ACTIVE_DAYS = "active-days";
  public static final String DISTINCT_FEATURES = "distinct-features";
  public static final String LOG1P_INVITES = "log1p-invites";
  public static final String INTEGRATION_CONNECTED = "integration-connected";
  public static final String LOG1P_PRICING_VIEWS = "log1p-pricing-views";
  public static final String LOG10_EMPLOYEES = "log10-employees";
  public static final String TRIAL = "trial";
  public static final String PERSONAL = "personal";
  public static final String LOG1P_DECOY_USES = "log1p-decoy-uses";

  /** The terms, in the order the truth lists them. */
  public static final List<String> TERMS = List.of(ACTIVE_DAYS, DISTINCT_FEATURES, LOG1P_INVITES,
      INTEGRATION_CONNECTED, LOG1P_PRICING_VIEWS, LOG10_EMPLOYEES, TRIAL, PERSONAL, LOG1P_DECOY_USES);

  /** A workspace's observation-window behaviour and fit, the model's inputs. */
  public record Inputs(int activeDays, int distinctFeatures, int invites, boolean integrationConnected,
                       int pricingViews, long employees, String industry, boolean trial, boolean personal,
                       int decoyUses) {

    Map<String, Double> values() {
      Map<String, Double> x = new LinkedHashMap<>();
      x.put(ACTIVE_DAYS, (double) activeDays);
      x.put(DISTINCT_FEATURES, (double) distinctFeatures);
      x.put(LOG1P_INVITES, Math.log1p(invites));
      x.put(INTEGRATION_CONNECTED, integrationConnected ? 1.0 : 0.0);
      x.put(LOG1P_PRICING_VIEWS, Math.log1p(pricingViews));
      x.put(LOG10_EMPLOYEES, Math.log10(Math.max(1, employees)));
      x.put(TRIAL, trial ? 1.0 : 0.0);
      x.put(PERSONAL, personal ? 1.0 : 0.0);
      x.put(LOG1P_DECOY_USES, Math.log1p(decoyUses));
      return x;
    }
  }

  public double intercept() {
    return Math.log(baseRate / (1 - baseRate));
  }

  public double probability(Inputs in) {
    double logit = intercept();
    for (Map.Entry<String, Double> x : in.values().entrySet()) {
      Term t = terms.get(x.getKey());
      logit += t.coefficient() * (x.getValue() - t.center());
    }
    if (in.industry() != null) {
      logit += industryEffects.getOrDefault(in.industry(), 0.0);
    }
    return 1 / (1 + Math.exp(-logit));
  }
}
