package dev.plg360.jobs.score;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.asof.AsOf;
import dev.plg360.common.identity.EmailRules;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.spark.Picks;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ScoreTables;
import dev.plg360.common.tables.ScoreTables.LeadFunnel;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Lead statuses of seed 002 for every open Salesforce lead: how it came in (PLG or SLG), what the person does in
 * the product, whether sales is working it, whether it is junk or the wrong persona, and its account's scores;
 * then the first status rule that matches, and the PLG guard over it.
 */
public final class LeadScoring {
  private LeadScoring() {}

  /** Statuses a PLG lead may have only once it is qualified. */
  static final List<String> SALES_STATUSES = List.of("OPEN_SLG", "WORKING_S");
  static final String GUARD = "plg-guard";

  /** The person's counts; 0, never null, for a lead whose person has none (or is not in user_360). */
  static final List<String> COUNTS = List.of("active_days_7d", "active_days_28d", "milestones_reached", "emails_sent_30d",
      "emails_opened_30d", "emails_clicked_30d", "forms_submitted_30d", "sales_tasks_30d", "tickets_open");

  /** The inputs: bronze.sf_leads (every version), gold.user_360 of the day, the scored accounts, bronze.form_submissions. */
  public record Inputs(Dataset<Row> leads, Dataset<Row> people, Dataset<Row> accounts, Dataset<Row> forms) {}

  /**
   * What the status rules see: the lead (lead_id, first_name, last_name, email, domain, company, title,
   * lead_source, channel, crm_status, owner_id, age_days), junk and persona checks (is_junk, junk_detail,
   * wrong_persona, persona_detail), the person's product and engagement columns of user_360, activated,
   * hand_raise, qualified, qualified_by, and the account's scores (pql_score, pql_tier, pql_reasons, icp_score,
   * icp_tier, segment, employees, is_personal, plan_kind).
   */
  public static Dataset<Row> facts(Inputs in, LocalDate asOf, ScoreSettings.Leads s) {
    Column day = lit(Date.valueOf(asOf));
    Dataset<Row> open = AsOf.latestVersions(in.leads(), lit(AsOf.endOf(asOf)))
        .where(not(coalesce(col("is_converted"), lit(false))))
        .select(col("id").as("lead_id"), col("first_name"), col("last_name"), col("email"), col("company"), col("title"),
            col("lead_source"), col("status").as("crm_status"), col("owner_id"), col("created_at"));
    Dataset<Row> classified = IdentityRules.classifyEmail(open, "email")
        .withColumn("channel", when(col("lead_source").isin(s.plgSources().toArray()), lit("PLG")).otherwise(lit("SLG")))
        .withColumn("age_days", datediff(day, to_date(col("created_at"))))
        .withColumn("junk_detail", junk(s))
        .withColumn("is_junk", col("junk_detail").isNotNull())
        .withColumn("persona_detail", persona(s))
        .withColumn("wrong_persona", col("persona_detail").isNotNull());

    Dataset<Row> person = in.people()
        .select(explode(col("lead_ids")).as("lead_id"), col("person_id"), col("account_id").as("person_account_id"),
            col("active_days_7d"), col("active_days_28d"), col("last_active_date"), col("milestones_reached"),
            col("first_value_date"), col("event_counts_28d"), col("is_champion"), col("emails_sent_30d"),
            col("emails_opened_30d"), col("emails_clicked_30d"), col("forms_submitted_30d"), col("sales_tasks_30d"),
            col("last_sales_touch_date"), col("tickets_open"))
        .withColumn("_p", row_number().over(Window.partitionBy("lead_id").orderBy("person_id")))
        .where(col("_p").equalTo(1)).drop("_p");
    Dataset<Row> forms = in.forms()
        .where(col("form_name").isin(s.handRaiseForms().toArray())
            .and(col("submitted_at").lt(AsOf.endOf(asOf)))
            .and(col("submitted_at").geq(AsOf.endOf(asOf.minusDays(s.handRaiseDays())))))
        .withColumn("email_norm", EmailRules.normalize(col("email")))
        .groupBy("email_norm").agg(Picks.latest(col("form_name"), col("submitted_at")).as("hand_raise_form"));
    Dataset<Row> accounts = in.accounts().select(col("account_id"), col("pql_score"), col("pql_tier"), col("pql_reasons"),
        col("icp_score"), col("icp_tier"), col("segment"), col("employees"), col("is_personal"), col("plan_kind"));

    Dataset<Row> joined = classified.join(person, new String[] {"lead_id"}, "left")
        .withColumn("account_id", coalesce(col("person_account_id"), when(col("business"), col("domain"))))
        .drop("person_account_id")
        .join(accounts, new String[] {"account_id"}, "left")
        .join(forms, new String[] {"email_norm"}, "left");
    Rule activated = Rule.condition(ScoreSettings.S + "leads.activated", "activated", s.activated());
    Rule.check(List.of(activated), joined);
    Column pqlQualified = col("pql_score").geq(s.pqlThreshold());
    for (String count : COUNTS) { // a lead without a person in user_360 has done nothing yet
      joined = joined.withColumn(count, coalesce(col(count), lit(0L)));
    }
    return joined
        .withColumn("activated", coalesce(activated.condition(), lit(false)))
        .withColumn("hand_raise", handRaise(s))
        .withColumn("qualified", coalesce(pqlQualified, lit(false)).or(col("hand_raise").isNotNull()))
        .withColumn("qualified_by", when(pqlQualified, format_string("PQL score %s (threshold %s)", col("pql_score"),
            lit(ScoreSettings.number(s.pqlThreshold())))).otherwise(col("hand_raise")));
  }

