package dev.plg360.jobs.c360;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.GoldTables.CustomerTimeline;
import dev.plg360.common.tables.Tables.EmailEvents;
import dev.plg360.common.tables.Tables.FormSubmissions;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.common.tables.Tables.SfCommon;
import dev.plg360.common.tables.Tables.SfContacts;
import dev.plg360.common.tables.Tables.SfOpportunities;
import dev.plg360.common.tables.Tables.SfTasks;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.common.tables.Tables.SupportTickets;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The timeline of two accounts (acme.io, globex.com) as of 2026-05-10, built once from tiny frames of every source,
 * with records after the as-of day, records of people and workspaces no account claims, re-exported versions and
 * plus-addressed emails planted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimelineTransformsTest extends SparkTestBase {

  private static final Timestamp AS_OF_END = ts("2026-05-11T00:00:00Z");
  private static final String ANA = "ana@acme.io";
  private static final String BOB = "bob@globex.com";
  private static final String ACME = "acme.io";
  private static final String GLOBEX = "globex.com";

  private StructType schema;
  private List<Row> timeline;

  private static Timestamp ts(String iso) {
    return Timestamp.from(instant(iso));
  }

  private static Date day(String iso) {
    return Date.valueOf(iso);
  }

  private FrameBuilder activity() {
    return frame(new StructType(TimelineTransforms.ACTIVITY_COLUMNS.stream().map(Col::field)
        .toArray(StructField[]::new)));
  }

  private FrameBuilder product(FrameBuilder f, String person, String account, String date, String event, String feature,
                        long events, String firstTs) {
    return f.row(CustomerTimeline.PERSON_ID, person, CustomerTimeline.ACCOUNT_ID, account,
        CustomerTimeline.WORKSPACE_ID, "ws_1", CustomerTimeline.EVENT_DATE, day(date), ProductDaily.EVENT_NAME, event,
        ProductDaily.FEATURE, feature, ProductDaily.EVENTS, events, ProductDaily.QUANTITY, events,
        ProductDaily.FIRST_TS, ts(firstTs));
  }

  private FrameBuilder link(FrameBuilder f, String fromType, String fromId, String toType, String toId) {
    return f.row(IdentityLinks.FROM_TYPE, fromType, IdentityLinks.FROM_ID, fromId, IdentityLinks.TO_TYPE, toType,
        IdentityLinks.TO_ID, toId, IdentityLinks.RULE, "TEST", IdentityLinks.AS_OF_FROM, day("2026-05-01"),
        IdentityLinks.VALID_FROM, ts("2026-05-01T06:00:00Z"), IdentityLinks.IS_CURRENT, true);
  }

  private FrameBuilder email(FrameBuilder f, String id, String type, String recipient, String url, String at) {
    return f.row(EmailEvents.ID, id, EmailEvents.EVENT_TYPE, type, EmailEvents.RECIPIENT, recipient,
        EmailEvents.CAMPAIGN_ID, "123", EmailEvents.URL, url, EmailEvents.EVENT_TS, ts(at));
  }

  private FrameBuilder task(FrameBuilder f, String id, String who, String crmAccount, String status, String activityDate,
                     String modified) {
    return task(f, id, who, crmAccount, status, activityDate, modified, "Intro");
  }

  private FrameBuilder task(FrameBuilder f, String id, String who, String crmAccount, String status, String activityDate,
                     String modified, String subject) {
    return f.row(SfCommon.ID, id, SfTasks.WHO_ID, who, SfContacts.ACCOUNT_ID, crmAccount, SfTasks.SUBJECT, subject,
        SfTasks.TASK_TYPE, "Call", SfTasks.STATUS, status,
        SfTasks.ACTIVITY_DATE, activityDate == null ? null : day(activityDate),
        SfCommon.CREATED_AT, ts("2026-05-04T09:30:00Z"), SfCommon.LAST_MODIFIED_AT, ts(modified),
        SfCommon.IS_DELETED, false);
  }

  private FrameBuilder opportunity(FrameBuilder f, String stage, double amount, String modified) {
    return f.row(SfCommon.ID, "006A", SfContacts.ACCOUNT_ID, "001A", SfOpportunities.NAME, "Acme expansion",
        SfOpportunities.STAGE_NAME, stage, SfOpportunities.AMOUNT, amount, SfCommon.CREATED_AT, ts("2026-05-02T08:00:00Z"),
        SfCommon.LAST_MODIFIED_AT, ts(modified), SfCommon.IS_DELETED, false);
  }

  private FrameBuilder ticket(FrameBuilder f, String status, String priority, String updated) {
    return f.row(SupportTickets.TICKET_ID, "12", SupportTickets.REQUESTER_EMAIL, "Bob@Globex.com",
        SupportTickets.SUBJECT, "Export fails", SupportTickets.STATUS, status, SupportTickets.PRIORITY, priority,
        SupportTickets.CREATED_AT, ts("2026-05-03T10:00:00Z"), SupportTickets.UPDATED_AT, ts(updated));
  }

  private FrameBuilder subscription(FrameBuilder f, String id, String workspace, String at) {
    return f.row(SubscriptionEvents.EVENT_ID, id, SubscriptionEvents.EVENT_TYPE, "customer.subscription.updated",
        SubscriptionEvents.EVENT_TS, ts(at), SubscriptionEvents.SUBSCRIPTION_ID, "sub_" + workspace,
        SubscriptionEvents.STATUS, "active", SubscriptionEvents.PLAN_ID, "pro_monthly", SubscriptionEvents.QUANTITY, 4L,
        SubscriptionEvents.METADATA, Map.of("workspace_id", workspace));
  }

  @BeforeAll
  void buildTheTimeline() {
    startSpark();
    FrameBuilder links = frame(IdentityLinks.TABLE.schema());
    link(links, "person", ANA, "account", ACME);
    link(links, "person", BOB, "account", GLOBEX);
    link(links, "lead", "00QB", "person", BOB);
    link(links, "contact", "003A", "person", ANA);
    link(links, "crm_account", "001A", "account", ACME);
    link(links, "workspace", "ws_1", "account", ACME);

    FrameBuilder activity = activity();
    product(activity, ANA, ACME, "2026-05-09", "Feature Used", "reports", 3, "2026-05-09T09:15:00Z");
    product(activity, ANA, ACME, "2026-05-09", "Feature Used", "dashboards", 5, "2026-05-09T08:05:00Z");
    product(activity, ANA, ACME, "2026-05-09", "Logged In", null, 2, "2026-05-09T08:00:00Z");
    product(activity, ANA, ACME, "2026-05-09", "Invite Sent", null, 2, "2026-05-09T11:00:00Z");
    product(activity, ANA, ACME, "2026-05-09", "Page: Pricing", null, 4, "2026-05-09T12:00:00Z");
    product(activity, ANA, ACME, "2026-05-11", "Logged In", null, 1, "2026-05-11T08:00:00Z");
    product(activity, "dan@nowhere.io", null, "2026-05-09", "Logged In", null, 1, "2026-05-09T08:00:00Z");

    FrameBuilder emails = frame(EmailEvents.TABLE.schema());
    email(emails, "e1", "SENT", " Ana+News@Acme.io", null, "2026-05-08T07:00:00Z");
    email(emails, "e2", "CLICK", ANA, "https://plg.example/pricing", "2026-05-11T00:00:00Z");
    email(emails, "e3", "OPEN", "stranger@nowhere.io", null, "2026-05-08T07:30:00Z");

    FrameBuilder forms = frame(FormSubmissions.TABLE.schema()).row(FormSubmissions.CONVERSION_ID, "f1",
        FormSubmissions.FORM_NAME, "Demo Request", FormSubmissions.PAGE_URL, "https://plg.example/demo",
        FormSubmissions.EMAIL, BOB, FormSubmissions.SUBMITTED_AT, ts("2026-05-05T15:00:00Z"));

    FrameBuilder tasks = frame(SfTasks.TABLE.schema());
    task(tasks, "00TB", "00QB", null, "Open", "2026-05-06", "2026-05-05T10:00:00Z");
    task(tasks, "00TB", "00QB", null, "Completed", "2026-05-06", "2026-05-07T10:00:00Z");
    task(tasks, "00TB", "00QB", null, "Deferred", "2026-05-06", "2026-05-12T10:00:00Z");
    // A subject that already names the type is not prefixed again.
    task(tasks, "00TA", "00QB", "001A", "Completed", null, "2026-05-04T09:30:00Z", "Call: Intro");

    FrameBuilder opportunities = frame(SfOpportunities.TABLE.schema());
    opportunity(opportunities, "Prospecting", 12000, "2026-05-02T08:00:00Z");
    opportunity(opportunities, "Prospecting", 15000, "2026-05-03T08:00:00Z");
    opportunity(opportunities, "Negotiation", 15000, "2026-05-06T08:00:00Z");
    opportunity(opportunities, "Closed Won", 15000, "2026-05-12T08:00:00Z");

    FrameBuilder tickets = frame(SupportTickets.TABLE.schema());
    ticket(tickets, "new", "normal", "2026-05-03T10:00:00Z");
    ticket(tickets, "new", "high", "2026-05-04T10:00:00Z");
    ticket(tickets, "open", "high", "2026-05-05T10:00:00Z");

    FrameBuilder subscriptions = frame(SubscriptionEvents.TABLE.schema());
    subscription(subscriptions, "evt_1", "ws_1", "2026-05-07T12:00:00Z");
    subscription(subscriptions, "evt_9", "ws_9", "2026-05-07T12:00:00Z");

    TimelineTransforms.Inputs in = new TimelineTransforms.Inputs(activity.build(), emails.build(), forms.build(),
        tasks.build(), opportunities.build(), tickets.build(), subscriptions.build());
    Dataset<Row> out = TimelineTransforms.buildTimeline(in, IdentityAsOf.of(links.build(), date("2026-05-10")), AS_OF_END);
    schema = out.schema();
    timeline = out.collectAsList();
  }

  private static String text(Row r, Col c) {
    return r.getAs(c.name());
  }

  private List<Row> ofType(String type) {
    return timeline.stream().filter(r -> type.equals(text(r, CustomerTimeline.TYPE)))
        .sorted(Comparator.comparing(r -> (Timestamp) r.getAs(CustomerTimeline.TS.name()))).toList();
  }

  private Row only(String type) {
    List<Row> rows = ofType(type);
    assertEquals(1, rows.size(), type + ": " + rows);
    return rows.get(0);
  }

  private Row byRef(String ref) {
    List<Row> rows = timeline.stream().filter(r -> ref.equals(text(r, CustomerTimeline.REF_ID))).toList();
    assertEquals(1, rows.size(), ref + ": " + rows);
    return rows.get(0);
  }

  private Set<String> refs() {
    return timeline.stream().map(r -> text(r, CustomerTimeline.REF_ID)).collect(Collectors.toSet());
  }

  /** Type, person, account and detail of a touch, compared at once so that a failure shows all four. */
  private static void assertTouch(Row touch, String type, String person, String account, String detail) {
    assertEquals(Arrays.asList(type, person, account, detail), Arrays.asList(text(touch, CustomerTimeline.TYPE),
        text(touch, CustomerTimeline.PERSON_ID), text(touch, CustomerTimeline.ACCOUNT_ID),
        text(touch, CustomerTimeline.DETAIL)));
  }

  private static List<String> details(List<Row> rows) {
    return rows.stream().map(r -> text(r, CustomerTimeline.DETAIL)).toList();
  }

  @Test
  void columnsAreTheCatalogsAndTheKeyIsUnique() {
    assertEquals(CustomerTimeline.TABLE.columnNames(), List.of(schema.fieldNames()));
    for (Col c : CustomerTimeline.TABLE.columns()) {
      assertEquals(c.type(), schema.apply(c.name()).dataType(), c.name());
    }
    Set<String> keys = timeline.stream().map(r -> text(r, CustomerTimeline.SOURCE) + "/"
        + text(r, CustomerTimeline.TYPE) + "/" + text(r, CustomerTimeline.REF_ID)).collect(Collectors.toSet());
    assertEquals(timeline.size(), keys.size());
    assertEquals(10, timeline.size(), details(timeline).toString());
  }

  @Test
  void nothingFromTheEndOfTheAsOfDayOnIsATouch() {
    assertFalse(refs().contains("e2"), "an email click at the very end of the day is the next day's");
    assertFalse(refs().contains("ana@acme.io|ws_1|2026-05-11"), "product activity of the next day");
    assertEquals("Call: Intro (Completed)", text(byRef("00TB"), CustomerTimeline.DETAIL),
        "the task as last modified by the as-of time, not the later version");
    assertTrue(details(ofType("opportunity_stage")).stream().noneMatch(d -> d.contains("Closed Won")));
    for (Row r : timeline) {
      assertTrue(((Timestamp) r.getAs(CustomerTimeline.TS.name())).before(AS_OF_END), r.toString());
    }
  }

  @Test
  void aDayOfProductUseIsOneTouchListingItsEvents() {
    Row day = only("product_day");
    assertEquals("ana@acme.io|ws_1|2026-05-09", text(day, CustomerTimeline.REF_ID));
    assertTouch(day, "product_day", ANA, ACME,
        "16 events: Feature Used x8 (dashboards, reports), Page: Pricing x4, Invite Sent x2, Logged In x2");
    assertEquals(ts("2026-05-09T08:00:00Z"), day.getAs(CustomerTimeline.TS.name()), "the day's first call");
    assertEquals(day("2026-05-09"), day.getAs(CustomerTimeline.EVENT_DATE.name()));
    assertEquals("ws_1", text(day, CustomerTimeline.WORKSPACE_ID));
    assertEquals(TimelineTransforms.PRODUCT, text(day, CustomerTimeline.SOURCE));
  }

  @Test
  void aPlusAddressedRecipientIsThePerson() {
    assertTouch(byRef("e1"), "email_sent", ANA, ACME, "Email SENT (campaign 123)");
    assertTouch(byRef("f1"), "form_submission", BOB, GLOBEX, "Form 'Demo Request' on https://plg.example/demo");
  }

  @Test
  void aTaskWithoutACrmAccountTakesItsPersonsAccount() {
    Row noCrm = byRef("00TB");
    assertTouch(noCrm, "task", BOB, GLOBEX, "Call: Intro (Completed)");
    assertEquals(ts("2026-05-06T00:00:00Z"), noCrm.getAs(CustomerTimeline.TS.name()), "the ActivityDate");
    Row onCrm = byRef("00TA");
    assertTouch(onCrm, "task", BOB, ACME, "Call: Intro (Completed)");
    assertEquals(ts("2026-05-04T09:30:00Z"), onCrm.getAs(CustomerTimeline.TS.name()), "no ActivityDate: created");
  }

  @Test
  void threeOpportunityVersionsWithTwoStagesAreTwoStageChanges() {
    List<Row> stages = ofType("opportunity_stage");
    assertEquals(List.of("Opportunity 'Acme expansion' Prospecting (amount 12,000)",
        "Opportunity 'Acme expansion' Negotiation (amount 15,000)"), details(stages));
    assertEquals("006A|2026-05-06T08:00:00.000Z", text(stages.get(1), CustomerTimeline.REF_ID));
    assertEquals(ACME, text(stages.get(1), CustomerTimeline.ACCOUNT_ID));
  }

  @Test
  void aTicketReExportedWithTheSameStatusIsOneTouch() {
    assertTouch(only("ticket_new"), "ticket_new", BOB, GLOBEX, "Ticket #12 'Export fails' new (normal)");
    assertEquals(ts("2026-05-05T10:00:00Z"), only("ticket_open").getAs(CustomerTimeline.TS.name()));
  }

  @Test
  void touchesNoAccountClaimsAreDropped() {
    assertTrue(timeline.stream().allMatch(r -> text(r, CustomerTimeline.ACCOUNT_ID) != null));
    assertFalse(refs().contains("e3"), "an email to someone no account claims");
    assertFalse(refs().contains("evt_9"), "a subscription of a workspace no account claims");
    assertTrue(refs().stream().noneMatch(ref -> ref.startsWith("dan@")), "product activity without an account");
    Row billed = byRef("evt_1");
    assertTouch(billed, "subscription_active", null, ACME,
        "customer.subscription.updated: plan pro_monthly, 4 seats, active");
    assertEquals("ws_1", text(billed, CustomerTimeline.WORKSPACE_ID));
  }
}
