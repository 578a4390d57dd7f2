package dev.plg360.jobs.c360;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.tables.GoldTables.Activity;
import dev.plg360.common.tables.GoldTables.Billing;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The customer-360 transforms on tiny frames: windows, caps, billing, identity as of a date, signals, champions. */
class Build360TransformsTest extends SparkTestBase {

  private static final LocalDate AS_OF = LocalDate.parse("2026-05-31");
  private static final Build360Settings S = Build360Settings.from(settings(java.nio.file.Path.of("unused")));

  private static final StructType ACTIVITY = new StructType()
      .add("event_date", DataTypes.DateType).add("workspace_id", DataTypes.StringType).add("user_id", DataTypes.StringType)
      .add("person_id", DataTypes.StringType).add("account_id", DataTypes.StringType).add("event_name", DataTypes.StringType)
      .add("feature", DataTypes.StringType).add("events", DataTypes.LongType).add("quantity", DataTypes.LongType)
      .add("first_ts", DataTypes.TimestampType);

  private static Date day(String iso) {
    return Date.valueOf(iso);
  }

  private static Date daysAgo(int n) {
    return Date.valueOf(AS_OF.minusDays(n));
  }

  /** One activity row: events of one name (and feature) by a person of a workspace of account acme.io on a day. */
  private static FrameBuilder act(FrameBuilder f, Date date, String workspace, String person, String event, String feature,
                                  long events, long quantity) {
    return f.row("event_date", date, "workspace_id", workspace, "user_id", person == null ? null : "u_" + person,
        "person_id", person, "account_id", "acme.io", "event_name", event, "feature", feature, "events", events,
        "quantity", quantity, "first_ts", Timestamp.valueOf(date.toLocalDate().atTime(9, 0)));
  }

  private static Row only(Dataset<Row> df) {
    List<Row> rows = df.collectAsList();
    assertEquals(1, rows.size(), rows.toString());
    return rows.get(0);
  }

