package dev.plg360.common.tables;

import static dev.plg360.common.tables.Tables.STRING_ARRAY;
import static dev.plg360.common.tables.Tables.c;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.Billing;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.Tables.Accounts;

/**
 * What sales, success and marketing act on: account and lead scores with their reasons, and the lead funnel.
 * account_scores and lead_scores hold the current state, one row per account or lead; a run changes only the rows
 * whose values changed, and their change data feed is what activation sends.
 */
public final class ScoreTables {
  private ScoreTables() {}

  public static final Col AS_OF = c("as_of", DateType,
      "As-of date of the score run that last changed the row (a run that changes nothing leaves it)");

  public static final class AccountScores {
    private AccountScores() {}

    public static final Col ACCOUNT_ID = Account360.ACCOUNT_ID;
    public static final Col NAME = Account360.NAME;
    public static final Col DOMAIN = Account360.DOMAIN;
    public static final Col IS_PERSONAL = Account360.IS_PERSONAL;
    public static final Col CRM_OWNER_ID = Account360.CRM_OWNER_ID;
    public static final Col CRM_ACCOUNT_IDS = Accounts.CRM_ACCOUNT_IDS;
    public static final Col PLAN_KIND = c("plan_kind", StringType, "free, trial or paid");
    public static final Col PQL_SCORE = c("pql_score", DoubleType,
        "Likelihood to pay, 0-100: the conversion model's calibrated probability x 100, for free and trial accounts "
            + "(the best of their unconverted workspaces); null for paid accounts or without a model");
    public static final Col PQL_TIER = c("pql_tier", StringType, "A to D by plg360.score.pql.tiers; null without a PQL score");
    public static final Col PQL_MODEL_VERSION = c("pql_model_version", StringType, "Conversion model version that scored it");
    public static final Col PQL_WORKSPACE_ID = c("pql_workspace_id", StringType, "The workspace whose score is the account's");
    public static final Col PQL_WINDOW_START = c("pql_window_start", DateType,
        "First day of the behaviour scored: the sign-up day while the model's label horizon runs, then the start of the latest observation window");
    public static final Col PQL_OBSERVED_DAYS = c("pql_observed_days", IntegerType,
        "Days of that window seen: below the model's observation-days (a workspace that young) the score is provisional");
    public static final Col PQL_REASONS = c("pql_reasons", STRING_ARRAY,
        "Why: the behaviours that raise the score most, in words (plg360.score.pql.reasons), strongest first");
    public static final Col ICP_SCORE = c("icp_score", DoubleType,
        "Firmographic fit, 0-100: plg360.score.icp.base plus the points of every rule that matches, within 0-100; 0 when an exclusion matches");
    public static final Col ICP_TIER = c("icp_tier", StringType, "A to D by plg360.score.icp.tiers");
    public static final Col ICP_REASONS = c("icp_reasons", STRING_ARRAY,
        "Each matching rule as '<points> <reason>' (e.g. '+20 software company'), or the exclusion that applied");
    public static final Col ICP_EXCLUDED_BY = c("icp_excluded_by", StringType, "The exclusion rule that applied, if one");
    public static final Col SEGMENT = c("segment", StringType,
        "top_free_trial, top_self_serve_paid, top_enterprise, opportunistic, dead_zone or other (plg360.score.segments)");
    public static final Col SEGMENT_RULE = c("segment_rule", StringType, "The segment rule that fired: the first that matched");
    public static final Col PLAYBOOK = c("playbook", StringType, "What to do with the segment, from its rule");
    public static final Col EMPLOYEES = Account360.EMPLOYEES;
    public static final Col SEATS_BOUGHT = Billing.SEATS_BOUGHT;
    public static final Col SEATS_ACTIVE = Billing.SEATS_ACTIVE;
    public static final Col SEAT_UTILISATION = c("seat_utilisation", DoubleType,
        "seats_active / seats_bought; null without bought seats");
    public static final Col EMPLOYEE_PENETRATION = c("employee_penetration", DoubleType,
        "seats_active / employees; null without a headcount");
    public static final Col ADDRESSABLE_HEADCOUNT = c("addressable_headcount", LongType,
        "Headcount of the departments the product serves (plg360.score.seats.addressable-departments)");
    public static final Col ADDRESSABLE_PENETRATION = c("addressable_penetration", DoubleType,
        "seats_active / addressable_headcount; null without one");
    public static final Col WHITESPACE_SEATS = c("whitespace_seats", LongType,
        "addressable_headcount - seats_active, at least 0: people the product could still reach");
    public static final Col PENETRATION_BAND = c("penetration_band", StringType,
        "none, low, medium, high or saturated by addressable_penetration (plg360.score.seats.bands); unknown without a headcount");
    public static final Col NEAREST_CAP = Billing.NEAREST_CAP;
    public static final Col NEAREST_CAP_USAGE = Billing.NEAREST_CAP_USAGE;
    public static final Col NEAREST_CAP_DAYS = Billing.NEAREST_CAP_DAYS;
    public static final Col CAPS_NEAR = c("caps_near", STRING_ARRAY,
        "Every meter of the account's workspaces at plg360.score.caps.near-usage of its cap or more, most used first: 'api-calls-per-month of ws_42 at 91%'");
    public static final Col STRONGEST_SIGNAL = c("strongest_signal", StringType,
        "The signal of the last plg360.score.signals.lookback-days to act on first (by plg360.score.signals.priority, then the latest)");
    public static final Col STRONGEST_SIGNAL_DATE = c("strongest_signal_date", DateType, "When it fired");
    public static final Col STRONGEST_SIGNAL_EVIDENCE = c("strongest_signal_evidence", StringType, "Why it fired (naming the person, where one acted)").personal();
    public static final Col RECENT_SIGNALS = c("recent_signals", STRING_ARRAY, "Every signal type of the look-back, sorted");

