package dev.plg360.jobs.score;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Everything {@code plg360 score} reads from {@code plg360.score}, read once and checked at start. */
public record ScoreSettings(
    Tiers pqlTiers,
    Map<String, Phrase> reasons,
    double icpBase,
    List<Rule> icpRules,
    List<Rule> icpExclusions,
    Tiers icpTiers,
    List<String> addressableDepartments,
    double bandLow,
    double bandMedium,
    double bandHigh,
    double capNearUsage,
    int signalDays,
    List<String> signalPriority,
    List<Rule> segments,
    Leads leads) implements Serializable {

  static final String S = "plg360.score.";

  /** The lead statuses of seed 002, and the reasons a lead is given back to marketing. */
  public static final Set<String> STATUSES = Set.of("OPEN_PLG", "OPEN_SLG", "WORKING_P", "WORKING_S", "REMARKET", "NURTURE");
  public static final Set<String> REMARKET_REASONS = Set.of("UNRESPONSIVE", "TOO_SMALL", "WRONG_USE_CASE",
      "WRONG_PERSONA", "TRASH", "UNAWARE");

  /** Score thresholds of tiers A, B and C (0-100, descending); below C is D. */
  public record Tiers(double a, double b, double c) implements Serializable {}

  /** How a feature's value reads: a template with {value} and {days}, or words for yes and no. */
  public record Phrase(String template, String yes, String no) implements Serializable {}

  public record Leads(
      List<String> plgSources,
      double pqlThreshold,
      String activated,
      List<String> handRaiseEvents,
      String pricingPageEvent,
      int pricingPageViews,
      List<String> handRaiseForms,
      List<String> handRaiseSources,
      int handRaiseDays,
      List<String> junkNames,
      List<String> junkPatterns,
      List<String> junkDomains,
      List<String> wrongPersonaTitles,
      List<Rule> statuses) implements Serializable {}

  public static ScoreSettings from(Settings settings) {
    Config c = settings.config();
    try {
      Tiers pqlTiers = tiers(c, S + "pql.tiers");
      Tiers icpTiers = tiers(c, S + "icp.tiers");
      double low = c.getDouble(S + "seats.bands.low");
      double medium = c.getDouble(S + "seats.bands.medium");
      double high = c.getDouble(S + "seats.bands.high");
      if (!(0 < low && low < medium && medium < high)) {
        throw new SettingsException(S + "seats.bands must rise: 0 < low < medium < high, was " + low + ", " + medium + ", " + high);
      }
      List<Rule> segments = Rule.list(c, S + "segments", List.of("segment", "playbook"), List.of());
      List<Rule> statuses = Rule.list(c, S + "leads.statuses", List.of("status"), List.of("reason"));
      for (Rule r : statuses) {
        checkStatus(r);
      }
      List<Rule> icpRules = Rule.list(c, S + "icp.rules", List.of("points", "reason"), List.of());
      icpRules.forEach(r -> number(r, "points"));
      return new ScoreSettings(
          pqlTiers,
          phrases(c.getConfig(S + "pql.reasons")),
          c.getDouble(S + "icp.base"),
          icpRules,
          Rule.list(c, S + "icp.exclusions", List.of("reason"), List.of()),
          icpTiers,
          c.getStringList(S + "seats.addressable-departments"),
          low, medium, high,
          positiveShare(c, S + "caps.near-usage"),
          settings.positiveInt(S + "signals.lookback-days"),
          c.getStringList(S + "signals.priority"),
          segments,
          new Leads(
              c.getStringList(S + "leads.plg-lead-sources"),
              percent(c, S + "leads.pql-threshold"),
              Rule.condition(S + "leads.activated", "activated", settings.string(S + "leads.activated")).when(),
              c.getStringList(S + "leads.hand-raise.events"),
              settings.string(S + "leads.hand-raise.pricing-page-event"),
              settings.positiveInt(S + "leads.hand-raise.pricing-page-views"),
              c.getStringList(S + "leads.hand-raise.forms"),
              c.getStringList(S + "leads.hand-raise.lead-sources"),
              settings.positiveInt(S + "leads.hand-raise.days"),
              c.getStringList(S + "leads.junk.names"),
              patterns(c, S + "leads.junk.patterns"),
              c.getStringList(S + "leads.junk.domains"),
              patterns(c, S + "leads.wrong-persona-titles"),
              statuses));
    } catch (ConfigException e) {
      throw new SettingsException("bad setting under " + S + ": " + e.getMessage(), e);
    }
  }

  /** A number as settings and reasons show it: 30, 2.5, -20 (no locale's separators). */
  static String number(double v) {
    return new java.text.DecimalFormat("0.##", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(v);
  }

  private static void checkStatus(Rule r) {
    String status = r.get("status");
    if (!STATUSES.contains(status)) {
      throw new SettingsException(r.key() + ".status (" + r.name() + ") must be one of " + new java.util.TreeSet<>(STATUSES)
          + ", was " + status);
    }
    String reason = r.get("reason");
    if (status.equals("REMARKET") != (reason != null)) {
      throw new SettingsException(r.key() + " (" + r.name() + "): a REMARKET status needs a reason, and only REMARKET takes one");
    }
    if (reason != null && !REMARKET_REASONS.contains(reason)) {
      throw new SettingsException(r.key() + ".reason (" + r.name() + ") must be one of "
          + new java.util.TreeSet<>(REMARKET_REASONS) + ", was " + reason);
    }
  }

  private static void number(Rule r, String attribute) {
    try {
      Double.parseDouble(r.get(attribute));
    } catch (NumberFormatException e) {
      throw new SettingsException(r.key() + "." + attribute + " (" + r.name() + ") must be a number, was " + r.get(attribute));
    }
  }

  private static double positiveShare(Config c, String path) {
    double v = c.getDouble(path);
    if (v <= 0) {
      throw new SettingsException(path + " is a share of the cap (0.8 is 80%) and must be positive, was " + v);
    }
    return v;
  }

  private static Tiers tiers(Config c, String path) {
    Tiers t = new Tiers(percent(c, path + ".A"), percent(c, path + ".B"), percent(c, path + ".C"));
    if (!(t.a() > t.b() && t.b() > t.c())) {
      throw new SettingsException(path + " must fall: A > B > C, was " + t.a() + ", " + t.b() + ", " + t.c());
    }
    return t;
  }

  private static double percent(Config c, String path) {
    double v = c.getDouble(path);
    if (v < 0 || v > 100) {
      throw new SettingsException(path + " is a score from 0 to 100, was " + v);
    }
    return v;
  }

  private static List<String> patterns(Config c, String path) {
    List<String> out = c.getStringList(path);
    for (String p : out) {
      try {
        Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        throw new SettingsException(path + " has a pattern that does not compile: " + p + " (" + e.getDescription() + ")", e);
      }
    }
    return out;
  }

  private static Map<String, Phrase> phrases(Config block) {
    Map<String, Phrase> out = new TreeMap<>();
    for (String name : Settings.named(block)) {
      String quoted = "\"" + name + "\"";
      if (block.getValue(quoted).valueType() == ConfigValueType.STRING) {
        out.put(name, new Phrase(block.getString(quoted), null, null));
      } else {
        Config yn = block.getConfig(quoted);
        out.put(name, new Phrase(null, yn.getString("yes"), yn.getString("no")));
      }
    }
    return Map.copyOf(out);
  }
}