  @Test
  void activityWindowsStickinessMomentumFeaturesAndMilestones() {
    FrameBuilder f = frame(ACTIVITY);
    act(f, daysAgo(0), "w1", "p1", "Feature Used", "dashboards", 3, 3);
    act(f, daysAgo(6), "w1", "p1", "Logged In", null, 2, 2);
    act(f, daysAgo(21), "w1", "p1", "Feature Used", "reports", 1, 1);
    act(f, daysAgo(21), "w1", "p1", "User Invited", null, 2, 2);
    act(f, daysAgo(11), "w1", "p2", "Logged In", null, 1, 1);
    act(f, daysAgo(60), "w1", "p2", "Integration Connected", null, 1, 1);
    act(f, daysAgo(1), null, null, "Page: Pricing", null, 4, 4); // nobody identified: counts as events, not as a person

    Row r = only(ActivityTransforms.countActivityPerWindow(f.build(), "account_id", AS_OF, S));
    assertEquals(1L, r.<Long>getAs(Activity.ACTIVE_USERS_1D.name()));
    assertEquals(1L, r.<Long>getAs(Activity.ACTIVE_USERS_7D.name()), "p1 on days 0 and 6; p2 last on day 11");
    assertEquals(2L, r.<Long>getAs(Activity.ACTIVE_USERS_28D.name()), "day 60 is outside 28 days");
    assertEquals(4.0 / 28 / 2, r.<Double>getAs(Activity.STICKINESS.name()), 1e-9, "4 person-days over 28 days, 2 people");
    assertEquals(3L, r.<Long>getAs(Activity.ACTIVE_DAYS_7D.name()), "days 0, 1 and 6");
    assertEquals(5L, r.<Long>getAs(Activity.ACTIVE_DAYS_28D.name()));
    assertEquals(9L, r.<Long>getAs(Activity.EVENTS_7D.name()));
    assertEquals(1L, r.<Long>getAs(Activity.EVENTS_PREV_7D.name()));
    assertEquals(8.0, r.<Double>getAs(Activity.MOMENTUM_7D.name()), 1e-9);
    assertEquals(daysAgo(0), r.getAs(Activity.LAST_ACTIVE_DATE.name()));
    assertEquals(Map.of("dashboards", 3L, "reports", 1L), javaMap(r, Activity.FEATURE_USES_28D.name()));
    assertEquals(2L, r.<Long>getAs(Activity.DISTINCT_FEATURES_28D.name()));
    assertEquals(Map.of("Feature Used", 4L, "Logged In", 3L, "User Invited", 2L, "Page: Pricing", 4L),
        javaMap(r, Activity.EVENT_COUNTS_28D.name()));
    assertEquals(2L, r.<Long>getAs(Activity.INVITES_SENT_28D.name()));
    assertEquals(Map.of("first_invite", daysAgo(21), "first_integration", daysAgo(60)), javaMap(r, Activity.MILESTONES.name()));
    assertEquals(daysAgo(60), r.getAs(Activity.FIRST_VALUE_DATE.name()));
    assertEquals(0L, r.<Long>getAs(Activity.DAYS_TO_FIRST_VALUE.name()), "the integration came on the first active day");

    act(f, daysAgo(3), "w1", "p5", "Logged In", null, 1, 1);
    Map<String, Row> people = new HashMap<>();
    for (Row p : ActivityTransforms.countActivityPerWindow(f.build(), "person_id", AS_OF, S).collectAsList()) {
      people.put(p.getAs("person_id"), p);
    }
    Row p1 = people.get("p1");
    assertEquals(1L, p1.<Long>getAs(Activity.MILESTONES_REACHED.name()));
    assertNull(p1.getAs(Activity.FIRST_VALUE_DATE.name()), "p1 never connected an integration");
    assertNull(p1.getAs(Activity.DAYS_TO_FIRST_VALUE.name()));
    assertEquals(0L, people.get("p5").<Long>getAs(Activity.MILESTONES_REACHED.name()));
    assertEquals(0L, people.get("p5").<Long>getAs(Activity.DISTINCT_FEATURES_28D.name()));
    assertEquals(3, people.size(), "the anonymous pages belong to no person");
  }

  private static <V> Map<String, V> javaMap(Row r, String column) {
    return new HashMap<>(r.getJavaMap(r.fieldIndex(column)));
  }

