package dev.plg360.common.tables;

import static dev.plg360.common.tables.Tables.DATE_MAP;
import static dev.plg360.common.tables.Tables.DOUBLE_MAP;
import static dev.plg360.common.tables.Tables.LONG_MAP;
import static dev.plg360.common.tables.Tables.STRING_ARRAY;
import static dev.plg360.common.tables.Tables.STRING_MAP;
import static dev.plg360.common.tables.Tables.c;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.util.ArrayList;
import java.util.List;

/**
 * The gold part of the catalog: the customer-360 snapshots, the timeline and the signals, for BI tools. Every
 * snapshot row is as of a date: it uses only data with timestamps up to the end of that UTC day.
 */
public final class GoldTables {
  private GoldTables() {}

  private static List<Col> cols(List<Col> first, List<Col> rest) {
    List<Col> out = new ArrayList<>(first);
    out.addAll(rest);
    return out;
  }

  /** Columns shared by the snapshots. */
  public static final class Snapshot {
    private Snapshot() {}

    public static final Col AS_OF = c("as_of", DateType,
        "As-of date: every column uses only data up to the end of this UTC day; the partition column");
  }

  /** Product activity measured the same way for an account, a workspace and a person. */
  public static final class Activity {
    private Activity() {}

    public static final Col ACTIVE_USERS_1D = c("active_users_1d", LongType, "People active on the as-of day");
    public static final Col ACTIVE_USERS_7D = c("active_users_7d", LongType, "People active in the 7 days ending on the as-of day");
    public static final Col ACTIVE_USERS_28D = c("active_users_28d", LongType, "People active in the 28 days ending on the as-of day");
    public static final Col STICKINESS = c("stickiness", DoubleType,
        "DAU/MAU: average daily active people over 28 days divided by active_users_28d, 0 to 1; null with none active");
    public static final Col ACTIVE_DAYS_7D = c("active_days_7d", LongType, "Days with any activity in the last 7");
    public static final Col ACTIVE_DAYS_28D = c("active_days_28d", LongType, "Days with any activity in the last 28");
    public static final Col EVENTS_7D = c("events_7d", LongType, "Product events (track and page calls) in the last 7 days");
    public static final Col EVENTS_PREV_7D = c("events_prev_7d", LongType, "Product events in the 7 days before those");
    public static final Col MOMENTUM_7D = c("momentum_7d", DoubleType,
        "(events_7d - events_prev_7d) / events_prev_7d: 0.5 is 50% more than the week before; null when that week had none");
    public static final Col LAST_ACTIVE_DATE = c("last_active_date", DateType, "Last day with any activity, up to the as-of day");
    public static final Col DISTINCT_FEATURES_28D = c("distinct_features_28d", LongType, "Distinct features used in the last 28 days");
    public static final Col FEATURE_USES_28D = c("feature_uses_28d", LONG_MAP,
        "Uses per feature in the last 28 days (properties.feature of 'Feature Used'), e.g. {dashboards: 12}");
    public static final Col EVENT_COUNTS_28D = c("event_counts_28d", LONG_MAP,
        "Events per name in the last 28 days, pages as 'Page: <name>', e.g. {'Page: Pricing': 3}");
    public static final Col INVITES_SENT_28D = c("invites_sent_28d", LongType, "Invitations sent in the last 28 days");
    public static final Col INVITES_SENT_TOTAL = c("invites_sent_total", LongType, "Invitations sent up to the as-of day");
    public static final Col MILESTONES = c("milestones", DATE_MAP,
        "First date each product milestone (plg360.build360.milestones) was reached, e.g. {first_integration: 2026-05-02}");
    public static final Col MILESTONES_REACHED = c("milestones_reached", LongType, "Milestones reached up to the as-of day");
    public static final Col FIRST_VALUE_DATE = c("first_value_date", DateType,
        "When the first-value milestone (plg360.build360.first-value-milestone) was reached; null if not yet");
    public static final Col DAYS_TO_FIRST_VALUE = c("days_to_first_value", LongType,
        "Days from the first activity to the first-value milestone (time to first value)");

