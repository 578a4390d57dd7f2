package dev.plg360.jobs.generate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the generator reads from {@code plg360.generate} and {@code plg360.plans}, read once and checked at
 * start. Serializable: each Spark task gets a copy and needs nothing else to build its share of the world.
 */
public record GenerateSettings(
    int workspaces,
    long seed,
    int days,
    LocalDate endDate,
    double badRate,
    int workspacesPerPartition,
    int observationDays,
    int labelHorizonDays,
    int trialDays,
    double trialShare,
    double personalShare,
    double multiWorkspaceShare,
    double clearbitMissingShare,
    double freemailShare,
    double surgeShare,
    double inviteSpikeShare,
    double nearCapShare,
    double junkLeadShare,
    Plan freePlan,
    Plan trialPlan,
    List<PaidPlanRule> paidPlans,
    PlantedModel model,
    Shapes shapes) implements Serializable {

  /**
   * How the exports are shaped: {@code TIDY}, one regular shape per vendor; {@code REALISTIC}, the shapes the
   * vendors' own exports take (docs/GENERATOR.md, "Realistic shapes"). The simulated world is the same kind in both.
   */
  public enum Shapes {
    TIDY, REALISTIC;

    /** The shapes a setting names; a bad value fails naming the key. */
    public static Shapes of(Settings settings, String key) {
      String text = settings.string(key);
      return switch (text) {
        case "tidy" -> TIDY;
        case "realistic" -> REALISTIC;
        default -> throw new SettingsException("setting " + key + " must be tidy or realistic, was " + text);
      };
    }
  }

  /** A converting workspace buys {@code plan} when its company has at least {@code minEmployees}. */
  public record PaidPlanRule(Plan plan, long minEmployees) implements Serializable {}

  private static final String G = "plg360.generate.";

  public static GenerateSettings from(Settings settings) {
    Config c = settings.config();
    try {
      Map<String, Plan> plans = plans(c);
      List<PaidPlanRule> paid = new ArrayList<>();
      for (Config rule : c.getConfigList(G + "paid-plans")) {
        paid.add(new PaidPlanRule(plan(plans, rule.getString("plan"), G + "paid-plans"), rule.getLong("min-employees")));
      }
      if (paid.isEmpty() || paid.stream().anyMatch(r -> !r.plan().isPaid())) {
        throw new SettingsException(G + "paid-plans must name at least one plan, each with amount-cents > 0");
      }
      GenerateSettings s = new GenerateSettings(
          settings.positiveInt(G + "workspaces"),
          c.getLong(G + "seed"),
          settings.positiveInt(G + "days"),
          date(settings.string(G + "end-date")),
          share(c, "bad-rate"),
          settings.positiveInt(G + "workspaces-per-partition"),
          settings.positiveInt(G + "observation-days"),
          settings.positiveInt(G + "label-horizon-days"),
          settings.positiveInt(G + "trial-days"),
          share(c, "trial-share"),
          share(c, "personal-share"),
          share(c, "multi-workspace-share"),
          share(c, "clearbit-missing-share"),
          share(c, "freemail-share"),
          share(c, "surge-share"),
          share(c, "invite-spike-share"),
          share(c, "near-cap-share"),
          share(c, "junk-lead-share"),
          plan(plans, settings.string(G + "free-plan"), G + "free-plan"),
          plan(plans, settings.string(G + "trial-plan"), G + "trial-plan"),
          List.copyOf(paid),
          model(c.getConfig(G + "model")),
          Shapes.of(settings, G + "shapes"));
      if (s.freePlan().isPaid() || !s.trialPlan().isPaid()) {
        throw new SettingsException(G + "free-plan must cost 0 and " + G + "trial-plan must be a paid plan");
      }
      return s;
    } catch (ConfigException e) {
      throw new SettingsException("bad setting: " + e.getMessage(), e);
    }
  }

  private static double share(Config c, String key) {
    double v = c.getDouble(G + key);
    if (v < 0 || v > 1) {
      throw new SettingsException("setting " + G + key + " must be between 0 and 1, was " + v);
    }
    return v;
  }

  private static LocalDate date(String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new SettingsException("setting " + G + "end-date must be YYYY-MM-DD, was " + text);
    }
  }

  private static Plan plan(Map<String, Plan> plans, String name, String where) {
    Plan p = plans.get(name);
    if (p == null) {
      throw new SettingsException(where + " names plan '" + name + "', which is not under plg360.plans " + plans.keySet());
    }
    return p;
  }

  /** Every plan under plg360.plans, by name; each must give every field. */
  public static Map<String, Plan> plans(Config c) {
    Map<String, Plan> out = new TreeMap<>();
    Config all = c.getConfig("plg360.plans");
    for (String name : all.root().keySet()) {
      Config p = all.getConfig("\"" + name + "\"");
      out.put(name, new Plan(name, p.getString("stripe-plan-id"), p.getString("product"), p.getLong("amount-cents"),
          p.getString("interval"), p.getLong("seats"), p.getLong("projects"), p.getLong("api-calls-per-month")));
    }
    return out;
  }

  private static PlantedModel model(Config m) {
    Map<String, PlantedModel.Term> terms = new LinkedHashMap<>();
    for (String t : PlantedModel.TERMS) {
      terms.put(t, new PlantedModel.Term(m.getDouble(t + ".coefficient"), m.getDouble(t + ".center")));
    }
    Map<String, Double> industry = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : m.getConfig("industry").root().entrySet()) {
      industry.put(e.getKey(), ((Number) e.getValue().unwrapped()).doubleValue());
    }
    double base = m.getDouble("base-rate");
    if (base <= 0 || base >= 1) {
      throw new SettingsException("setting " + G + "model.base-rate must be strictly between 0 and 1, was " + base);
    }
    return new PlantedModel(base, terms, industry, m.getString("decoy-feature"));
  }

  public boolean realistic() {
    return shapes == Shapes.REALISTIC;
  }

  /** The history window's first day. */
  public LocalDate startDate() {
    return endDate.minusDays(days - 1L);
  }

  public int partitions() {
    return (workspaces + workspacesPerPartition - 1) / workspacesPerPartition;
  }

  /** The plan a converting workspace of a company of this size buys. */
  public Plan paidPlanFor(long employees) {
    Plan chosen = paidPlans.get(0).plan();
    for (PaidPlanRule r : paidPlans) {
      if (employees >= r.minEmployees()) {
        chosen = r.plan();
      }
    }
    return chosen;
  }
}