  @Test
  void metersAgainstThePlansCapsWithDaysToTheCapAtTheTrend() {
    FrameBuilder f = frame(ACTIVITY);
    act(f, daysAgo(20), "w1", "p1", "API Called", null, 3, 60_000);
    act(f, daysAgo(5), "w1", "p1", "API Called", null, 2, 20_000);
    act(f, daysAgo(40), "w1", "p1", "API Called", null, 1, 99_000); // outside the 30-day window
    act(f, daysAgo(50), "w1", "p2", "Project Created", null, 3, 3);
    act(f, daysAgo(40), "w1", "p3", "Logged In", null, 1, 1);
    act(f, daysAgo(3), "w1", "p4", "Logged In", null, 1, 1);
    for (String p : List.of("p1", "p2", "p3", "p4")) {
      act(f, daysAgo(60), "w2", p, "Logged In", null, 1, 1);
    }
    Dataset<Row> meters = BillingTransforms.measureMeters(f.build(), AS_OF, S);
    Dataset<Row> withPlan = meters.withColumn(Billing.PLAN.name(),
        org.apache.spark.sql.functions.when(meters.col("workspace_id").equalTo("w1"), "pro").otherwise("free"));
    Map<String, Row> byWorkspace = new HashMap<>();
    for (Row r : BillingTransforms.compareWithCaps(withPlan, S).collectAsList()) {
      byWorkspace.put(r.getAs("workspace_id"), r);
    }
    Row pro = byWorkspace.get("w1");
    assertEquals(Map.of("api-calls-per-month", 80_000L, "projects", 3L, "seats", 4L), javaMap(pro, Billing.USAGE.name()));
    assertEquals(Map.of("api-calls-per-month", 100_000L, "projects", 100L, "seats", 50L), javaMap(pro, Billing.CAPS.name()));
    assertEquals("api-calls-per-month", pro.getAs(Billing.NEAREST_CAP.name()));
    assertEquals(0.8, pro.<Double>getAs(Billing.NEAREST_CAP_USAGE.name()), 1e-9);
    assertEquals(14.0, pro.<Double>getAs(Billing.NEAREST_CAP_DAYS.name()), 1e-9,
        "20,000 left at 20,000 calls per 14 days");
    Map<String, Double> days = javaMap(pro, Billing.DAYS_TO_CAP.name());
    assertEquals(46 * 14.0, days.get("seats"), 1e-9, "one new member in 14 days, 46 seats left");
    assertFalse(days.containsKey("projects"), "no project in 14 days: no projection");

    Row free = byWorkspace.get("w2");
    assertEquals("seats", free.getAs(Billing.NEAREST_CAP.name()));
    assertEquals(4.0 / 3, free.<Double>getAs(Billing.NEAREST_CAP_USAGE.name()), 1e-9);
    assertEquals(0.0, free.<Double>getAs(Billing.NEAREST_CAP_DAYS.name()), "over the cap");

    Dataset<Row> w360 = BillingTransforms.compareWithCaps(withPlan, S)
        .withColumn(Workspace360.ACCOUNT_ID.name(), org.apache.spark.sql.functions.lit("acme.io"));
    List<Row> signals = SignalTransforms.findCapsApproaching(w360, AS_OF, S.signals()).orderBy(Signals.SIGNAL_ID.name())
        .collectAsList();
    assertEquals(List.of("CAP_APPROACHING|w1|api-calls-per-month|2026-05", "CAP_APPROACHING|w2|seats|2026-05"),
        signals.stream().map(r -> r.<String>getAs(Signals.SIGNAL_ID.name())).toList());
    assertTrue(signals.get(0).<String>getAs(Signals.EVIDENCE.name()).contains("80% of the pro plan's cap (80,000 of 100,000)"),
        signals.get(0).toString());
  }

  @Test
  void subscriptionsGiveThePlanBillingStateAndMrrAsOfTheDate() {
    FrameBuilder f = frame(SubscriptionEvents.TABLE.schema());
    sub(f, "e1", "s1", "w1", "2026-05-01T10:00:00Z", "trialing", "pro_monthly", 1500, "month", 1);
    sub(f, "e2", "s1", "w1", "2026-05-15T10:00:00Z", "active", "business_monthly", 4000, "month", 5);
    sub(f, "e3", "s1", "w1", "2026-06-02T10:00:00Z", "canceled", "business_monthly", 4000, "month", 5); // after the day
    sub(f, "e4", "s2", "w2", "2026-04-01T10:00:00Z", "active", "enterprise_annual", 90000, "year", 10);
    sub(f, "e5", "s3", "w3", "2026-04-01T10:00:00Z", "active", "pro_monthly", 1500, "month", 2);
    sub(f, "e6", "s3", "w3", "2026-05-20T10:00:00Z", "canceled", "pro_monthly", 1500, "month", 2);
    // A trial that ended without a payment method: Stripe makes it past_due, its first invoice unpaid. Never paid.
    sub(f, "e7", "s4", "w4", "2026-05-01T10:00:00Z", "trialing", "pro_monthly", 1500, "month", 3);
    sub(f, "e8", "s4", "w4", "2026-05-15T10:00:00Z", "past_due", "pro_monthly", 1500, "month", 3);
    // One that paid, then missed an invoice: still a paying customer while Stripe retries.
    sub(f, "e9", "s5", "w5", "2026-04-01T10:00:00Z", "active", "pro_monthly", 1500, "month", 2);
    sub(f, "e10", "s5", "w5", "2026-05-01T10:00:00Z", "past_due", "pro_monthly", 1500, "month", 2);
    Map<String, Row> byWorkspace = new HashMap<>();
    for (Row r : BillingTransforms.subscriptionsAsOf(f.build(), Timestamp.valueOf("2026-06-01 00:00:00"), S).collectAsList()) {
      byWorkspace.put(r.getAs("workspace_id"), r);
    }
    assertEquals(List.of("business", "active", true, 5L, 200.0), billing(byWorkspace.get("w1")));
    assertEquals(List.of("enterprise", "active", true, 10L, 750.0), billing(byWorkspace.get("w2")), "yearly: a twelfth a month");
    assertEquals(List.of("free", "canceled", false, 2L, 0.0), billing(byWorkspace.get("w3")));
    assertEquals(List.of("pro", "past_due", false, 3L, 0.0), billing(byWorkspace.get("w4")), "a lapsed trial pays nothing");
    assertEquals(List.of("pro", "past_due", true, 2L, 30.0), billing(byWorkspace.get("w5")));
  }