    static List<Col> forGroups() {
      return List.of(ACTIVE_USERS_1D, ACTIVE_USERS_7D, ACTIVE_USERS_28D, STICKINESS, ACTIVE_DAYS_7D, ACTIVE_DAYS_28D,
          EVENTS_7D, EVENTS_PREV_7D, MOMENTUM_7D, LAST_ACTIVE_DATE, DISTINCT_FEATURES_28D, FEATURE_USES_28D,
          EVENT_COUNTS_28D, INVITES_SENT_28D, INVITES_SENT_TOTAL, MILESTONES, MILESTONES_REACHED, FIRST_VALUE_DATE,
          DAYS_TO_FIRST_VALUE);
    }

    static List<Col> forPeople() {
      return List.of(ACTIVE_DAYS_7D, ACTIVE_DAYS_28D, EVENTS_7D, EVENTS_PREV_7D, MOMENTUM_7D, LAST_ACTIVE_DATE,
          DISTINCT_FEATURES_28D, FEATURE_USES_28D, EVENT_COUNTS_28D, INVITES_SENT_28D, INVITES_SENT_TOTAL, MILESTONES,
          MILESTONES_REACHED, FIRST_VALUE_DATE, DAYS_TO_FIRST_VALUE);
    }
  }

  /** Marketing, sales and support touches, measured the same way for an account and a person. */
  public static final class Engagement {
    private Engagement() {}

    public static final Col EMAILS_SENT_30D = c("emails_sent_30d", LongType, "Marketing emails sent in the last 30 days (HubSpot SENT)");
    public static final Col EMAILS_OPENED_30D = c("emails_opened_30d", LongType, "Marketing emails opened in the last 30 days (OPEN events)");
    public static final Col EMAILS_CLICKED_30D = c("emails_clicked_30d", LongType, "Marketing email clicks in the last 30 days (CLICK events)");
    public static final Col FORMS_SUBMITTED_30D = c("forms_submitted_30d", LongType, "Form submissions in the last 30 days");
    public static final Col LAST_MARKETING_TOUCH_AT = c("last_marketing_touch_at", TimestampType,
        "Latest marketing email event or form submission, UTC");
    public static final Col SALES_TASKS_30D = c("sales_tasks_30d", LongType,
        "Salesforce tasks (calls, emails, meetings) with an ActivityDate in the last 30 days");
    public static final Col LAST_SALES_TOUCH_DATE = c("last_sales_touch_date", DateType, "Latest sales task ActivityDate");
    public static final Col TICKETS_OPEN = c("tickets_open", LongType, "Support tickets new, open, pending or on hold at the end of the day");
    public static final Col TICKETS_30D = c("tickets_30d", LongType, "Support tickets opened in the last 30 days");

    static List<Col> all() {
      return List.of(EMAILS_SENT_30D, EMAILS_OPENED_30D, EMAILS_CLICKED_30D, FORMS_SUBMITTED_30D, LAST_MARKETING_TOUCH_AT,
          SALES_TASKS_30D, LAST_SALES_TOUCH_DATE, TICKETS_OPEN, TICKETS_30D);
    }
  }

  /** Plan, billing and usage against the plan's caps. */
  public static final class Billing {
    private Billing() {}

