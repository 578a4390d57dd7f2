package dev.plg360.jobs.c360;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.identity.EmailRules;
import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.GoldTables.CustomerTimeline;
import dev.plg360.common.tables.Tables.EmailEvents;
import dev.plg360.common.tables.Tables.FormSubmissions;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.common.tables.Tables.SfCommon;
import dev.plg360.common.tables.Tables.SfContacts;
import dev.plg360.common.tables.Tables.SfOpportunities;
import dev.plg360.common.tables.Tables.SfTasks;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.common.tables.Tables.SupportTickets;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * gold.customer_timeline as pure transforms: every touch of an account up to the as-of time, one row per touch
 * (source, type, ref_id), from product activity, HubSpot emails and forms, Salesforce tasks and opportunity stage
 * changes, Zendesk ticket status changes and Stripe subscription events. Only records with timestamps strictly before
 * {@code asOfEnd} (the start of the day after the as-of date, UTC) are used, and a touch is dated before it too.
 * People and accounts come from the identity graph as of the date; a touch whose account is not known is dropped
 * (it belongs to nobody yet). Every method returns exactly the catalog's columns, in its order.
 */
public final class TimelineTransforms {
  private TimelineTransforms() {}

  public static final String PRODUCT = "product";
  public static final String MARKETING = "marketing";
  public static final String SALES = "sales";
  public static final String SUPPORT = "support";
  public static final String BILLING = "billing";

  /**
   * Columns of the product activity frame build360 passes: silver.product_daily joined to the person and account
   * of its user (or anonymous id) on the as-of date.
   */
  public static final List<Col> ACTIVITY_COLUMNS = List.of(CustomerTimeline.EVENT_DATE, CustomerTimeline.WORKSPACE_ID,
      CustomerTimeline.PERSON_ID, CustomerTimeline.ACCOUNT_ID, ProductDaily.EVENT_NAME, ProductDaily.FEATURE,
      ProductDaily.EVENTS, ProductDaily.QUANTITY, ProductDaily.FIRST_TS);

  /**
   * The frames a timeline is built from: {@code productActivity} with {@link #ACTIVITY_COLUMNS}; the others are
   * bronze tables as the catalog declares them, Salesforce and Zendesk with every version.
   */
  public record Inputs(Dataset<Row> productActivity, Dataset<Row> emailEvents, Dataset<Row> formSubmissions,
                       Dataset<Row> sfTasks, Dataset<Row> sfOpportunities, Dataset<Row> supportTickets,
                       Dataset<Row> subscriptionEvents) {}

  // Intermediate columns, local to this class.
  private static final String CRM_ACCOUNT = "crm_account";
  private static final String CRM_LINKED_ACCOUNT = "crm_linked_account";
  private static final String PERSON_ACCOUNT = "person_account";
  private static final String CALLS = "calls";
  private static final String FEATURES = "features";
  private static final String FIRST = "first";
  private static final String ORDER = "order";
  private static final String LINE = "line";
  private static final String LINES = "lines";
  private static final String PREVIOUS = "previous";
  private static final String RANK = "rank";

  /** The key of Stripe subscription metadata that names the workspace. */
  private static final String METADATA_WORKSPACE = "workspace_id";
  private static final String REF_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
  private static final Column NO_PERSON = lit(null).cast("string");
  private static final Column NO_WORKSPACE = lit(null).cast("string");

  /** Every touch of an account up to the as-of time, one row per touch. */
  public static Dataset<Row> buildTimeline(Inputs in, IdentityAsOf identity, Timestamp asOfEnd) {
    return productTouches(in.productActivity(), asOfEnd)
        .unionByName(emailTouches(in.emailEvents(), identity, asOfEnd))
        .unionByName(formTouches(in.formSubmissions(), identity, asOfEnd))
        .unionByName(taskTouches(in.sfTasks(), identity, asOfEnd))
        .unionByName(opportunityStageTouches(in.sfOpportunities(), identity, asOfEnd))
        .unionByName(ticketTouches(in.supportTickets(), identity, asOfEnd))
        .unionByName(subscriptionTouches(in.subscriptionEvents(), identity, asOfEnd));
  }