  /** A company's own billing export names its own statuses; plg360.billing says which of them bill. */
  @Test
  void aBillingExportsOwnStatusesSayWhatBills() {
    FrameBuilder f = frame(SubscriptionEvents.TABLE.schema());
    sub(f, "e1", "s1", "w1", "2026-05-01T10:00:00Z", "paid", "pro_monthly", 1500, "month", 2);
    sub(f, "e2", "s2", "w2", "2026-05-01T10:00:00Z", "trial", "pro_monthly", 1500, "month", 2);
    sub(f, "e3", "s2", "w2", "2026-05-20T10:00:00Z", "dunning", "pro_monthly", 1500, "month", 2);
    sub(f, "e4", "s3", "w3", "2026-05-01T10:00:00Z", "paid", "pro_monthly", 1500, "month", 1);
    sub(f, "e5", "s3", "w3", "2026-05-20T10:00:00Z", "dunning", "pro_monthly", 1500, "month", 1);
    Dataset<Row> events = f.build();
    Build360Settings own = Build360Settings.from(settings(java.nio.file.Path.of("unused"),
        "plg360.billing.paid-statuses", "[paid]", "plg360.billing.retrying-statuses", "[dunning]"));
    assertEquals(Map.of("w1", true, "w2", false, "w3", true), paid(events, own),
        "paid bills; dunning after paid bills; dunning after a trial never paid");
    assertEquals(Map.of("w1", false, "w2", false, "w3", false), paid(events, S), "Stripe's statuses name none of these");
  }

  private static Map<String, Boolean> paid(Dataset<Row> events, Build360Settings s) {
    Map<String, Boolean> out = new HashMap<>();
    for (Row r : BillingTransforms.subscriptionsAsOf(events, Timestamp.valueOf("2026-06-01 00:00:00"), s).collectAsList()) {
      out.put(r.getAs("workspace_id"), r.getAs(Billing.IS_PAID.name()));
    }
    return out;
  }

  private static List<Object> billing(Row r) {
    return List.of(r.getAs(Billing.PLAN.name()), r.getAs(Billing.BILLING_STATUS.name()), r.getAs(Billing.IS_PAID.name()),
        r.getAs(Billing.SEATS_BOUGHT.name()), r.getAs(Billing.MRR.name()));
  }

  private static void sub(FrameBuilder f, String event, String subscription, String workspace, String at, String status,
                          String plan, long cents, String interval, long seats) {
    f.row(SubscriptionEvents.EVENT_ID, event, SubscriptionEvents.SUBSCRIPTION_ID, subscription,
        SubscriptionEvents.EVENT_TS, Timestamp.from(instant(at)), SubscriptionEvents.STATUS, status,
        SubscriptionEvents.PLAN_ID, plan, SubscriptionEvents.PLAN_AMOUNT_CENTS, cents, SubscriptionEvents.PLAN_INTERVAL, interval,
        SubscriptionEvents.QUANTITY, seats, SubscriptionEvents.METADATA, Map.of("workspace_id", workspace));
  }