    public static final Col PLAN = c("plan", StringType, "Plan name from plg360.plans (free without a subscription); for an account, the highest-priced plan of its workspaces");
    public static final Col BILLING_STATUS = c("billing_status", StringType,
        "Stripe status of the latest subscription (trialing, active, past_due, canceled; null with none); for an account, that of the plan's workspace");
    public static final Col IS_PAID = c("is_paid", BooleanType, "On a plan with a price, in a paid status (plg360.billing: active, or past due after it)");
    public static final Col TRIAL_ENDS_AT = c("trial_ends_at", TimestampType, "End of the current trial, UTC");
    public static final Col SEATS_BOUGHT = c("seats_bought", LongType, "Seats on the subscription (Stripe quantity); for an account, over all its workspaces");
    public static final Col SEATS_ACTIVE = c("seats_active", LongType, "People active in the last 28 days (for an account, over all its workspaces): seats in use");
    public static final Col MRR = c("mrr", DoubleType, "Monthly recurring revenue of paid subscriptions (yearly plans / 12); for an account, over all its workspaces");
    public static final Col USAGE = c("usage", LONG_MAP, "Usage of each capped meter (plg360.build360.meters), e.g. {seats: 4}");
    public static final Col CAPS = c("caps", LONG_MAP, "The plan's cap of each meter, from plg360.plans");
    public static final Col CAP_USAGE = c("cap_usage", DOUBLE_MAP, "usage / cap per meter: 0.9 is 90% of the cap");
    public static final Col DAYS_TO_CAP = c("days_to_cap", DOUBLE_MAP,
        "Days until the meter reaches its cap at the last 14 days' daily rate; 0 at or over the cap; absent when not growing");
    public static final Col NEAREST_CAP = c("nearest_cap", StringType, "The meter closest to its cap (highest cap_usage)");
    public static final Col NEAREST_CAP_USAGE = c("nearest_cap_usage", DoubleType, "cap_usage of nearest_cap");
    public static final Col NEAREST_CAP_DAYS = c("nearest_cap_days", DoubleType, "days_to_cap of nearest_cap");
  }

  public static final class Workspace360 {
    private Workspace360() {}

    public static final Col WORKSPACE_ID = c("workspace_id", StringType, "Product workspace id");
    public static final Col ACCOUNT_ID = c("account_id", StringType, "Account the workspace rolls up to on the as-of day");
    public static final Col NAME = c("name", StringType, "Workspace name");
    public static final Col CREATED_AT = c("created_at", TimestampType, "First event of the workspace, UTC");
    public static final Col IS_PERSONAL = c("is_personal", BooleanType, "A personal workspace: no business-domain member");
    public static final Col MEMBERS = c("members", LongType, "Product users seen in the workspace up to the as-of day");

    public static final TableDef TABLE = TableDef.table("gold", "workspace_360")
        .grain("one row per workspace per as-of date")
        .columns(cols(List.of(Snapshot.AS_OF, WORKSPACE_ID, ACCOUNT_ID, NAME, CREATED_AT, IS_PERSONAL, MEMBERS,
            Billing.PLAN, Billing.BILLING_STATUS, Billing.IS_PAID, Billing.TRIAL_ENDS_AT, Billing.SEATS_BOUGHT,
            Billing.SEATS_ACTIVE, Billing.MRR, Billing.USAGE, Billing.CAPS, Billing.CAP_USAGE, Billing.DAYS_TO_CAP,
            Billing.NEAREST_CAP, Billing.NEAREST_CAP_USAGE, Billing.NEAREST_CAP_DAYS), Activity.forGroups()))
        .key(Snapshot.AS_OF, WORKSPACE_ID)
        .partitionBy(Snapshot.AS_OF)
        .zorderBy(ACCOUNT_ID, WORKSPACE_ID)
        .build();
  }

  public static final class Account360 {
    private Account360() {}