    public static final TableDef TABLE = TableDef.table("gold", "account_scores")
        .grain("one row per account: its current scores")
        .columns(AS_OF, ACCOUNT_ID, NAME, DOMAIN, IS_PERSONAL, CRM_ACCOUNT_IDS, CRM_OWNER_ID, Billing.PLAN, PLAN_KIND, PQL_SCORE, PQL_TIER,
            PQL_MODEL_VERSION, PQL_WORKSPACE_ID, PQL_WINDOW_START, PQL_OBSERVED_DAYS, PQL_REASONS, ICP_SCORE, ICP_TIER, ICP_REASONS,
            ICP_EXCLUDED_BY, SEGMENT, SEGMENT_RULE, PLAYBOOK, EMPLOYEES, SEATS_BOUGHT, SEATS_ACTIVE, SEAT_UTILISATION,
            EMPLOYEE_PENETRATION, ADDRESSABLE_HEADCOUNT, ADDRESSABLE_PENETRATION, WHITESPACE_SEATS, PENETRATION_BAND,
            NEAREST_CAP, NEAREST_CAP_USAGE, NEAREST_CAP_DAYS, CAPS_NEAR, STRONGEST_SIGNAL, STRONGEST_SIGNAL_DATE,
            STRONGEST_SIGNAL_EVIDENCE, RECENT_SIGNALS)
        .key(ACCOUNT_ID)
        .changeDataFeed()
        .build();
  }

  public static final class LeadScores {
    private LeadScores() {}