  @Test
  void identityAsOfADateTakesTheLinkThatHeldThen() {
    FrameBuilder f = frame(IdentityLinks.TABLE.schema());
    link(f, "u1", "p1", "2026-05-01", "2026-05-10", "2026-05-01T01:00:00Z");
    link(f, "u1", "p2", "2026-05-10", null, "2026-05-10T01:00:00Z");
    link(f, "u2", "p3", "2026-05-01", "2026-05-05", "2026-05-01T01:00:00Z"); // ended, nothing replaced it
    link(f, "u3", "pA", "2026-05-01", "2026-05-01", "2026-05-01T01:00:00Z"); // replaced by a re-run the same day
    link(f, "u3", "pB", "2026-05-01", null, "2026-05-01T05:00:00Z");
    Dataset<Row> links = f.build();
    assertEquals(Map.of("u1", "p1", "u2", "p3", "u3", "pB"), personOfUser(links, "2026-05-02"));
    assertEquals(Map.of("u1", "p2", "u3", "pB"), personOfUser(links, "2026-05-10"));
    assertEquals(Map.of("u1", "p1", "u2", "p3", "u3", "pB"), personOfUser(links, "2026-04-01"),
        "before the first resolve, the first link");
  }

  private static void link(FrameBuilder f, String user, String person, String from, String to, String recorded) {
    f.row(IdentityLinks.FROM_TYPE, "user", IdentityLinks.FROM_ID, user, IdentityLinks.TO_TYPE, "person",
        IdentityLinks.TO_ID, person, IdentityLinks.RULE, "EMAIL", IdentityLinks.AS_OF_FROM, day(from),
        IdentityLinks.AS_OF_TO, to == null ? null : day(to), IdentityLinks.VALID_FROM, Timestamp.from(instant(recorded)),
        IdentityLinks.IS_CURRENT, to == null);
  }

  private static Map<String, String> personOfUser(Dataset<Row> links, String asOf) {
    Map<String, String> out = new HashMap<>();
    for (Row r : IdentityAsOf.of(links, LocalDate.parse(asOf)).personOfUser("user", "person").collectAsList()) {
      out.put(r.getString(0), r.getString(1));
    }
    return out;
  }

  /**
   * A surge is an account's people using the product much more than they each did: acme.io's one person at five
   * times her usual count, then a week away, then at ten times within the quiet days after the first surge. A steady
   * account, a young one with too little history, a team that grows from two to seven people at the same rate each,
   * and a new member much busier than the others are none.
   */
  @Test
  void aSurgeIsMoreUseByTheSamePeopleAndFiresOnceInItsQuietDays() {
    FrameBuilder f = frame(ACTIVITY);
    for (int d = 90; d >= 0; d--) {
      long usual = d >= 18 && d <= 20 ? 100 : d >= 11 && d <= 17 ? 0 : d >= 6 && d <= 8 ? 200 : 20;
      if (usual > 0) {
        act(f, daysAgo(d), "w1", "p1", "Logged In", null, usual, 1);
      }
      long steady = 20 + (d % 3); // a little noise
      f.row("event_date", daysAgo(d), "workspace_id", "w2", "person_id", "q1", "account_id", "steady.io",
          "event_name", "Logged In", "events", steady, "quantity", 1L);
      if (d <= 20) {
        f.row("event_date", daysAgo(d), "workspace_id", "w3", "person_id", "r1", "account_id", "young.io",
            "event_name", "Logged In", "events", (long) (21 - d) * 10, "quantity", 1L);
      }
      int team = d > 12 ? 2 : 7;
      for (int p = 0; p < team; p++) {
        f.row("event_date", daysAgo(d), "workspace_id", "w4", "person_id", "t" + p, "account_id", "team.io",
            "event_name", "Logged In", "events", steady, "quantity", 1L);
      }
      f.row("event_date", daysAgo(d), "workspace_id", "w5", "person_id", "b0", "account_id", "busy.io",
          "event_name", "Logged In", "events", 5L, "quantity", 1L);
      if (d <= 10) {
        f.row("event_date", daysAgo(d), "workspace_id", "w5", "person_id", "b1", "account_id", "busy.io",
            "event_name", "Logged In", "events", 100L, "quantity", 1L);
      }
    }
    List<Row> fired = SignalTransforms.findActivitySurges(f.build(),
        AS_OF.minusDays(20), AS_OF, S.signals()).collectAsList();
    assertEquals(1, fired.size(), fired.toString());
    assertEquals("ACTIVITY_SURGE|acme.io|" + daysAgo(19), fired.get(0).getAs(Signals.SIGNAL_ID.name()),
        "the first surge; the second came within the quiet days");
    // Two days at 100 and five at 20 against her 140 a week: z = (300 - 140) / sqrt(140).
    assertEquals("300 events in the 7 days to " + daysAgo(19) + " by its people of 4 weeks' history or more (1), whose "
        + "own weekly baselines give 140.0 ± 11.8 (z = 13.5)", fired.get(0).getAs(Signals.EVIDENCE.name()));

    List<Row> unquiet = SignalTransforms.findActivitySurges(f.build(), AS_OF.minusDays(20), AS_OF,
        new Build360Settings.SignalSettings(7, 10, 3.0, 2.0, 8, 4, 30, 1, 0.8, 14, List.of())).collectAsList();
    assertEquals(List.of("ACTIVITY_SURGE|acme.io|" + daysAgo(19), "ACTIVITY_SURGE|acme.io|" + daysAgo(7)),
        unquiet.stream().map(r -> r.<String>getAs(Signals.SIGNAL_ID.name())).sorted().toList(),
        "with one quiet day the second surge fires too");
  }