    public static final Col ACCOUNT_ID = c("account_id", StringType, "Registrable domain (acme.co.uk), or personal:<workspace_id>");
    public static final Col NAME = c("name", StringType, "Company name (Clearbit, else the CRM, else the first workspace)");
    public static final Col DOMAIN = c("domain", StringType, "Registrable domain; null for a personal account");
    public static final Col IS_PERSONAL = c("is_personal", BooleanType, "A personal account: free-mail users only, no firmographics");
    public static final Col INDUSTRY = c("industry", StringType, "Industry (Clearbit, else CRM)");
    public static final Col EMPLOYEES = c("employees", LongType, "Employees (Clearbit, else CRM)");
    public static final Col COUNTRY = c("country", StringType, "Country (Clearbit, else CRM billing country)");
    public static final Col DEPARTMENT_HEADCOUNTS = c("department_headcounts", STRING_MAP,
        "Headcount per department (Clearbit / ZoomInfo style): the addressable headcount");
    public static final Col WORKSPACES = c("workspaces", LongType, "Workspaces rolled up to the account");
    public static final Col WORKSPACE_IDS = c("workspace_ids", STRING_ARRAY, "Their ids");
    public static final Col PEOPLE = c("people", LongType, "People of the account seen anywhere (product, CRM, marketing, support)");
    public static final Col USERS = c("users", LongType, "People of the account with a product user");
    public static final Col PAID_WORKSPACES = c("paid_workspaces", LongType, "Workspaces on a paid plan");
    public static final Col NEAREST_CAP_WORKSPACE_ID = c("nearest_cap_workspace_id", StringType, "Workspace of nearest_cap");
    public static final Col CRM_OWNER_ID = c("crm_owner_id", StringType,
        "Salesforce owner: of the most recently modified CRM account, else of the account's most recently modified lead");
    public static final Col OPEN_OPPORTUNITIES = c("open_opportunities", LongType,
        "Open opportunities, duplicates on the account's domain counted once");
    public static final Col OPEN_PIPELINE_AMOUNT = c("open_pipeline_amount", DoubleType, "Amount of those opportunities");

    public static final TableDef TABLE = TableDef.table("gold", "account_360")
        .grain("one row per account per as-of date")
        .columns(cols(cols(List.of(Snapshot.AS_OF, ACCOUNT_ID, NAME, DOMAIN, IS_PERSONAL, INDUSTRY, EMPLOYEES, COUNTRY,
            DEPARTMENT_HEADCOUNTS, WORKSPACES, WORKSPACE_IDS, PEOPLE, USERS,
            Billing.PLAN, Billing.BILLING_STATUS, PAID_WORKSPACES, Billing.SEATS_BOUGHT, Billing.SEATS_ACTIVE, Billing.MRR,
            NEAREST_CAP_WORKSPACE_ID, Billing.NEAREST_CAP, Billing.NEAREST_CAP_USAGE, Billing.NEAREST_CAP_DAYS),
            Activity.forGroups()), cols(Engagement.all(), List.of(CRM_OWNER_ID, OPEN_OPPORTUNITIES, OPEN_PIPELINE_AMOUNT))))
        .key(Snapshot.AS_OF, ACCOUNT_ID)
        .partitionBy(Snapshot.AS_OF)
        .zorderBy(ACCOUNT_ID)
        .build();
  }

  public static final class User360 {
    private User360() {}

    public static final Col PERSON_ID = c("person_id", StringType, "Person (normalised email; user:<id> without one), see silver.people").personal();
    public static final Col EMAIL = c("email", StringType, "Email as first seen").personal();
    public static final Col NAME = c("name", StringType, "Full name").personal();
    public static final Col TITLE = c("title", StringType, "Job title, from the CRM");
    public static final Col ACCOUNT_ID = c("account_id", StringType, "Account of the person on the as-of day");
    public static final Col ACCOUNT_RULE = c("account_rule", StringType, "Rule that linked them to it");
    public static final Col USER_IDS = c("user_ids", STRING_ARRAY, "Product user ids");
    public static final Col WORKSPACE_IDS = c("workspace_ids", STRING_ARRAY, "Workspaces the person was active in up to the as-of day");
    public static final Col LEAD_IDS = c("lead_ids", STRING_ARRAY, "Salesforce Lead Ids");
    public static final Col CONTACT_IDS = c("contact_ids", STRING_ARRAY, "Salesforce Contact Ids");
    public static final Col FIRST_SEEN_AT = c("first_seen_at", TimestampType, "Earliest record of the person, UTC");
    public static final Col IS_CHAMPION = c("is_champion", BooleanType,
        "Among the most active people of the account in 28 days and invited others (plg360.build360.champion)");

    public static final TableDef TABLE = TableDef.table("gold", "user_360")
        .grain("one row per person per as-of date")
        .columns(cols(cols(List.of(Snapshot.AS_OF, PERSON_ID, EMAIL, NAME, TITLE, ACCOUNT_ID, ACCOUNT_RULE, USER_IDS,
            WORKSPACE_IDS, LEAD_IDS, CONTACT_IDS, FIRST_SEEN_AT), Activity.forPeople()),
            cols(List.of(IS_CHAMPION), Engagement.all())))
        .key(Snapshot.AS_OF, PERSON_ID)
        .partitionBy(Snapshot.AS_OF)
        .zorderBy(ACCOUNT_ID, PERSON_ID)
        .build();
  }