  /**
   * One {@code product_day} per person, workspace and day, dated by the day's first call: "14 events: Feature Used x8
   * (dashboards, reports), Logged In x2, ..." (most frequent event first, then by name; features sorted). Rows
   * without an account are skipped.
   */
  public static Dataset<Row> productTouches(Dataset<Row> activity, Timestamp asOfEnd) {
    Column[] day = {CustomerTimeline.PERSON_ID.col(), CustomerTimeline.WORKSPACE_ID.col(), CustomerTimeline.EVENT_DATE.col()};
    Column[] dayAndEvent = {day[0], day[1], day[2], ProductDaily.EVENT_NAME.col()};
    Dataset<Row> perEvent = activity
        .where(ProductDaily.FIRST_TS.col().lt(asOfEnd).and(CustomerTimeline.ACCOUNT_ID.col().isNotNull()))
        .groupBy(dayAndEvent)
        .agg(accountOfTheDay(), sum(ProductDaily.EVENTS.col()).as(CALLS),
            array_sort(collect_set(ProductDaily.FEATURE.col())).as(FEATURES),
            min(ProductDaily.FIRST_TS.col()).as(FIRST));
    Column line = concat_ws(" ", ProductDaily.EVENT_NAME.col(), concat(lit("x"), col(CALLS)),
        parenthesised(when(size(col(FEATURES)).gt(0), array_join(col(FEATURES), ", "))));
    // Sorting structs sorts by their fields in order: most calls first, then the event name.
    Column lines = array_sort(collect_list(struct(col(CALLS).multiply(-1).as(ORDER), ProductDaily.EVENT_NAME.col(),
        line.as(LINE)))).getField(LINE);
    Dataset<Row> perDay = perEvent.groupBy(day)
        .agg(accountOfTheDay(), sum(col(CALLS)).as(CALLS), min(col(FIRST)).as(FIRST), lines.as(LINES));
    Column ref = concat_ws("|", CustomerTimeline.PERSON_ID.col(), coalesce(CustomerTimeline.WORKSPACE_ID.col(), lit("")),
        date_format(CustomerTimeline.EVENT_DATE.col(), "yyyy-MM-dd"));
    return touches(perDay, asOfEnd, PRODUCT, CustomerTimeline.ACCOUNT_ID.col(), col(FIRST),
        CustomerTimeline.PERSON_ID.col(), CustomerTimeline.WORKSPACE_ID.col(), lit("product_day"),
        concat(counted(col(CALLS), "event"), lit(": "), array_join(col(LINES), ", ")), ref);
  }

  /** A person's account on a day of activity: one value, even if the caller's join gave two. */
  private static Column accountOfTheDay() {
    return min(CustomerTimeline.ACCOUNT_ID.col()).as(CustomerTimeline.ACCOUNT_ID.name());
  }

  /** Each HubSpot email event ({@code email_sent}, {@code email_click}, ...) of a person, by normalised recipient. */
  public static Dataset<Row> emailTouches(Dataset<Row> events, IdentityAsOf identity, Timestamp asOfEnd) {
    Dataset<Row> j = withAccountOfPerson(events, EmailEvents.RECIPIENT.col(), identity);
    Column detail = concat_ws(" ", lit("Email"), upper(EmailEvents.EVENT_TYPE.col()), EmailEvents.URL.col(),
        parenthesised(concat(lit("campaign "), EmailEvents.CAMPAIGN_ID.col())));
    return touches(j, asOfEnd, MARKETING, col(PERSON_ACCOUNT), EmailEvents.EVENT_TS.col(),
        CustomerTimeline.PERSON_ID.col(), NO_WORKSPACE, typed("email_", EmailEvents.EVENT_TYPE.col()), detail,
        EmailEvents.ID.col());
  }

  /** Each HubSpot form submission ({@code form_submission}) of a person, by the normalised email field. */
  public static Dataset<Row> formTouches(Dataset<Row> submissions, IdentityAsOf identity, Timestamp asOfEnd) {
    Dataset<Row> j = withAccountOfPerson(submissions, FormSubmissions.EMAIL.col(), identity);
    Column detail = concat_ws(" ", lit("Form"),
        quoted(coalesce(FormSubmissions.FORM_NAME.col(), FormSubmissions.FORM_ID.col())),
        concat(lit("on "), FormSubmissions.PAGE_URL.col()));
    return touches(j, asOfEnd, MARKETING, col(PERSON_ACCOUNT), FormSubmissions.SUBMITTED_AT.col(),
        CustomerTimeline.PERSON_ID.col(), NO_WORKSPACE, lit("form_submission"), detail,
        FormSubmissions.CONVERSION_ID.col());
  }

