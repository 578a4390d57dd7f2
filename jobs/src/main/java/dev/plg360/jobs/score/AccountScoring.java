package dev.plg360.jobs.score;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ScoreTables;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.expressions.Window;

/**
 * Account scores from the day's gold.account_360 snapshot: the PQL score of the model, ICP fit by rules, seat
 * penetration, the strongest current signal, and the segment. Each step adds columns, so that a later rule can use
 * what an earlier step computed (a segment rule can read pql_tier and addressable_penetration).
 */
public final class AccountScoring {
  private AccountScoring() {}

  /**
   * What the segment rules see: every column of account_360 plus plan_kind, the PQL, ICP, seat and signal columns
   * of gold.account_scores. {@code pql}: account_id, pql_probability, pql_model_version, pql_workspace_id,
   * pql_observed_days, pql_reasons (empty, with those columns, without a model). {@code workspaces}: the day's
   * gold.workspace_360; {@code signals}: gold.signals.
   */
  public static Dataset<Row> enriched(Dataset<Row> accounts, Dataset<Row> workspaces, Dataset<Row> pql,
                                      Dataset<Row> signals, LocalDate asOf, ScoreSettings s) {
    Dataset<Row> withPlan = accounts.withColumn(AccountScores.PLAN_KIND.name(),
        when(col("paid_workspaces").gt(0), lit("paid")).when(col("billing_status").equalTo("trialing"), lit("trial"))
            .otherwise(lit("free")));
    Dataset<Row> withPql = withPlan.join(pql, new String[] {"account_id"}, "left")
        .withColumn(AccountScores.PQL_SCORE.name(), when(col("plan_kind").notEqual("paid"),
            round(col("pql_probability").multiply(100), 1)))
        .withColumn(AccountScores.PQL_TIER.name(), tier(col("pql_score"), s.pqlTiers()))
        .withColumn("pql_model_version", when(col("pql_score").isNotNull(), col("pql_model_version")))
        .withColumn("pql_workspace_id", when(col("pql_score").isNotNull(), col("pql_workspace_id")))
        .withColumn("pql_window_start", when(col("pql_score").isNotNull(), col("pql_window_start")))
        .withColumn("pql_observed_days", when(col("pql_score").isNotNull(), col("pql_observed_days")))
        .withColumn("pql_reasons", when(col("pql_score").isNotNull(), col("pql_reasons")))
        .drop("pql_probability");
    Dataset<Row> withSeats = caps(seats(withPql, s), workspaces, s);
    List<Rule> fit = new ArrayList<>(s.icpRules());
    fit.addAll(s.icpExclusions());
    Rule.check(fit, withSeats);
    Dataset<Row> beforeSegment = signals(icp(withSeats, s), signals, asOf, s);
    Rule.check(s.segments(), beforeSegment);
    return segment(beforeSegment, s);
  }

  /**
   * The rows of gold.account_scores, in its columns. {@code crmAccounts}: account_id and crm_account_ids (silver
   * accounts), the Salesforce records activation writes the scores to.
   */
  public static Dataset<Row> scores(Dataset<Row> enriched, Dataset<Row> crmAccounts, LocalDate asOf) {
    Column crmIds = col(AccountScores.CRM_ACCOUNT_IDS.name());
    return enriched.join(crmAccounts.select(col("account_id"), crmIds), new String[] {"account_id"}, "left")
        .withColumn(AccountScores.CRM_ACCOUNT_IDS.name(), coalesce(crmIds, array().cast(AccountScores.CRM_ACCOUNT_IDS.type())))
        .withColumn(ScoreTables.AS_OF.name(), lit(Date.valueOf(asOf)))
        .select(AccountScores.TABLE.columns().stream().map(Col::col).toArray(Column[]::new));
  }

  /** A tier from a score: A, B, C by the thresholds, else D; null for a null score. */
  static Column tier(Column score, ScoreSettings.Tiers t) {
    return when(score.geq(t.a()), lit("A")).when(score.geq(t.b()), lit("B")).when(score.geq(t.c()), lit("C"))
        .when(score.isNotNull(), lit("D"));
  }