    public static final Col LEAD_ID = c("lead_id", StringType, "Salesforce Lead Id (open leads: not converted, not deleted)");
    public static final Col PERSON_ID = User360.PERSON_ID;
    public static final Col ACCOUNT_ID = c("account_id", StringType, "The person's account on the as-of date");
    public static final Col EMAIL = c("email", StringType, "Email on the lead").personal();
    public static final Col NAME = c("name", StringType, "First and last name on the lead").personal();
    public static final Col COMPANY = c("company", StringType, "Company on the lead");
    public static final Col LEAD_SOURCE = c("lead_source", StringType, "LeadSource");
    public static final Col CHANNEL = c("channel", StringType,
        "PLG (came in through the product: plg360.score.leads.plg-lead-sources) or SLG");
    public static final Col CRM_STATUS = c("crm_status", StringType, "Status in Salesforce now");
    public static final Col LEAD_STATUS = c("lead_status", StringType,
        "OPEN_PLG, OPEN_SLG, WORKING_P, WORKING_S, REMARKET or NURTURE: what is happening between owner and prospect");
    public static final Col REMARKET_REASON = c("remarket_reason", StringType,
        "With REMARKET: UNRESPONSIVE, TOO_SMALL, WRONG_USE_CASE, WRONG_PERSONA, TRASH or UNAWARE");
    public static final Col STATUS_RULE = c("status_rule", StringType,
        "The rule that set the status (plg360.score.leads.statuses), or plg-guard when it held a PLG lead back from sales");
    public static final Col STATUS_DETAIL = c("status_detail", StringType, "Why, in words and numbers");
    public static final Col ROUTED_TO = c("routed_to", StringType, "Who works it: product, sales or marketing");
    public static final Col ACTIVATED = c("activated", BooleanType, "The person is activated in the product (plg360.score.leads.activated)");
    public static final Col HAND_RAISE = c("hand_raise", StringType,
        "How the person asked for sales: Contact Sales clicks, pricing-page views, a demo form; null if not");
    public static final Col QUALIFIED = c("qualified", BooleanType,
        "Ready for sales: PQL score at least plg360.score.leads.pql-threshold, or a hand raise");
    public static final Col QUALIFIED_BY = c("qualified_by", StringType, "Which of the two, with the number");
    public static final Col OWNER_ID = c("owner_id", StringType, "Salesforce OwnerId of the lead");

    public static final TableDef TABLE = TableDef.table("gold", "lead_scores")
        .grain("one row per open Salesforce lead: its current status and its account's scores")
        .columns(AS_OF, LEAD_ID, PERSON_ID, ACCOUNT_ID, EMAIL, NAME, COMPANY, LEAD_SOURCE, CHANNEL, CRM_STATUS,
            LEAD_STATUS, REMARKET_REASON, STATUS_RULE, STATUS_DETAIL, ROUTED_TO, ACTIVATED, HAND_RAISE, QUALIFIED,
            QUALIFIED_BY, AccountScores.PQL_SCORE, AccountScores.PQL_TIER, AccountScores.PQL_REASONS,
            AccountScores.ICP_SCORE, AccountScores.ICP_TIER, AccountScores.SEGMENT, OWNER_ID)
        .key(LEAD_ID)
        .changeDataFeed()
        .build();
  }

  public static final class LeadFunnel {
    private LeadFunnel() {}

    public static final Col AS_OF = c("as_of", DateType, "As-of date of the score run; the partition column");
    public static final Col CHANNEL = LeadScores.CHANNEL;
    public static final Col LEAD_SOURCE = LeadScores.LEAD_SOURCE;
    public static final Col DIMENSION = c("dimension", StringType,
        "status: leads by lead_status (REMARKET by reason); stage: leads that reached each funnel stage");
    public static final Col POSITION = c("position", IntegerType, "Order of the value within its dimension");
    public static final Col VALUE = c("value", StringType,
        "A status (REMARKET:TRASH for a reason) or a stage: created, activated, qualified, worked_by_sales, paid");
    public static final Col LEADS = c("leads", LongType, "Open leads of the channel and source with that value");
    public static final Col SHARE = c("share", DoubleType, "leads / the channel and source's leads");
    public static final Col RATE_FROM_PREVIOUS = c("rate_from_previous", DoubleType,
        "For a stage: leads / the previous stage's leads (conversion between stages); null for the first");

    public static final TableDef TABLE = TableDef.table("gold", "lead_funnel")
        .grain("one row per as-of date, channel, lead source, dimension and value")
        .columns(AS_OF, CHANNEL, LEAD_SOURCE, DIMENSION, POSITION, VALUE, LEADS, SHARE, RATE_FROM_PREVIOUS)
        .key(AS_OF, CHANNEL, LEAD_SOURCE, DIMENSION, VALUE)
        .partitionBy(AS_OF)
        .build();
  }

}