  @Test
  void inviteSpikesNeedTheThresholdInOneDay() {
    FrameBuilder f = frame(ACTIVITY);
    act(f, daysAgo(2), "w1", "p1", "User Invited", null, 12, 12);
    act(f, daysAgo(1), "w1", "p2", "User Invited", null, 9, 9);
    act(f, daysAgo(30), "w1", "p3", "User Invited", null, 15, 15); // before the period looked at
    List<Row> fired = SignalTransforms.findInviteSpikes(f.build(), S.inviteEvent(), AS_OF.minusDays(6), AS_OF, S.signals())
        .collectAsList();
    assertEquals(1, fired.size(), fired.toString());
    assertEquals("INVITE_SPIKE|p1|w1|2026-05-29", fired.get(0).getAs(Signals.SIGNAL_ID.name()));
    assertEquals(12.0, fired.get(0).<Double>getAs(Signals.STRENGTH.name()));
  }

  @Test
  void championsAreTheMostActivePeopleWhoAlsoInvite() {
    StructType schema = new StructType().add(User360.PERSON_ID.name(), DataTypes.StringType)
        .add("account_id", DataTypes.StringType).add(Activity.ACTIVE_DAYS_28D.name(), DataTypes.LongType)
        .add(Activity.EVENTS_7D.name(), DataTypes.LongType).add(Activity.INVITES_SENT_28D.name(), DataTypes.LongType);
    FrameBuilder f = frame(schema);
    // acme.io: ten active people, so the top 20% is two: a (invites) and b (no invite); c invites but ranks third.
    f.row(User360.PERSON_ID, "a", "account_id", "acme.io", Activity.ACTIVE_DAYS_28D, 20L, Activity.EVENTS_7D, 50L,
        Activity.INVITES_SENT_28D, 3L);
    f.row(User360.PERSON_ID, "b", "account_id", "acme.io", Activity.ACTIVE_DAYS_28D, 20L, Activity.EVENTS_7D, 40L,
        Activity.INVITES_SENT_28D, 0L);
    f.row(User360.PERSON_ID, "c", "account_id", "acme.io", Activity.ACTIVE_DAYS_28D, 15L, Activity.EVENTS_7D, 40L,
        Activity.INVITES_SENT_28D, 5L);
    for (int i = 0; i < 7; i++) {
      f.row(User360.PERSON_ID, "x" + i, "account_id", "acme.io", Activity.ACTIVE_DAYS_28D, 5L, Activity.EVENTS_7D, 5L,
          Activity.INVITES_SENT_28D, 0L);
    }
    // solo.io: one person, active two days: under the minimum active days.
    f.row(User360.PERSON_ID, "s", "account_id", "solo.io", Activity.ACTIVE_DAYS_28D, 2L, Activity.EVENTS_7D, 9L,
        Activity.INVITES_SENT_28D, 4L);
    List<String> champions = ActivityTransforms.markChampions(f.build(), S.champion()).where(User360.IS_CHAMPION.col())
        .select(User360.PERSON_ID.col()).as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(List.of("a"), champions);
  }