  /**
   * Each Salesforce task as last modified by the as-of time ({@code task}), dated by its ActivityDate (else its
   * creation), with its person and account as {@link EngagementTransforms#tasksAsOf} finds them. A task planned
   * for a day after the as-of date is not a touch yet.
   */
  public static Dataset<Row> taskTouches(Dataset<Row> taskVersions, IdentityAsOf identity, Timestamp asOfEnd) {
    Dataset<Row> j = EngagementTransforms.tasksAsOf(taskVersions, asOfEnd, identity);
    Column ts = coalesce(SfTasks.ACTIVITY_DATE.col().cast("timestamp"), SfCommon.CREATED_AT.col());
    Column type = coalesce(SfTasks.TASK_TYPE.col(), lit("Task"));
    // Subjects often start with the type already ("Email: Welcome"); say it once.
    Column subject = when(SfTasks.SUBJECT.col().startsWith(concat(type, lit(":"))), SfTasks.SUBJECT.col())
        .otherwise(concat_ws(" ", concat(type, lit(":")), SfTasks.SUBJECT.col()));
    Column detail = concat_ws(" ", subject, parenthesised(SfTasks.STATUS.col()));
    return touches(j, asOfEnd, SALES, CustomerTimeline.ACCOUNT_ID.col(), ts,
        CustomerTimeline.PERSON_ID.col(), NO_WORKSPACE, lit("task"), detail, SfCommon.ID.col());
  }

  /**
   * Each opportunity version modified before the as-of time whose stage differs from the version before it (the first
   * version counts), on the opportunity's CRM account: {@code opportunity_stage}, ref_id {@code id|last_modified_at}.
   */
  public static Dataset<Row> opportunityStageTouches(Dataset<Row> versions, IdentityAsOf identity, Timestamp asOfEnd) {
    Dataset<Row> live = versions.where(SfCommon.LAST_MODIFIED_AT.col().lt(asOfEnd)
        .and(not(coalesce(SfCommon.IS_DELETED.col(), lit(false)))));
    Dataset<Row> j = withAccountOfCrm(changesOf(live, SfCommon.ID.col(), SfCommon.LAST_MODIFIED_AT.col(),
        SfOpportunities.STAGE_NAME.col()), identity);
    Column detail = concat_ws(" ", lit("Opportunity"), quoted(SfOpportunities.NAME.col()),
        SfOpportunities.STAGE_NAME.col(),
        parenthesised(concat(lit("amount "), format_number(SfOpportunities.AMOUNT.col(), 0))));
    return touches(j, asOfEnd, SALES, col(CRM_LINKED_ACCOUNT), SfCommon.LAST_MODIFIED_AT.col(), NO_PERSON,
        NO_WORKSPACE, lit("opportunity_stage"), detail,
        versionRef(SfCommon.ID.col(), SfCommon.LAST_MODIFIED_AT.col()));
  }

  /**
   * Each Zendesk ticket version written before the as-of time whose status differs from the version before it (a
   * re-export with the same status adds nothing): {@code ticket_<status>} of the requester, ref_id
   * {@code ticket_id|updated_at}.
   */
  public static Dataset<Row> ticketTouches(Dataset<Row> versions, IdentityAsOf identity, Timestamp asOfEnd) {
    Dataset<Row> changes = changesOf(versions.where(SupportTickets.UPDATED_AT.col().lt(asOfEnd)),
        SupportTickets.TICKET_ID.col(), SupportTickets.UPDATED_AT.col(), SupportTickets.STATUS.col());
    Dataset<Row> j = withAccountOfPerson(changes, SupportTickets.REQUESTER_EMAIL.col(), identity);
    Column detail = concat_ws(" ", concat(lit("Ticket #"), SupportTickets.TICKET_ID.col()),
        quoted(SupportTickets.SUBJECT.col()), SupportTickets.STATUS.col(),
        parenthesised(SupportTickets.PRIORITY.col()));
    return touches(j, asOfEnd, SUPPORT, col(PERSON_ACCOUNT), SupportTickets.UPDATED_AT.col(),
        CustomerTimeline.PERSON_ID.col(), NO_WORKSPACE, typed("ticket_", SupportTickets.STATUS.col()), detail,
        versionRef(SupportTickets.TICKET_ID.col(), SupportTickets.UPDATED_AT.col()));
  }