  /** Every touch of an account, in time order, for drill-down. */
  public static final class CustomerTimeline {
    private CustomerTimeline() {}

    public static final Col ACCOUNT_ID = c("account_id", StringType, "Account touched (identity as of the last build360)");
    public static final Col TS = c("ts", TimestampType, "When, UTC (product: the person's first event that day)");
    public static final Col EVENT_DATE = c("event_date", DateType, "UTC date of ts; the partition column");
    public static final Col PERSON_ID = c("person_id", StringType, "Person touched or acting; null for account-level touches").personal();
    public static final Col WORKSPACE_ID = c("workspace_id", StringType, "Workspace, for product and billing touches");
    public static final Col SOURCE = c("source", StringType, "product, marketing, sales, support or billing");
    public static final Col TYPE = c("type", StringType,
        "What happened: product_day, email_<event>, form_submission, task, opportunity_stage, ticket_<status>, subscription_<status>");
    public static final Col DETAIL = c("detail", StringType, "One line for a person to read").personal();
    public static final Col REF_ID = c("ref_id", StringType, "Id of the source record (for product: person|workspace|date)").personal();

    public static final TableDef TABLE = TableDef.table("gold", "customer_timeline")
        .grain("one row per touch (source, type, ref_id)")
        .columns(ACCOUNT_ID, TS, EVENT_DATE, PERSON_ID, WORKSPACE_ID, SOURCE, TYPE, DETAIL, REF_ID)
        .key(SOURCE, TYPE, REF_ID)
        .partitionBy(EVENT_DATE)
        .zorderBy(ACCOUNT_ID)
        .build();
  }

  /** Dated, explainable signals worth acting on the same day. */
  public static final class Signals {
    private Signals() {}

    public static final Col SIGNAL_ID = c("signal_id", StringType, "Stable id: type, subject and date, so a re-run does not add it again (a person's email for signals about a person)").personal();
    public static final Col SIGNAL_DATE = c("signal_date", DateType, "Day the signal fired (UTC)");
    public static final Col SIGNAL_TYPE = c("signal_type", StringType,
        "INVITE_SPIKE, ACTIVITY_SURGE, CAP_APPROACHING, MILESTONE_REACHED, NEW_WORKSPACE or CHAMPION_IDENTIFIED");
    public static final Col ACCOUNT_ID = c("account_id", StringType, "Account it concerns");
    public static final Col WORKSPACE_ID = c("workspace_id", StringType, "Workspace it concerns, if one");
    public static final Col PERSON_ID = c("person_id", StringType, "Person it concerns, if one").personal();
    public static final Col SUBJECT = c("subject", StringType, "What in particular: the meter, the milestone, ...");
    public static final Col STRENGTH = c("strength", DoubleType,
        "How strong: invites that day, z-score, share of the cap, ...; compare within a type");
    public static final Col EVIDENCE = c("evidence", StringType, "Why it fired, in words and numbers (naming the person, where one acted)").personal();
    public static final Col DETECTED_AT = c("detected_at", TimestampType,
        "Start of the build360 run that first found it, UTC; each run stamps its own start").runStamp();
    public static final Col RUN_ID = c("run_id", StringType,
        "That run; each run has its own id").runStamp();

    public static final TableDef TABLE = TableDef.table("gold", "signals")
        .grain("one row per signal (type, subject, day)")
        .columns(SIGNAL_ID, SIGNAL_DATE, SIGNAL_TYPE, ACCOUNT_ID, WORKSPACE_ID, PERSON_ID, SUBJECT, STRENGTH, EVIDENCE,
            DETECTED_AT, RUN_ID)
        .key(SIGNAL_ID)
        .zorderBy(ACCOUNT_ID)
        .changeDataFeed()
        .build();
  }
}