  /** Seat penetration: utilisation of bought seats, reach among employees and among the addressable departments. */
  static Dataset<Row> seats(Dataset<Row> accounts, ScoreSettings s) {
    List<Column> heads = new ArrayList<>();
    for (String d : s.addressableDepartments()) {
      heads.add(element_at(col("department_headcounts"), lit(d)).cast("long"));
    }
    Column known = filter(array(heads.toArray(Column[]::new)), x -> x.isNotNull());
    Column addressable = when(expr("size(_known)").gt(0), expr("aggregate(_known, 0L, (a, x) -> a + x)"));
    Column active = expr("coalesce(seats_active, 0)");
    return accounts.withColumn("_known", heads.isEmpty() ? expr("array()").cast("array<bigint>") : known)
        .withColumn(AccountScores.ADDRESSABLE_HEADCOUNT.name(), addressable)
        .drop("_known")
        .withColumn(AccountScores.SEAT_UTILISATION.name(), ratio(active, col("seats_bought")))
        .withColumn(AccountScores.EMPLOYEE_PENETRATION.name(), ratio(active, col("employees")))
        .withColumn(AccountScores.ADDRESSABLE_PENETRATION.name(), ratio(active, col("addressable_headcount")))
        .withColumn(AccountScores.WHITESPACE_SEATS.name(), when(col("addressable_headcount").isNotNull(),
            greatest(col("addressable_headcount").minus(active), lit(0L))))
        .withColumn(AccountScores.PENETRATION_BAND.name(),
            when(col("addressable_penetration").isNull(), lit("unknown"))
                .when(active.equalTo(0), lit("none"))
                .when(col("addressable_penetration").lt(s.bandLow()), lit("low"))
                .when(col("addressable_penetration").lt(s.bandMedium()), lit("medium"))
                .when(col("addressable_penetration").lt(s.bandHigh()), lit("high"))
                .otherwise(lit("saturated")));
  }

  /**
   * Every meter of the account's workspaces at or above plg360.score.caps.near-usage of its cap, most used first:
   * "api-calls-per-month of ws_42 at 91%". The state of the day, beside the dated CAP_APPROACHING signals.
   */
  static Dataset<Row> caps(Dataset<Row> accounts, Dataset<Row> workspaces, ScoreSettings s) {
    Dataset<Row> near = workspaces.select(col("account_id"), col("workspace_id"), explode(col("cap_usage")).as(new String[] {"meter", "usage"}))
        .where(col("usage").geq(s.capNearUsage()))
        .groupBy("account_id").agg(sort_array(collect_list(struct(col("usage").multiply(-1).as("rank"), col("meter"),
            col("workspace_id"), col("usage")))).as("_caps"));
    return accounts.join(near, new String[] {"account_id"}, "left")
        .withColumn(AccountScores.CAPS_NEAR.name(), functions.coalesce(transform(col("_caps"), c -> format_string("%s of %s at %d%%",
            c.getField("meter"), c.getField("workspace_id"), round(c.getField("usage").multiply(100)).cast("int"))),
            expr("array()").cast("array<string>")))
        .drop("_caps");
  }

  /** part / whole rounded to 4 places; null when the whole is null or not positive. */
  private static Column ratio(Column part, Column whole) {
    return when(whole.gt(0), round(part.cast("double").divide(whole), 4));
  }