  /** Each Stripe subscription event ({@code subscription_<status>}) of the workspace its metadata names. */
  public static Dataset<Row> subscriptionTouches(Dataset<Row> events, IdentityAsOf identity, Timestamp asOfEnd) {
    Dataset<Row> j = events.withColumn(CustomerTimeline.WORKSPACE_ID.name(),
            element_at(SubscriptionEvents.METADATA.col(), METADATA_WORKSPACE))
        .join(identity.accountOfWorkspace(CustomerTimeline.WORKSPACE_ID.name(), CustomerTimeline.ACCOUNT_ID.name()),
            new String[] {CustomerTimeline.WORKSPACE_ID.name()}, "left");
    Column detail = concat(SubscriptionEvents.EVENT_TYPE.col(), lit(": "),
        concat_ws(", ", concat(lit("plan "), SubscriptionEvents.PLAN_ID.col()),
            counted(SubscriptionEvents.QUANTITY.col(), "seat"), SubscriptionEvents.STATUS.col()));
    return touches(j, asOfEnd, BILLING, CustomerTimeline.ACCOUNT_ID.col(), SubscriptionEvents.EVENT_TS.col(),
        NO_PERSON, CustomerTimeline.WORKSPACE_ID.col(), typed("subscription_", SubscriptionEvents.STATUS.col()),
        detail, SubscriptionEvents.EVENT_ID.col());
  }

  /**
   * The touches of a frame in the catalog's columns and order: those with an account and dated before the as-of
   * time, with event_date the UTC date of ts (the session time zone is UTC).
   */
  private static Dataset<Row> touches(Dataset<Row> df, Timestamp asOfEnd, String source, Column account, Column ts,
                                      Column person, Column workspace, Column type, Column detail, Column ref) {
    return df.select(
            account.as(CustomerTimeline.ACCOUNT_ID.name()),
            ts.as(CustomerTimeline.TS.name()),
            to_date(ts).as(CustomerTimeline.EVENT_DATE.name()),
            person.as(CustomerTimeline.PERSON_ID.name()),
            workspace.as(CustomerTimeline.WORKSPACE_ID.name()),
            lit(source).as(CustomerTimeline.SOURCE.name()),
            type.as(CustomerTimeline.TYPE.name()),
            detail.as(CustomerTimeline.DETAIL.name()),
            ref.cast("string").as(CustomerTimeline.REF_ID.name()))
        .where(CustomerTimeline.ACCOUNT_ID.col().isNotNull().and(CustomerTimeline.TS.col().lt(asOfEnd)));
  }

  /** Adds person_id (the normalised email) and {@link #PERSON_ACCOUNT}, that person's account, if any. */
  private static Dataset<Row> withAccountOfPerson(Dataset<Row> df, Column email, IdentityAsOf identity) {
    return df.withColumn(CustomerTimeline.PERSON_ID.name(), EmailRules.normalize(email))
        .join(identity.accountOfPerson(CustomerTimeline.PERSON_ID.name(), PERSON_ACCOUNT),
            new String[] {CustomerTimeline.PERSON_ID.name()}, "left");
  }

  /** Renames a Salesforce record's AccountId to {@link #CRM_ACCOUNT} and adds {@link #CRM_LINKED_ACCOUNT}, its account. */
  private static Dataset<Row> withAccountOfCrm(Dataset<Row> records, IdentityAsOf identity) {
    return records.withColumnRenamed(SfContacts.ACCOUNT_ID.name(), CRM_ACCOUNT)
        .join(identity.accountOfCrmAccount(CRM_ACCOUNT, CRM_LINKED_ACCOUNT), new String[] {CRM_ACCOUNT}, "left");
  }

  /** The versions of each record whose {@code value} differs from the version before (the first version counts). */
  private static Dataset<Row> changesOf(Dataset<Row> versions, Column id, Column at, Column value) {
    WindowSpec byTime = Window.partitionBy(id).orderBy(at);
    return versions.withColumn(PREVIOUS, lag(value, 1).over(byTime))
        .withColumn(RANK, row_number().over(byTime))
        .where(col(RANK).equalTo(1).or(not(value.eqNullSafe(col(PREVIOUS)))))
        .drop(PREVIOUS, RANK);
  }

  /** {@code id|2026-05-02T10:00:00.000Z}: one version of a record. */
  private static Column versionRef(Column id, Column at) {
    return concat_ws("|", id.cast("string"), date_format(at, REF_TIME_FORMAT));
  }

  /** {@code prefix} and the lower-cased value ({@code unknown} when there is none), e.g. {@code ticket_open}. */
  private static Column typed(String prefix, Column value) {
    return concat(lit(prefix), lower(coalesce(value, lit("unknown"))));
  }

  /** "1 seat", "4 seats". */
  private static Column counted(Column n, String noun) {
    return concat(n.cast("string"), lit(" "), when(n.equalTo(1), lit(noun)).otherwise(lit(noun + "s")));
  }

  /** {@code (text)}, or null without text, so that {@code concat_ws} leaves it out. */
  private static Column parenthesised(Column text) {
    return concat(lit("("), text, lit(")"));
  }

  /** {@code 'text'}, or null without text. */
  private static Column quoted(Column text) {
    return concat(lit("'"), text, lit("'"));
  }
}
