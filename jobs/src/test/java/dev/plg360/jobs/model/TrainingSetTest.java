package dev.plg360.jobs.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.FeatureDef.Kind;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.ModelSettings.Population;
import dev.plg360.common.model.TrainingSet;
import dev.plg360.common.tables.Tables.Firmographics;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.common.tables.Tables.Workspaces;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import com.typesafe.config.ConfigFactory;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The point-in-time training set on a handful of workspaces as of 2026-06-30 (observation 14 days after sign-up,
 * label horizon 30 days): who is in the population, their labels, and features that must not see anything after
 * the observation point although the data holds plenty of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingSetTest extends SparkTestBase {

  private static final LocalDate AS_OF = LocalDate.parse("2026-06-30");
  private static final List<FeatureDef> FEATURES = List.of(
      new FeatureDef("active_days", Kind.COUNT, "count(DISTINCT IF(is_active, event_date, NULL))"),
      new FeatureDef("invites", Kind.COUNT, "sum(IF(event_name = 'User Invited', events, 0))"),
      new FeatureDef("pricing_page_views", Kind.COUNT, "sum(IF(event_name = 'Page: Pricing', events, 0))"),
      new FeatureDef("template_uses", Kind.COUNT, "sum(IF(feature = 'templates', events, 0))"),
      new FeatureDef("last_day_seen", Kind.NUMERIC, "max(day)"),
      new FeatureDef("trial", Kind.BINARY, "max(IF(plan_start = 'trial', 1, 0))"),
      new FeatureDef("employees", Kind.COUNT, "max(employees)"),
      new FeatureDef("industry", Kind.CATEGORICAL, "max(industry)"));

  private TrainingSet.Inputs inputs;

  private static Timestamp ts(String iso) {
    return Timestamp.from(instant(iso));
  }

  private static ModelSettings settings(Population population) {
    Settings base = Settings.defaults().with(Map.of("plg360.model.population", population.label()));
    return ModelSettings.from(base).withFeatures(FEATURES);
  }

  private static void workspace(FrameBuilder f, String id, String createdAt) {
    f.row(Workspaces.WORKSPACE_ID, id, Workspaces.CREATED_AT, ts(createdAt));
  }

  private static void day(FrameBuilder f, String workspace, String date, String event, String feature, long events) {
    f.row(ProductDaily.EVENT_DATE, Date.valueOf(date), ProductDaily.WORKSPACE_ID, workspace, ProductDaily.USER_ID, "u_" + workspace,
        ProductDaily.EVENT_NAME, event, ProductDaily.FEATURE, feature, ProductDaily.EVENTS, events,
        ProductDaily.QUANTITY, events);
  }

  private static void subscription(FrameBuilder f, String workspace, String id, String at, String status, long cents) {
    f.row(SubscriptionEvents.EVENT_ID, id, SubscriptionEvents.EVENT_TS, ts(at), SubscriptionEvents.SUBSCRIPTION_ID,
        "sub_" + workspace, SubscriptionEvents.STATUS, status, SubscriptionEvents.PLAN_AMOUNT_CENTS, cents,
        SubscriptionEvents.QUANTITY, 1L, SubscriptionEvents.METADATA, Map.of("workspace_id", workspace));
  }

  private static void link(FrameBuilder f, String workspace, String account) {
    f.row(IdentityLinks.FROM_TYPE, "workspace", IdentityLinks.FROM_ID, workspace, IdentityLinks.TO_TYPE, "account",
        IdentityLinks.TO_ID, account, IdentityLinks.RULE, "MEMBER_DOMAIN_MAJORITY", IdentityLinks.AS_OF_FROM,
        Date.valueOf("2026-05-01"), IdentityLinks.VALID_FROM, ts("2026-05-01T06:00:00Z"), IdentityLinks.IS_CURRENT, true);
  }

  @BeforeAll
  void world() {
    startSpark();
    IdentityRules.registerUdfs(spark());
    FrameBuilder ws = frame(Workspaces.TABLE.schema());
    workspace(ws, "ws_a", "2026-05-01T10:00:00Z"); // free, pays on 05-20, inside the horizon: 1
    workspace(ws, "ws_b", "2026-05-01T11:00:00Z"); // trial, never pays: 0
    workspace(ws, "ws_c", "2026-05-01T12:00:00Z"); // pays on 05-10, before its observation point: not in the population
    workspace(ws, "ws_d", "2026-06-01T09:00:00Z"); // observed on 06-15, horizon ends 07-15: no label yet
    workspace(ws, "ws_e", "2026-06-25T09:00:00Z"); // observation point 07-09 is after the as-of day: not in it
    workspace(ws, "ws_f", "2026-05-01T13:00:00Z"); // pays on 06-20, after the horizon (06-14): 0
    workspace(ws, "ws_g", "2026-05-01T14:00:00Z"); // no subscription and no activity: free, zero activity
    workspace(ws, "ws_h", "2026-05-05T08:00:00Z"); // acme.io's second workspace
    workspace(ws, "ws_i", "2026-05-01T15:00:00Z"); // trial that lapses to past_due unpaid on 05-20: 0
    workspace(ws, "ws_j", "2026-05-01T16:00:00Z"); // no subscription until its first paid one on 05-22: free, 1

    FrameBuilder daily = frame(ProductDaily.TABLE.schema());
    day(daily, "ws_a", "2026-05-01", "Logged In", null, 3);
    day(daily, "ws_a", "2026-05-02", "Logged In", null, 1);
    day(daily, "ws_a", "2026-05-03", "User Invited", null, 2);
    day(daily, "ws_a", "2026-05-05", "identify", null, 1); // passive: not an active day
    day(daily, "ws_a", "2026-05-14", "Logged In", null, 1); // the window's last day
    day(daily, "ws_a", "2026-05-15", "User Invited", null, 50); // the observation day itself: after the point
    day(daily, "ws_a", "2026-05-20", "Page: Pricing", null, 4);
    day(daily, "ws_a", "2026-06-01", "Page: Pricing", null, 9);
    day(daily, "ws_b", "2026-05-02", "Feature Used", "templates", 3);
    day(daily, "ws_b", "2026-05-30", "Feature Used", "templates", 40);
    day(daily, "ws_d", "2026-06-02", "Logged In", null, 1);
    day(daily, "ws_h", "2026-05-06", "User Invited", null, 5);
    day(daily, "ws_h", "2026-05-16", "User Invited", null, 7); // after acme.io's observation point (05-15)

    FrameBuilder subs = frame(SubscriptionEvents.TABLE.schema());
    subscription(subs, "ws_a", "evt_a1", "2026-05-01T10:00:02Z", "active", 0);
    subscription(subs, "ws_a", "evt_a2", "2026-05-20T16:00:00Z", "active", 1200);
    subscription(subs, "ws_b", "evt_b1", "2026-05-01T11:00:02Z", "trialing", 1200);
    subscription(subs, "ws_b", "evt_b2", "2026-05-15T11:00:00Z", "active", 0);
    subscription(subs, "ws_c", "evt_c1", "2026-05-01T12:00:02Z", "active", 0);
    subscription(subs, "ws_c", "evt_c2", "2026-05-10T12:00:00Z", "active", 1200);
    subscription(subs, "ws_d", "evt_d1", "2026-06-01T09:00:02Z", "active", 0);
    subscription(subs, "ws_e", "evt_e1", "2026-06-25T09:00:02Z", "active", 0);
    subscription(subs, "ws_f", "evt_f1", "2026-05-01T13:00:02Z", "active", 0);
    subscription(subs, "ws_f", "evt_f2", "2026-06-20T13:00:00Z", "active", 1200);
    subscription(subs, "ws_i", "evt_i1", "2026-05-01T15:00:02Z", "trialing", 1200);
    subscription(subs, "ws_i", "evt_i2", "2026-05-20T15:00:00Z", "past_due", 1200);
    subscription(subs, "ws_j", "evt_j1", "2026-05-22T09:00:00Z", "active", 1200);

    FrameBuilder firmo = frame(Firmographics.TABLE.schema());
    firmo.row(Firmographics.DOMAIN, "acme.io", Firmographics.EMPLOYEES, 50L, Firmographics.INDUSTRY, "Software",
        Firmographics.INDEXED_AT, ts("2026-04-01T00:00:00Z"));
    firmo.row(Firmographics.DOMAIN, "www.acme.io", Firmographics.EMPLOYEES, 5000L, Firmographics.INDUSTRY, "Banking",
        Firmographics.INDEXED_AT, ts("2026-05-20T00:00:00Z")); // refreshed after the observation point

    FrameBuilder links = frame(IdentityLinks.TABLE.schema());
    link(links, "ws_a", "acme.io");
    link(links, "ws_h", "acme.io");
    link(links, "ws_b", "globex.com");
    inputs = new TrainingSet.Inputs(ws.build(), daily.build(), subs.build(), firmo.build(),
        IdentityAsOf.of(links.build(), AS_OF));
  }

  private Map<String, Row> build(Population population) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : TrainingSet.build(inputs, AS_OF, settings(population)).collectAsList()) {
      out.put(r.getAs("entity_id"), r);
    }
    return out;
  }

  @Test
  void thePopulationIsWhoStartedFreeOrOnTrialAndWasObservedByTheDate() {
    Map<String, Row> rows = build(Population.WORKSPACE);
    assertEquals(List.of("ws_a", "ws_b", "ws_d", "ws_f", "ws_g", "ws_h", "ws_i", "ws_j"), rows.keySet().stream().sorted().toList(),
        "ws_c paid before its observation point; ws_e is not observed yet");
    assertEquals("free", rows.get("ws_j").getAs("plan_start"),
        "a workspace whose first subscription is a paid one three weeks after sign-up started free (as in Stripe)");
    assertEquals(1, rows.get("ws_j").<Integer>getAs("label"));
    assertEquals(0, rows.get("ws_i").<Integer>getAs("label"), "a trial that lapsed to past_due unpaid did not convert");
    assertNull(rows.get("ws_i").getAs("converted_at"));
    assertEquals(1, rows.get("ws_a").<Integer>getAs("label"));
    assertEquals(0, rows.get("ws_b").<Integer>getAs("label"));
    assertEquals(0, rows.get("ws_f").<Integer>getAs("label"), "paid after the horizon");
    assertEquals(ts("2026-06-20T13:00:00Z"), rows.get("ws_f").getAs("converted_at"));
    assertNull(rows.get("ws_d").getAs("label"), "the horizon ends after the as-of date");
    assertEquals("trial", rows.get("ws_b").getAs("plan_start"));
    assertEquals("free", rows.get("ws_g").getAs("plan_start"), "no subscription seen: free");
    assertEquals(Date.valueOf("2026-05-15"), rows.get("ws_a").getAs("observation_date"));
    assertEquals(Date.valueOf("2026-06-14"), rows.get("ws_a").getAs("label_due_date"));
    assertEquals("personal:ws_g", rows.get("ws_g").getAs("account_id"), "a workspace without an account link stands alone");
  }

  /** The leakage guard: events on and after the observation point exist, and no feature may count them. */
  @Test
  void featuresUseOnlyTheDaysBeforeTheObservationPoint() {
    Map<String, Row> rows = build(Population.WORKSPACE);
    Row a = rows.get("ws_a");
    assertEquals(4.0, a.<Double>getAs("active_days"), "05-01, 05-02, 05-03 and 05-14; the identify call of 05-05 is not activity");
    assertEquals(2.0, a.<Double>getAs("invites"), "the 50 invites of the observation day come after the point");
    assertEquals(0.0, a.<Double>getAs("pricing_page_views"), "both pricing views come after the point");
    assertEquals(13.0, a.<Double>getAs("last_day_seen"), "no window row is later than the day before the point");
    assertEquals(50.0, a.<Double>getAs("employees"), "firmographics as indexed before the point, not the later refresh");
    assertEquals("Software", a.getAs("industry"));
    assertEquals(3.0, rows.get("ws_b").<Double>getAs("template_uses"), "the 40 uses on 05-30 are after the point");
    assertEquals(1.0, rows.get("ws_b").<Double>getAs("trial"));
    Row g = rows.get("ws_g");
    assertEquals(0.0, g.<Double>getAs("active_days"));
    assertEquals(0.0, g.<Double>getAs("invites"), "no activity is zero activity");
    assertNull(g.getAs("employees"), "no firmographics: left for the pipeline to impute");
  }

  @Test
  void anAccountIsObservedFromItsFirstSignUpOverAllItsWorkspaces() {
    Map<String, Row> rows = build(Population.ACCOUNT);
    Row acme = rows.get("acme.io");
    assertEquals(Date.valueOf("2026-05-01"), acme.getAs("signup_date"));
    assertEquals(7.0, acme.<Double>getAs("invites"), "ws_a's 2 and ws_h's 5; ws_h's 7 on 05-16 are after the point");
    assertEquals(1, acme.<Integer>getAs("label"), "ws_a paid within the account's horizon");
    assertTrue(rows.containsKey("globex.com"));
    assertTrue(rows.containsKey("personal:ws_g"));
  }

  @Test
  void aFeatureThatCannotBeComputedFromTheWindowFailsNamingIt() {
    for (String[] bad : new String[][] {
        {"paid_later", "max(converted_at)", "cannot be computed"}, // an outcome is not a column of the window
        {"peek", "max(label)", "cannot be computed"},
        {"not_aggregated", "events", "cannot be computed"},
        {"a_name", "max(event_name)", "not a number"}}) {
      SettingsException e = assertThrows(SettingsException.class, () -> TrainingSet.checkFeatures(spark(),
          List.of(new FeatureDef(bad[0], Kind.NUMERIC, bad[1]))));
      assertTrue(e.getMessage().contains("plg360.model.features." + bad[0]) && e.getMessage().contains(bad[2]), e.getMessage());
    }
    TrainingSet.checkFeatures(spark(), FEATURES);
  }

  @Test
  void aFeatureThatDoesNotParseFailsAtStartNamingIt() {
    SettingsException e = assertThrows(SettingsException.class, () -> FeatureDef.parse(ConfigFactory.parseString(
        "features { broken { kind = count, sql = \"sum(IF(event_name = 'X', events, 0)\" } }").getConfig("features"),
        "plg360.model.features", true));
    assertTrue(e.getMessage().startsWith("plg360.model.features.broken.sql does not parse"), e.getMessage());
    SettingsException kind = assertThrows(SettingsException.class, () -> FeatureDef.parse(ConfigFactory.parseString(
        "features { x { kind = counts, sql = \"count(1)\" } }").getConfig("features"), "plg360.model.features", true));
    assertTrue(kind.getMessage().contains("kind must be count, numeric, binary or categorical"), kind.getMessage());
    assertEquals(List.of(new FeatureDef("invites_first_7d", Kind.NUMERIC, "sum(IF(day < 7, events, 0))")),
        FeatureDef.parse(ConfigFactory.parseString("features { invites_first_7d = \"sum(IF(day < 7, events, 0))\" }")
            .getConfig("features"), "plg360.model.features", true), "one line adds a feature");
  }
}