  /** The lead's status by the first rule that matches, then the PLG guard; with the rule and why. */
  public static Dataset<Row> statuses(Dataset<Row> facts, ScoreSettings.Leads s) {
    List<Rule> rules = s.statuses();
    Rule.check(rules, facts);
    Column index = Rule.firstMatch(rules);
    Dataset<Row> ruled = facts.withColumn("_rule", index)
        .withColumn("_status", coalesce(Rule.pick(rules, col("_rule"), r -> r.get("status")), lit("NURTURE")))
        .withColumn("_reason", Rule.pick(rules, col("_rule"), r -> r.get("reason")))
        .withColumn("_rule_name", coalesce(Rule.pick(rules, col("_rule"), Rule::name), lit("(no rule matched)")))
        .withColumn("_when", Rule.pick(rules, col("_rule"), Rule::when));
    Column held = col("channel").equalTo("PLG").and(not(col("qualified"))).and(col("_status").isin(SALES_STATUSES.toArray()));
    Column detail = when(col("_reason").equalTo("TRASH"), col("junk_detail"))
        .when(col("_reason").equalTo("WRONG_PERSONA"), col("persona_detail"))
        .when(col("_status").isin(SALES_STATUSES.toArray()).and(col("qualified")), concat(lit("qualified: "), col("qualified_by")))
        .when(col("_when").isNotNull(), concat(lit("when "), col("_when")))
        .otherwise(lit("no status rule matched"));
    return ruled
        .withColumn(LeadScores.LEAD_STATUS.name(), when(held, when(col("activated"), lit("WORKING_P")).otherwise(lit("OPEN_PLG")))
            .otherwise(col("_status")))
        .withColumn(LeadScores.REMARKET_REASON.name(), col("_reason"))
        .withColumn(LeadScores.STATUS_RULE.name(), when(held, lit(GUARD)).otherwise(col("_rule_name")))
        .withColumn(LeadScores.STATUS_DETAIL.name(), when(held, format_string(
                "rule %s would hand it to sales, but it is a PLG lead without a hand raise and with PQL score %s below %s",
                col("_rule_name"), coalesce(col("pql_score").cast("string"), lit("(none)")), lit(ScoreSettings.number(s.pqlThreshold()))))
            .otherwise(detail))
        .withColumn(LeadScores.ROUTED_TO.name(), when(col("lead_status").isin("OPEN_PLG", "WORKING_P"), lit("product"))
            .when(col("lead_status").isin(SALES_STATUSES.toArray()), lit("sales")).otherwise(lit("marketing")))
        .drop("_rule", "_status", "_reason", "_rule_name", "_when");
  }

  /** The rows of gold.lead_scores, in its columns. */
  public static Dataset<Row> scores(Dataset<Row> statuses, LocalDate asOf) {
    return statuses.withColumn(ScoreTables.AS_OF.name(), lit(Date.valueOf(asOf)))
        .withColumn(LeadScores.NAME.name(), concat_ws(" ", col("first_name"), col("last_name")))
        .select(LeadScores.TABLE.columns().stream().map(Col::col).toArray(Column[]::new));
  }

  /**
   * Why a lead is junk, or null: a fake or repeated name, a keyboard mash, a disposable or junk email domain. An
   * email that does not parse is not junk by itself: real people mistype theirs.
   */
  static Column junk(ScoreSettings.Leads s) {
    Column first = lower(trim(col("first_name")));
    Column last = lower(trim(col("last_name")));
    Column full = concat_ws(" ", first, last);
    Object[] names = s.junkNames().stream().map(n -> n.toLowerCase(Locale.ROOT)).toArray();
    Column mash = lit(false);
    for (String p : s.junkPatterns()) {
      mash = mash.or(coalesce(col("first_name").rlike(p), lit(false))).or(coalesce(col("last_name").rlike(p), lit(false)));
    }
    Column name = concat_ws(" ", col("first_name"), col("last_name"));
    return when(first.isin(names).or(last.isin(names)).or(full.isin(names)),
            concat(lit("name '"), name, lit("' is a known fake (plg360.score.leads.junk.names)")))
        .when(first.equalTo(last).and(first.notEqual("")), concat(lit("first name equals last name: '"), name, lit("'")))
        .when(mash, concat(lit("keyboard mash: '"), name, lit("'")))
        .when(col("disposable"), concat(lit("disposable email domain "), col("domain")))
        .when(col("domain").isin(s.junkDomains().toArray()), concat(lit("junk email domain "), col("domain")));
  }