  /** ICP fit: the base plus the points of the matching rules within 0-100, or 0 for an exclusion; tier; reasons. */
  static Dataset<Row> icp(Dataset<Row> accounts, ScoreSettings s) {
    List<Column> hits = new ArrayList<>();
    for (Rule r : s.icpRules()) {
      double points = Double.parseDouble(r.get("points"));
      String sign = points >= 0 ? "+" : "";
      hits.add(when(r.condition(), struct(lit(points).as("points"),
          lit(sign + ScoreSettings.number(points) + " " + r.get("reason")).as("reason"))));
    }
    Column matched = hits.isEmpty() ? expr("array()").cast("array<struct<points:double,reason:string>>")
        : filter(array(hits.toArray(Column[]::new)), x -> x.isNotNull());
    Column excluded = Rule.firstMatch(s.icpExclusions());
    Column sum = expr("aggregate(_icp_hits, CAST(" + s.icpBase() + " AS DOUBLE), (a, h) -> a + h.points)");
    return accounts.withColumn("_icp_hits", matched)
        .withColumn("_icp_excluded", excluded)
        .withColumn(AccountScores.ICP_EXCLUDED_BY.name(), Rule.pick(s.icpExclusions(), col("_icp_excluded"), Rule::name))
        .withColumn(AccountScores.ICP_SCORE.name(), when(col("_icp_excluded").isNotNull(), lit(0.0))
            .otherwise(round(least(greatest(sum, lit(0.0)), lit(100.0)), 1)))
        .withColumn(AccountScores.ICP_TIER.name(), tier(col("icp_score"), s.icpTiers()))
        .withColumn(AccountScores.ICP_REASONS.name(), when(col("_icp_excluded").isNotNull(),
                array(concat(lit("excluded: "), Rule.pick(s.icpExclusions(), col("_icp_excluded"), r -> r.get("reason")))))
            .otherwise(transform(col("_icp_hits"), h -> h.getField("reason"))))
        .drop("_icp_hits", "_icp_excluded");
  }

  /**
   * The account's signals of the look-back up to the as-of day: the strongest (by the priority of its type, then
   * the latest, then the strength) and every type, sorted.
   */
  static Dataset<Row> signals(Dataset<Row> accounts, Dataset<Row> signals, LocalDate asOf, ScoreSettings s) {
    Column day = lit(Date.valueOf(asOf));
    Column[] priority = s.signalPriority().stream().map(p -> lit(p.toUpperCase(Locale.ROOT))).toArray(Column[]::new);
    Column rank = array_position(array(priority), col("signal_type"));
    Dataset<Row> recent = signals.where(col("signal_date").leq(day).and(col("signal_date").gt(date_sub(day, s.signalDays()))))
        .withColumn("_rank", when(rank.equalTo(0), lit(Long.MAX_VALUE)).otherwise(rank))
        .withColumn("_pick", org.apache.spark.sql.functions.row_number().over(Window.partitionBy("account_id")
            .orderBy(col("_rank"), col("signal_date").desc(), col("strength").desc_nulls_last(), col("signal_id"))));
    Dataset<Row> perAccount = recent.groupBy("account_id").agg(
        first(when(col("_pick").equalTo(1), struct(col("signal_type"), col("signal_date"), col("evidence"))), true).as("_top"),
        array_sort(collect_set(col("signal_type"))).as(AccountScores.RECENT_SIGNALS.name()));
    return accounts.join(perAccount, new String[] {"account_id"}, "left")
        .withColumn(AccountScores.STRONGEST_SIGNAL.name(), col("_top.signal_type"))
        .withColumn(AccountScores.STRONGEST_SIGNAL_DATE.name(), col("_top.signal_date"))
        .withColumn(AccountScores.STRONGEST_SIGNAL_EVIDENCE.name(), col("_top.evidence"))
        .withColumn(AccountScores.RECENT_SIGNALS.name(), expr("coalesce(recent_signals, array())"))
        .drop("_top");
  }

  /** The segment: the first segment rule that matches, its name and its playbook. */
  static Dataset<Row> segment(Dataset<Row> accounts, ScoreSettings s) {
    Column index = Rule.firstMatch(s.segments());
    return accounts.withColumn("_segment", index)
        .withColumn(AccountScores.SEGMENT.name(),
            functions.coalesce(Rule.pick(s.segments(), col("_segment"), r -> r.get("segment")), lit("other")))
        .withColumn(AccountScores.SEGMENT_RULE.name(), Rule.pick(s.segments(), col("_segment"), Rule::name))
        .withColumn(AccountScores.PLAYBOOK.name(), Rule.pick(s.segments(), col("_segment"), r -> r.get("playbook")))
        .drop("_segment");
  }
}
