package dev.plg360.jobs.score;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.Tables.Accounts;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.common.tables.Tables.FormSubmissions;
import dev.plg360.common.tables.Tables.SfLeads;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every segment and lead-status rule of the shipped configuration on tiny inputs: one account or lead per rule,
 * built so that exactly that rule fires, plus ICP fit, tiers, seat penetration and the strongest signal by hand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScoreRulesTest extends SparkTestBase {

  static final LocalDate AS_OF = LocalDate.parse("2026-05-31");
  static final ScoreSettings S = ScoreSettings.from(settings(Path.of("unused")));

  Map<String, Row> accounts = new HashMap<>();
  Map<String, Row> leads = new HashMap<>();

  private static Date daysAgo(int n) {
    return Date.valueOf(AS_OF.minusDays(n));
  }

  private static Timestamp at(int daysAgo) {
    return Timestamp.valueOf(AS_OF.minusDays(daysAgo).atTime(10, 0));
  }

  /** An account_360 row with the columns the rules read. */
  private static FrameBuilder account(FrameBuilder f, String id, String plan, long paidWorkspaces, String status,
                                      String industry, Long employees, String country, Map<String, String> departments,
                                      long workspaces, Long seatsBought, long seatsActive, long activeDays28) {
    return f.row("as_of", Date.valueOf(AS_OF), "account_id", id, "name", id, "domain",
        id.startsWith("personal:") ? null : id, "is_personal", id.startsWith("personal:"), "industry", industry,
        "employees", employees, "country", country, "department_headcounts", departments, "workspaces", workspaces,
        "plan", plan, "billing_status", status, "paid_workspaces", paidWorkspaces, "seats_bought", seatsBought,
        "seats_active", seatsActive, "active_users_28d", seatsActive, "active_days_28d", activeDays28);
  }

  @BeforeAll
  void score() {
    startSpark();
    IdentityRules.registerUdfs(spark());
    Dataset<Row> a360 = account(account(account(account(account(account(account(account(
        frame(Account360.TABLE.schema()),
        "trial.io", "pro", 0, "trialing", "Software", 200L, "US", Map.of("engineering", "40", "design", "10"), 1, 5L, 4, 12),
        "pro.io", "pro", 2, "active", "Banking", 300L, "DE", Map.of("engineering", "60"), 3, 20L, 17, 20),
        "big.io", "enterprise", 1, "active", "Software", 5000L, "US", Map.of("engineering", "1000", "sales", "900"), 2, 200L, 120, 28),
        "fit.io", "free", 0, null, "Insurance", 400L, "GB", Map.of(), 1, null, 1, 1),
        "tiny.io", "free", 0, null, "Retail", 5L, "BR", null, 1, null, 1, 1),
        "low.io", "free", 0, null, "Media", 200L, "IN", null, 1, null, 3, 6),
        "personal:ws9", "free", 0, null, null, null, null, null, 1, null, 2, 10),
        "mid.io", "free", 0, null, "Media", 60L, "IN", null, 1, null, 3, 8).build();
    Dataset<Row> pql = frame(PqlScoring.COLUMNS)
        .row("account_id", "trial.io", "pql_probability", 0.55, "pql_model_version", "v0001", "pql_workspace_id", "ws1",
            "pql_observed_days", 14, "pql_reasons", List.of("connected an integration", "7 invites in the first 14 days"))
        .row("account_id", "low.io", "pql_probability", 0.10, "pql_model_version", "v0001", "pql_workspace_id", "ws6",
            "pql_observed_days", 14, "pql_reasons", List.of())
        .row("account_id", "tiny.io", "pql_probability", 0.02, "pql_model_version", "v0001", "pql_workspace_id", "ws5",
            "pql_observed_days", 9, "pql_reasons", List.of())
        .row("account_id", "pro.io", "pql_probability", 0.9, "pql_model_version", "v0001", "pql_workspace_id", "ws2",
            "pql_observed_days", 14, "pql_reasons", List.of())
        .build();
    Dataset<Row> signals = frame(Signals.TABLE.schema())
        .row("signal_id", "s1", "signal_date", daysAgo(3), "signal_type", "CAP_APPROACHING", "account_id", "trial.io",
            "strength", 0.9, "evidence", "seats at 90% of the cap")
        .row("signal_id", "s2", "signal_date", daysAgo(5), "signal_type", "ACTIVITY_SURGE", "account_id", "trial.io",
            "strength", 4.0, "evidence", "events 4 sd above baseline")
        .row("signal_id", "s3", "signal_date", daysAgo(30), "signal_type", "INVITE_SPIKE", "account_id", "trial.io",
            "strength", 12.0, "evidence", "12 invites")
        .row("signal_id", "s4", "signal_date", daysAgo(-1), "signal_type", "INVITE_SPIKE", "account_id", "trial.io",
            "strength", 12.0, "evidence", "after the as-of day")
        .build();
    Dataset<Row> workspaces = frame(Workspace360.TABLE.schema())
        .row("as_of", Date.valueOf(AS_OF), "workspace_id", "ws1", "account_id", "trial.io",
            "cap_usage", Map.of("seats", 0.8, "projects", 0.1, "api-calls-per-month", 0.79))
        .row("as_of", Date.valueOf(AS_OF), "workspace_id", "ws1b", "account_id", "trial.io", "cap_usage", Map.of("projects", 0.954))
        .row("as_of", Date.valueOf(AS_OF), "workspace_id", "ws2", "account_id", "pro.io", "cap_usage", Map.of("seats", 0.2))
        .build();
    Dataset<Row> enriched = AccountScoring.enriched(a360, workspaces, pql, signals, AS_OF, S).cache();
    Dataset<Row> crm = frame(Accounts.TABLE.schema())
        .row("account_id", "trial.io", "crm_account_ids", List.of("001A", "001B"))
        .build();
    for (Row r : AccountScoring.scores(enriched, crm, AS_OF).collectAsList()) {
      accounts.put(r.getAs("account_id"), r);
    }

    FrameBuilder l = frame(SfLeads.TABLE.schema());
    FrameBuilder p = frame(User360.TABLE.schema());
    lead(l, p, "L_trash", "Batman", "Robin", "batman@gotham.com", null, "Demo Request", 3, "trial.io", Map.of());
    lead(l, p, "L_mash", "jkljkl", "sdfsdf", "jkl@jkl.jkl", null, "Webinar", 3, null, null);
    lead(l, p, "L_consonants", "Xkcdrt", "Fox", "x@fit.io", null, "Webinar", 3, null, null);
    lead(l, p, "L_bjorn", "Björn", "Schrödl", "bjorn@fit.io", null, "Webinar", 3, null, null);
    lead(l, p, "L_test", "Test", "Test", "test@test.com", null, "Webinar", 3, null, null);
    lead(l, p, "L_student", "Ann", "Lee", "ann@cs.stanford.edu", "Student", "Webinar", 3, null, null);
    lead(l, p, "L_guard", "Bo", "Diaz", "bo@low.io", null, "Product Signup", 10, "low.io",
        Map.of("sales_tasks_30d", 2L, "active_days_28d", 5L, "milestones_reached", 2L, "last_sales_touch_date", daysAgo(2)));
    lead(l, p, "L_pql", "Cy", "Park", "cy@trial.io", null, "Product Signup", 10, "trial.io", Map.of("active_days_28d", 1L));
    lead(l, p, "L_hand", "Di", "Ng", "di@low.io", null, "Product Signup", 10, "low.io",
        Map.of("sales_tasks_30d", 1L, "event_counts_28d", Map.of("Contact Sales Clicked", 1L), "last_sales_touch_date", daysAgo(1)));
    lead(l, p, "L_pricing", "Ed", "Ruiz", "ed@low.io", null, "Product Signup", 10, "low.io",
        Map.of("event_counts_28d", Map.of("Page: Pricing", 4L), "active_days_28d", 4L));
    lead(l, p, "L_form", "Flo", "Kim", "flo@low.io", null, "Product Signup", 10, "low.io", Map.of("active_days_28d", 1L));
    lead(l, p, "L_slg_worked", "Gus", "Roy", "gus@fit.io", null, "Webinar", 5, "fit.io",
        Map.of("sales_tasks_30d", 3L, "last_sales_touch_date", daysAgo(1)));
    lead(l, p, "L_unresponsive", "Hal", "Cole", "hal@fit.io", null, "Webinar", 60, "fit.io",
        Map.of("last_sales_touch_date", daysAgo(40)));
    lead(l, p, "L_small", "Ivy", "Fox", "ivy@tiny.io", null, "Webinar", 5, "tiny.io", Map.of());
    lead(l, p, "L_wrong_use", "Jo", "Bell", "jo@mid.io", null, "Product Signup", 40, "mid.io",
        Map.of("active_days_28d", 2L, "milestones_reached", 1L));
    lead(l, p, "L_unaware", "Kai", "Moss", "kai@mid.io", null, "Product Signup", 20, "mid.io", Map.of());
    lead(l, p, "L_product", "Lu", "Reed", "lu@mid.io", null, "Product Signup", 10, "mid.io",
        Map.of("active_days_28d", 5L, "milestones_reached", 3L));
    lead(l, p, "L_open_plg", "Max", "Hart", "max@mid.io", null, "Product Signup", 5, "mid.io", Map.of());
    lead(l, p, "L_open_slg", "Ned", "Wolf", "ned@mid.io", null, "Webinar", 5, "mid.io", Map.of());
    lead(l, p, "L_nurture", "Oda", "Lane", "oda@mid.io", null, "Content Download", 60, "mid.io", Map.of());
    l.row("id", "L_converted", "first_name", "Pat", "last_name", "Ode", "email", "pat@mid.io", "lead_source", "Webinar",
        "is_converted", true, "is_deleted", false, "created_at", at(5), "last_modified_at", at(1));
    l.row("id", "L_deleted", "first_name", "Quin", "last_name", "Ash", "email", "quin@mid.io", "lead_source", "Webinar",
        "is_converted", false, "is_deleted", true, "created_at", at(5), "last_modified_at", at(1));
    Dataset<Row> forms = frame(FormSubmissions.TABLE.schema())
        .row("conversion_id", "c1", "form_name", "Demo Request", "email", "Flo@Low.io", "submitted_at", at(3))
        .row("conversion_id", "c2", "form_name", "Demo Request", "email", "oda@mid.io", "submitted_at", at(45))
        .build();
    Dataset<Row> statuses = LeadScoring.statuses(LeadScoring.facts(
        new LeadScoring.Inputs(l.build(), p.build(), enriched, forms), AS_OF, S.leads()), S.leads()).cache();
    for (Row r : LeadScoring.scores(statuses, AS_OF).collectAsList()) {
      leads.put(r.getAs("lead_id"), r);
    }
    funnel = LeadScoring.funnel(statuses, AS_OF).collectAsList();
  }

  List<Row> funnel;

  /** A lead created {@code ageDays} ago, and its person in user_360 with the given columns. */
  private static void lead(FrameBuilder leads, FrameBuilder people, String id, String first, String last, String email,
                           String title, String source, int ageDays, String account, Map<String, Object> person) {
    leads.row("id", id, "first_name", first, "last_name", last, "email", email, "title", title, "lead_source", source,
        "status", "Open - Not Contacted", "owner_id", "005A", "is_converted", false, "is_deleted", false,
        "created_at", at(ageDays), "last_modified_at", at(ageDays));
    if (person == null) {
      return;
    }
    List<Object> values = new java.util.ArrayList<>(List.of("as_of", Date.valueOf(AS_OF), "person_id", "p_" + id,
        "email", email, "account_id", account, "lead_ids", List.of(id)));
    person.forEach((k, v) -> {
      values.add(k);
      values.add(v);
    });
    people.row(values.toArray());
  }

  private Row account(String id) {
    return accounts.get(id);
  }

  private void assertStatus(String lead, String status, String reason, String rule) {
    Row r = leads.get(lead);
    assertEquals(status, r.getAs("lead_status"), lead + ": " + r);
    assertEquals(reason, r.getAs("remarket_reason"), lead + ": " + r);
    assertEquals(rule, r.getAs("status_rule"), lead + ": " + r);
  }

  @Test
  void accountScoresCarryTheSalesforceAccountsOfTheirDomain() {
    assertEquals(List.of("001A", "001B"), accounts.get("trial.io").getList(accounts.get("trial.io").fieldIndex("crm_account_ids")));
    assertEquals(List.of(), accounts.get("pro.io").getList(accounts.get("pro.io").fieldIndex("crm_account_ids")),
        "an account without a Salesforce record has none, not null");
  }

  @Test
  void icpFitAddsTheRulesPointsWithinZeroToAHundred() {
    Row trial = account("trial.io");
    // 30 + target industry 25 + mid-market 20 + target country 10 + 50 addressable 15 = 100
    assertEquals(100.0, trial.<Double>getAs("icp_score"));
    assertEquals("A", trial.getAs("icp_tier"));
    assertEquals(List.of("+25 target industry", "+20 50-999 employees", "+10 target country",
        "+15 25+ people in the departments served"), trial.getList(trial.fieldIndex("icp_reasons")));
    Row tiny = account("tiny.io");
    // 30 - very small 20 - low-fit industry 15 = -5, kept at 0
    assertEquals(0.0, tiny.<Double>getAs("icp_score"));
    assertEquals("D", tiny.getAs("icp_tier"));
    Row personal = account("personal:ws9");
    assertEquals(0.0, personal.<Double>getAs("icp_score"));
    assertEquals("free-mail-only", personal.getAs("icp_excluded_by"));
    assertEquals(List.of("excluded: free-mail users only: no company"), personal.getList(personal.fieldIndex("icp_reasons")));
  }

  @Test
  void pqlScoresFreeAndTrialAccountsOnly() {
    Row trial = account("trial.io");
    assertEquals("trial", trial.getAs("plan_kind"));
    assertEquals(55.0, trial.<Double>getAs("pql_score"));
    assertEquals("A", trial.getAs("pql_tier"));
    assertEquals(List.of("connected an integration", "7 invites in the first 14 days"),
        trial.getList(trial.fieldIndex("pql_reasons")));
    assertEquals("C", account("low.io").getAs("pql_tier"), "10 is tier C (C at 10)");
    Row pro = account("pro.io");
    assertEquals("paid", pro.getAs("plan_kind"));
    assertNull(pro.getAs("pql_score"), "a paid account has no PQL score, whatever the model says");
    assertNull(pro.getAs("pql_model_version"));
    assertNull(account("fit.io").getAs("pql_tier"), "no score, no tier");
  }

  @Test
  void seatPenetrationByHand() {
    Row big = account("big.io");
    assertEquals(0.6, big.<Double>getAs("seat_utilisation"), 1e-9, "120 active of 200 bought");
    assertEquals(0.024, big.<Double>getAs("employee_penetration"), 1e-9, "120 of 5,000 employees");
    assertEquals(1000L, big.<Long>getAs("addressable_headcount"), "engineering only: sales is not served");
    assertEquals(0.12, big.<Double>getAs("addressable_penetration"), 1e-9);
    assertEquals(880L, big.<Long>getAs("whitespace_seats"));
    assertEquals("medium", big.getAs("penetration_band"));
    Row trial = account("trial.io");
    assertEquals(50L, trial.<Long>getAs("addressable_headcount"));
    assertEquals("low", trial.getAs("penetration_band"), "4 of 50 is 8%");
    assertEquals("unknown", account("tiny.io").getAs("penetration_band"), "no department headcounts");
    assertNull(account("fit.io").getAs("addressable_headcount"), "an empty headcount map is unknown, not 0");
    assertNull(account("fit.io").getAs("whitespace_seats"), "and so is its whitespace");
  }

  @Test
  void theStrongestRecentSignalByPriorityThenDate() {
    Row trial = account("trial.io");
    assertEquals("ACTIVITY_SURGE", trial.getAs("strongest_signal"), "a surge comes before a cap; the old spike is out");
    assertEquals(Date.valueOf(AS_OF.minusDays(5)), trial.getAs("strongest_signal_date"));
    assertEquals(List.of("ACTIVITY_SURGE", "CAP_APPROACHING"), trial.getList(trial.fieldIndex("recent_signals")));
    assertEquals(List.of("projects of ws1b at 95%", "seats of ws1 at 80%"), trial.getList(trial.fieldIndex("caps_near")),
        "meters at 80% of their cap or more, most used first; 79% is not");
    assertTrue(account("pro.io").getList(account("pro.io").fieldIndex("caps_near")).isEmpty());
    assertNull(account("pro.io").getAs("strongest_signal"));
    assertTrue(account("pro.io").getList(account("pro.io").fieldIndex("recent_signals")).isEmpty());
  }

  @Test
  void eachSegmentRuleFires() {
    Map<String, String> expected = Map.of("trial.io", "top_free_trial", "pro.io", "top_self_serve_paid",
        "big.io", "top_enterprise", "fit.io", "opportunistic", "tiny.io", "dead_zone", "low.io", "other",
        "personal:ws9", "other", "mid.io", "other");
    expected.forEach((id, segment) -> assertEquals(segment, account(id).getAs("segment"), id + ": " + account(id)));
    assertEquals("top-enterprise", account("big.io").getAs("segment_rule"));
    assertTrue(account("tiny.io").<String>getAs("playbook").startsWith("Automated nurture"));
  }

  @Test
  void junkAndWrongPersonaAreRemarketed() {
    assertStatus("L_trash", "REMARKET", "TRASH", "junk");
    assertTrue(leads.get("L_trash").<String>getAs("status_detail").contains("Batman Robin"));
    assertStatus("L_mash", "REMARKET", "TRASH", "junk");
    assertStatus("L_test", "REMARKET", "TRASH", "junk");
    assertStatus("L_consonants", "REMARKET", "TRASH", "junk");
    assertNotEquals("TRASH", leads.get("L_bjorn").getAs("remarket_reason"),
        "Björn Schrödl: ö is a vowel, the name no keyboard mash: " + leads.get("L_bjorn"));
    assertStatus("L_student", "REMARKET", "WRONG_PERSONA", "wrong-persona");
    assertEquals("marketing", leads.get("L_trash").getAs("routed_to"));
  }

  @Test
  void thePlgGuardHoldsAnUnqualifiedPlgLeadBackFromSales() {
    assertStatus("L_guard", "WORKING_P", null, "plg-guard");
    assertTrue(leads.get("L_guard").<String>getAs("status_detail").contains("sales-working"), leads.get("L_guard").toString());
    assertEquals("product", leads.get("L_guard").getAs("routed_to"));
    // A PQL score at the threshold or a hand raise lets it through.
    assertStatus("L_pql", "OPEN_SLG", null, "plg-qualified");
    assertEquals("PQL score 55.0 (threshold 30)", leads.get("L_pql").getAs("qualified_by"));
    assertStatus("L_hand", "WORKING_S", null, "sales-working");
    assertEquals("Contact Sales Clicked: 1 in 28 days", leads.get("L_hand").getAs("hand_raise"));
    assertStatus("L_pricing", "OPEN_SLG", null, "plg-qualified");
    assertStatus("L_form", "OPEN_SLG", null, "plg-qualified");
    assertEquals("submitted the form Demo Request", leads.get("L_form").getAs("hand_raise"));
    assertEquals("sales", leads.get("L_form").getAs("routed_to"));
  }

  @Test
  void everyOtherStatusAndReason() {
    assertStatus("L_slg_worked", "WORKING_S", null, "sales-working");
    assertStatus("L_unresponsive", "REMARKET", "UNRESPONSIVE", "unresponsive");
    assertStatus("L_small", "REMARKET", "TOO_SMALL", "too-small");
    assertStatus("L_wrong_use", "REMARKET", "WRONG_USE_CASE", "wrong-use-case");
    assertStatus("L_unaware", "REMARKET", "UNAWARE", "unaware");
    assertStatus("L_product", "WORKING_P", null, "product-working");
    assertStatus("L_open_plg", "OPEN_PLG", null, "plg-open");
    assertStatus("L_open_slg", "OPEN_SLG", null, "slg-open");
    assertStatus("L_nurture", "NURTURE", null, "nurture");
    assertNull(leads.get("L_nurture").getAs("hand_raise"), "a demo form 45 days ago is not a current hand raise");
    assertTrue(!leads.containsKey("L_converted") && !leads.containsKey("L_deleted"), "only open leads: " + leads.keySet());
  }

  @Test
  void theFunnelCountsStatusesAndStages() {
    Map<String, Long> plg = new HashMap<>();
    Map<String, Double> rates = new HashMap<>();
    for (Row r : funnel) {
      if (r.getAs("channel").equals("PLG") && r.getAs("lead_source").equals("(all)")) {
        plg.put(r.getAs("dimension") + ":" + r.getAs("value"), r.getAs("leads"));
        rates.put(r.getAs("value"), r.getAs("rate_from_previous"));
      }
    }
    long plgLeads = leads.values().stream().filter(r -> r.getAs("channel").equals("PLG")).count();
    assertEquals(plgLeads, plg.get("stage:created"));
    assertEquals(3L, plg.get("status:OPEN_SLG"), "L_pql, L_pricing, L_form");
    assertEquals(1L, plg.get("status:REMARKET:UNAWARE"));
    long qualified = leads.values().stream().filter(r -> r.getAs("channel").equals("PLG") && r.<Boolean>getAs("qualified")).count();
    assertEquals(qualified, plg.get("stage:qualified"));
    assertEquals((double) plg.get("stage:qualified") / plg.get("stage:activated"), rates.get("qualified"), 1e-4);
  }

  @Test
  void aBadRuleFailsNamingIt(@TempDir Path dir) throws Exception {
    ScoreSettings typo = fromFile(dir, "plg360.score.segments = [\n"
        + "  { name = \"top\", segment = \"top\", playbook = \"call\", when = \"plan_kin = 'free'\" }\n]");
    SettingsException e = assertThrows(SettingsException.class, () -> AccountScoring.enriched(
        frame(Account360.TABLE.schema()).build(), frame(Workspace360.TABLE.schema()).build(), frame(PqlScoring.COLUMNS).build(),
        frame(Signals.TABLE.schema()).build(), AS_OF, typo));
    assertTrue(e.getMessage().startsWith("plg360.score.segments[0].when (top) cannot be evaluated"), e.getMessage());
    SettingsException reason = assertThrows(SettingsException.class, () -> fromFile(dir, "plg360.score.leads.statuses = [\n"
        + "  { name = \"junk\", when = \"is_junk\", status = \"REMARKET\", reason = \"NOT_A_REASON\" }\n]"));
    assertTrue(reason.getMessage().contains("plg360.score.leads.statuses[0].reason (junk) must be one of"), reason.getMessage());
    SettingsException tiers = assertThrows(SettingsException.class, () -> ScoreSettings.from(
        settings(Path.of("unused"), "plg360.score.pql.tiers.B", "50")));
    assertTrue(tiers.getMessage().startsWith("plg360.score.pql.tiers must fall"), tiers.getMessage());
  }

  private static ScoreSettings fromFile(Path dir, String conf) throws java.io.IOException {
    Path file = java.nio.file.Files.writeString(dir.resolve("score.conf"), conf);
    return ScoreSettings.from(Settings.load(java.util.Optional.of(file), Map.of()));
  }
}