  /** Why the lead is the wrong persona (a student, a seller), or null. */
  static Column persona(ScoreSettings.Leads s) {
    Column title = lit(false);
    for (String p : s.wrongPersonaTitles()) {
      title = title.or(coalesce(col("title").rlike(p), lit(false)));
    }
    return when(title, concat(lit("title '"), col("title"), lit("'")))
        .when(coalesce(col("domain").rlike("\\.(edu|ac\\.[a-z]{2})$"), lit(false)), concat(lit("school email domain "), col("domain")));
  }

  /** How the person asked for sales, or null: a hand-raise lead source, a form, a product event, pricing views. */
  static Column handRaise(ScoreSettings.Leads s) {
    Column out = when(col("lead_source").isin(s.handRaiseSources().toArray()), concat(lit("came in through "), col("lead_source")))
        .when(col("hand_raise_form").isNotNull(), concat(lit("submitted the form "), col("hand_raise_form")));
    for (String e : s.handRaiseEvents()) {
      Column n = element_at(col("event_counts_28d"), lit(e));
      out = out.when(n.gt(0), format_string("%s: %d in 28 days", lit(e), n));
    }
    Column views = element_at(col("event_counts_28d"), lit(s.pricingPageEvent()));
    return out.when(views.geq(s.pricingPageViews()), format_string("%s: %d in 28 days", lit(s.pricingPageEvent()), views));
  }

  /** Stages of the funnel, each reached by the leads at it or past it. */
  static final List<String[]> STAGES = List.of(
      new String[] {"created", "true"},
      new String[] {"activated", "activated OR qualified OR plan_kind = 'paid'"},
      new String[] {"qualified", "qualified OR plan_kind = 'paid'"},
      new String[] {"paid", "plan_kind = 'paid'"});
  static final List<String> STATUS_ORDER = List.of("OPEN_PLG", "OPEN_SLG", "WORKING_P", "WORKING_S", "NURTURE", "REMARKET");

  /**
   * gold.lead_funnel for the day: per channel and lead source (and '(all)' sources), the leads in each status
   * (REMARKET by reason) and at each stage, with the share of the leads and the rate from the previous stage.
   */
  public static Dataset<Row> funnel(Dataset<Row> statuses, LocalDate asOf) {
    Dataset<Row> leads = statuses.select(col("channel"), col("lead_source"), col("lead_status"), col("remarket_reason"),
        col("activated"), col("qualified"), col("plan_kind"));
    Dataset<Row> bySource = leads.unionByName(leads.withColumn("lead_source", lit("(all)")));
    List<Column> stageCounts = new ArrayList<>();
    for (String[] stage : STAGES) {
      stageCounts.add(sum(when(coalesce(expr(stage[1]), lit(false)), 1L).otherwise(0L)).as(stage[0]));
    }
    Dataset<Row> stageTotals = bySource.groupBy("channel", "lead_source")
        .agg(stageCounts.get(0), stageCounts.subList(1, stageCounts.size()).toArray(Column[]::new));
    StringBuilder stack = new StringBuilder("stack(" + STAGES.size());
    for (int i = 0; i < STAGES.size(); i++) {
      String name = STAGES.get(i)[0];
      String previous = i == 0 ? "CAST(NULL AS BIGINT)" : STAGES.get(i - 1)[0];
      stack.append(", ").append(i + 1).append(", '").append(name).append("', ").append(name).append(", ").append(previous);
    }
    stack.append(") AS (position, value, leads, previous)");
    Dataset<Row> stageRows = stageTotals.select(col("channel"), col("lead_source"), col("created").as("_all"), expr(stack.toString()))
        .withColumn("dimension", lit("stage"))
        .withColumn("rate_from_previous", when(col("previous").gt(0), expr("round(leads / previous, 4)")))
        .drop("previous");
    Column value = when(col("lead_status").equalTo("REMARKET"), concat(lit("REMARKET:"), col("remarket_reason")))
        .otherwise(col("lead_status"));
    Column[] order = STATUS_ORDER.stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new);
    Dataset<Row> statusRows = bySource.withColumn("value", value)
        .groupBy("channel", "lead_source", "value", "lead_status").agg(count(lit(1)).as("leads"))
        .join(stageTotals.select(col("channel"), col("lead_source"), col("created").as("_all")), new String[] {"channel", "lead_source"})
        .withColumn("position", org.apache.spark.sql.functions.array_position(array(order), col("lead_status")).cast("int"))
        .withColumn("dimension", lit("status"))
        .withColumn("rate_from_previous", lit(null).cast("double"))
        .drop("lead_status");
    return stageRows.withColumn("position", col("position").cast("int")).unionByName(statusRows)
        .withColumn("share", expr("round(leads / _all, 4)"))
        .withColumn(LeadFunnel.AS_OF.name(), lit(Date.valueOf(asOf)))
        .select(LeadFunnel.TABLE.columns().stream().map(Col::col).toArray(Column[]::new));
  }
}
