package dev.plg360.jobs.c360;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.plg360.common.billing.BillingStatuses;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Everything build360 reads from {@code plg360.build360} and {@code plg360.plans}, read once and checked at start. */
public record Build360Settings(
    List<String> passiveEvents,
    String inviteEvent,
    Map<String, String> milestones,
    String firstValueMilestone,
    String defaultPlan,
    Map<String, Meter> meters,
    Map<String, PlanCaps> plans,
    int trendDays,
    Champion champion,
    SignalSettings signals,
    BillingStatuses billing) implements Serializable {

  /** A capped meter: what it counts and over how many days (0: all time). */
  public record Meter(String name, Measure measure, String event, int windowDays) implements Serializable {}

  public enum Measure { MEMBERS, EVENTS, QUANTITY }

  /** A plan's Stripe id, monthly price per seat and its cap of every meter. */
  public record PlanCaps(String name, String stripePlanId, double monthlyAmountCents, Map<String, Long> caps)
      implements Serializable {}

  public record Champion(double topShare, long minInvites28d, long minActiveDays28d) implements Serializable {}

  /** @param milestones the milestones that are signals, the most meaningful first */
  public record SignalSettings(int lookbackDays, long inviteSpikeMinInvites, double surgeMinZScore, double surgeMinRatio,
                               int surgeBaselineWeeks, int surgeMinHistoryWeeks, long surgeMinEvents7d, int surgeQuietDays,
                               double capMinUsage, double capMaxDays, List<String> milestones) implements Serializable {}

  private static final String B = "plg360.build360.";

  public static Build360Settings from(Settings settings) {
    Config c = settings.config();
    try {
      Map<String, String> milestones = new TreeMap<>();
      Config ms = c.getConfig(B + "milestones");
      for (String name : ms.root().keySet()) {
        milestones.put(name, ms.getString("\"" + name + "\""));
      }
      String firstValue = settings.string(B + "first-value-milestone");
      if (!milestones.containsKey(firstValue)) {
        throw new SettingsException(B + "first-value-milestone names '" + firstValue + "', which is not under "
            + B + "milestones " + milestones.keySet());
      }
      Map<String, Meter> meters = new LinkedHashMap<>();
      Config mc = c.getConfig(B + "meters");
      for (String name : new TreeMap<>(mc.root()).keySet()) {
        meters.put(name, meter(name, mc.getConfig("\"" + name + "\"")));
      }
      Map<String, PlanCaps> plans = plans(c, meters);
      String defaultPlan = settings.string(B + "default-plan");
      if (!plans.containsKey(defaultPlan)) {
        throw new SettingsException(B + "default-plan names '" + defaultPlan + "', which is not under plg360.plans "
            + plans.keySet());
      }
      Config ch = c.getConfig(B + "champion");
      Config sg = c.getConfig(B + "signals");
      Build360Settings s = new Build360Settings(
          c.getStringList(B + "passive-events"),
          settings.string(B + "invite-event"),
          milestones,
          firstValue,
          defaultPlan,
          meters,
          plans,
          settings.positiveInt(B + "trend-days"),
          new Champion(share(ch, "top-share", B + "champion"), ch.getLong("min-invites-28d"), ch.getLong("min-active-days-28d")),
          new SignalSettings(positive(sg, "lookback-days"), positive(sg, "invite-spike-min-invites"),
              sg.getDouble("surge-min-z-score"), sg.getDouble("surge-min-ratio"), positive(sg, "surge-baseline-weeks"),
              positive(sg, "surge-min-history-weeks"), sg.getLong("surge-min-events-7d"), positive(sg, "surge-quiet-days"),
              share(sg, "cap-min-usage", B + "signals"), sg.getDouble("cap-max-days"), sg.getStringList("milestones")),
          BillingStatuses.from(settings));
      for (String m : s.signals().milestones()) {
        if (!milestones.containsKey(m)) {
          throw new SettingsException(B + "signals.milestones names '" + m + "', which is not under " + B + "milestones "
              + milestones.keySet());
        }
      }
      if (s.signals().surgeMinHistoryWeeks() > s.signals().surgeBaselineWeeks()) {
        throw new SettingsException(B + "signals.surge-min-history-weeks must not exceed surge-baseline-weeks");
      }
      return s;
    } catch (ConfigException e) {
      throw new SettingsException("bad setting under " + B + " or plg360.plans: " + e.getMessage(), e);
    }
  }

  private static Meter meter(String name, Config m) {
    Measure measure;
    try {
      measure = Measure.valueOf(m.getString("measure").toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(B + "meters." + name + ".measure must be members, events or quantity, was "
          + m.getString("measure"));
    }
    if (measure == Measure.MEMBERS) {
      return new Meter(name, measure, null, 0);
    }
    int window = m.getInt("window-days");
    if (window < 0) {
      throw new SettingsException(B + "meters." + name + ".window-days must be 0 (all time) or more, was " + window);
    }
    return new Meter(name, measure, m.getString("event"), window);
  }

  /** Every plan with its cap of every meter: a plan without a cap for a meter fails here, naming both. */
  private static Map<String, PlanCaps> plans(Config c, Map<String, Meter> meters) {
    Map<String, PlanCaps> out = new TreeMap<>();
    Config all = c.getConfig("plg360.plans");
    for (String name : all.root().keySet()) {
      Config p = all.getConfig("\"" + name + "\"");
      Map<String, Long> caps = new TreeMap<>();
      for (String meter : meters.keySet()) {
        if (!p.hasPath("\"" + meter + "\"")) {
          throw new SettingsException("plg360.plans." + name + " has no cap '" + meter + "', which " + B + "meters counts");
        }
        caps.put(meter, p.getLong("\"" + meter + "\""));
      }
      double perMonth = p.getLong("amount-cents") / ("year".equals(p.getString("interval")) ? 12.0 : 1.0);
      out.put(name, new PlanCaps(name, p.getString("stripe-plan-id"), perMonth, caps));
    }
    return out;
  }

  private static int positive(Config c, String key) {
    int v = c.getInt(key);
    if (v <= 0) {
      throw new SettingsException(B + "signals." + key + " must be positive, was " + v);
    }
    return v;
  }

  private static double share(Config c, String key, String where) {
    double v = c.getDouble(key);
    if (v <= 0 || v > 1) {
      throw new SettingsException(where + "." + key + " must be in (0, 1], was " + v);
    }
    return v;
  }
}