  @Test
  void openOpportunitiesOnOneDomainAreDeduplicatedToTheOldest() {
    FrameBuilder f = frame(dev.plg360.common.tables.Tables.SfOpportunities.TABLE.schema());
    opportunity(f, "006A", "001A", "2026-05-01T09:00:00Z", false);
    opportunity(f, "006B", "001B", "2026-05-03T09:00:00Z", false); // another CRM account with the same website
    opportunity(f, "006C", "001A", "2026-04-01T09:00:00Z", true); // closed: neither the one nor a duplicate
    opportunity(f, "006D", "001C", "2026-05-04T09:00:00Z", false);
    FrameBuilder crm = frame(new StructType().add("crm_account_id", DataTypes.StringType).add("account_id", DataTypes.StringType))
        .row("crm_account_id", "001A", "account_id", "acme.io").row("crm_account_id", "001B", "account_id", "acme.io")
        .row("crm_account_id", "001C", "account_id", "globex.com");
    Map<String, String> duplicateOf = new HashMap<>();
    for (Row r : dev.plg360.common.identity.AccountRecords.dedupeOpportunitiesByDomain(f.build(), crm.build()).collectAsList()) {
      duplicateOf.put(r.getAs("opportunity_id"), r.getAs("duplicate_of"));
    }
    java.util.Map<String, String> expected = new HashMap<>();
    expected.put("006A", null);
    expected.put("006B", "006A");
    expected.put("006C", null);
    expected.put("006D", null);
    assertEquals(expected, duplicateOf);
  }

  private static void opportunity(FrameBuilder f, String id, String crmAccount, String created, boolean closed) {
    f.row(dev.plg360.common.tables.Tables.SfCommon.ID, id, dev.plg360.common.tables.Tables.SfContacts.ACCOUNT_ID, crmAccount,
        dev.plg360.common.tables.Tables.SfOpportunities.IS_CLOSED, closed,
        dev.plg360.common.tables.Tables.SfCommon.CREATED_AT, Timestamp.from(instant(created)));
  }

  @Test
  void anUnknownMeterOrMilestoneFailsAtStartNamingIt() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(dev.plg360.common.config.SettingsException.class, () ->
        Build360Settings.from(settings(java.nio.file.Path.of("unused"), "plg360.build360.meters.storage-gb.measure", "quantity",
            "plg360.build360.meters.storage-gb.event", "Storage Used", "plg360.build360.meters.storage-gb.window-days", "0")));
    assertTrue(e.getMessage().contains("storage-gb") && e.getMessage().contains("plg360.plans"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(dev.plg360.common.config.SettingsException.class, () ->
        Build360Settings.from(settings(java.nio.file.Path.of("unused"), "plg360.build360.first-value-milestone", "first_party")));
    assertTrue(e.getMessage().contains("first_party"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(dev.plg360.common.config.SettingsException.class, () ->
        Build360Settings.from(settings(java.nio.file.Path.of("unused"), "plg360.build360.signals.milestones", "[first_party]")));
    assertTrue(e.getMessage().startsWith("plg360.build360.signals.milestones names 'first_party', which is not under"),
        e.getMessage());
  }
}
