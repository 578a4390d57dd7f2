package dev.plg360.jobs.c360;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.GoldTables.Activity;
import dev.plg360.common.tables.GoldTables.CustomerTimeline;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The signals Build360TransformsTest leaves alone, on tiny frames, row for row: milestones reached (the first
 * time per workspace and milestone, inside the period only, named after who did it first), new workspaces in
 * accounts that already had one (how many and which), and champions (only those marked, with their activity).
 * The period is 2026-05-25 to 2026-05-31.
 */
class SignalTransformsTest extends SparkTestBase {

  private static final LocalDate FROM = LocalDate.parse("2026-05-25");
  private static final LocalDate AS_OF = LocalDate.parse("2026-05-31");
  private static final String ACME = "acme.io";

  /** The columns every signal finder returns: the catalog's, without the run stamps build360 adds. */
  private static final List<String> SIGNAL_COLUMNS = List.of(Signals.SIGNAL_ID.name(), Signals.SIGNAL_DATE.name(),
      Signals.SIGNAL_TYPE.name(), Signals.ACCOUNT_ID.name(), Signals.WORKSPACE_ID.name(), Signals.PERSON_ID.name(),
      Signals.SUBJECT.name(), Signals.STRENGTH.name(), Signals.EVIDENCE.name());

  private static Timestamp ts(String iso) {
    return Timestamp.from(instant(iso));
  }

  private static StructType schemaOf(List<Col> cols) {
    return new StructType(cols.stream().map(Col::field).toArray(StructField[]::new));
  }

  /** One expected signal, in the order of {@link #SIGNAL_COLUMNS}; nulls allowed. */
  private static List<Object> signal(String id, String date, String type, String account, String workspace,
                                     String person, String subject, double strength, String evidence) {
    return Arrays.asList(id, Date.valueOf(date), type, account, workspace, person, subject, strength, evidence);
  }

  /** Every row of a finder's result, whole, ordered by signal id; the columns must be exactly the signal's. */
  private static List<List<Object>> signals(Dataset<Row> found) {
    assertEquals(SIGNAL_COLUMNS, List.of(found.columns()));
    List<List<Object>> out = new ArrayList<>();
    for (Row r : found.orderBy(Signals.SIGNAL_ID.name()).collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        values.add(r.get(i));
      }
      out.add(values);
    }
    return out;
  }

  // Milestones ----------------------------------------------------------------------------------------------------

  private static final Map<String, String> MILESTONES = Map.of(
      "first_invite", "User Invited",
      "first_integration", "Integration Connected",
      "first_project", "Project Created",
      "first_dashboard_shared", "Dashboard Shared");
  /** The milestones that are signals, the most meaningful first: a first project is not. */
  private static final List<String> SIGNALLED = List.of("first_integration", "first_dashboard_shared", "first_invite");

  /** One row of the activity frame build360 passes (TimelineTransforms.ACTIVITY_COLUMNS): its first event at. */
  private static void act(FrameBuilder f, String account, String workspace, String person, String event, String at) {
    Timestamp first = ts(at);
    f.row(CustomerTimeline.EVENT_DATE, Date.valueOf(first.toInstant().atZone(ZoneOffset.UTC).toLocalDate()),
        CustomerTimeline.ACCOUNT_ID, account, CustomerTimeline.WORKSPACE_ID, workspace,
        CustomerTimeline.PERSON_ID, person, ProductDaily.EVENT_NAME, event, ProductDaily.EVENTS, 1L,
        ProductDaily.QUANTITY, 1L, ProductDaily.FIRST_TS, first);
  }

  @Test
  void aMilestoneFiresOnTheDayAWorkspaceFirstReachedItInThePeriodNamingWhoDidItFirst() {
    FrameBuilder f = frame(schemaOf(TimelineTransforms.ACTIVITY_COLUMNS));
    // w1's first invite: zed at 09:00, before amy at 15:00 the same day; the earliest, not the first by name, is named.
    act(f, ACME, "w1", "amy@acme.io", "User Invited", "2026-05-26T15:00:00Z");
    act(f, ACME, "w1", "zed@acme.io", "User Invited", "2026-05-26T09:00:00Z");
    act(f, ACME, "w1", "amy@acme.io", "User Invited", "2026-05-28T10:00:00Z"); // again: not a new milestone
    // w1 connected its first integration before the period: connecting again inside it is no milestone.
    act(f, ACME, "w1", "amy@acme.io", "Integration Connected", "2026-05-20T10:00:00Z");
    act(f, ACME, "w1", "zed@acme.io", "Integration Connected", "2026-05-27T10:00:00Z");
    // w2: late on the as-of day counts (UTC); its first invite comes after the as-of day and does not.
    act(f, ACME, "w2", "bob@acme.io", "Integration Connected", "2026-05-31T23:30:00Z");
    act(f, ACME, "w2", "bob@acme.io", "User Invited", "2026-06-01T08:00:00Z");
    act(f, ACME, "w2", "bob@acme.io", "Logged In", "2026-05-26T08:00:00Z"); // not a milestone's event
    // w3: reached by someone nobody identified: the signal names no person.
    act(f, ACME, "w3", null, "Integration Connected", "2026-05-29T12:00:00Z");
    // No workspace, or no account: not a workspace's milestone.
    act(f, ACME, null, "amy@acme.io", "Integration Connected", "2026-05-26T12:00:00Z");
    act(f, null, "w4", "eve@example.com", "User Invited", "2026-05-26T12:00:00Z");
    // w5: a first project is no signal; of its three milestones in the week of Monday 05-25 only the first reached
    // (the invite on Tuesday, though the integration on Wednesday means more).
    act(f, ACME, "w5", "cy@acme.io", "Project Created", "2026-05-25T09:00:00Z");
    act(f, ACME, "w5", "cy@acme.io", "User Invited", "2026-05-26T09:00:00Z");
    act(f, ACME, "w5", "cy@acme.io", "Integration Connected", "2026-05-27T09:00:00Z");
    act(f, ACME, "w5", "cy@acme.io", "Dashboard Shared", "2026-05-29T09:00:00Z");
    // w6: two milestones at the same moment: the more meaningful.
    act(f, ACME, "w6", "di@acme.io", "User Invited", "2026-05-27T09:00:00Z");
    act(f, ACME, "w6", "di@acme.io", "Dashboard Shared", "2026-05-27T09:00:00Z");

    assertEquals(List.of(
        signal("MILESTONE_REACHED|w1|first_invite", "2026-05-26", "MILESTONE_REACHED", ACME, "w1", "zed@acme.io",
            "first_invite", 1.0, "workspace w1 reached first_invite on 2026-05-26 (first by zed@acme.io)"),
        signal("MILESTONE_REACHED|w2|first_integration", "2026-05-31", "MILESTONE_REACHED", ACME, "w2", "bob@acme.io",
            "first_integration", 1.0, "workspace w2 reached first_integration on 2026-05-31 (first by bob@acme.io)"),
        signal("MILESTONE_REACHED|w3|first_integration", "2026-05-29", "MILESTONE_REACHED", ACME, "w3", null,
            "first_integration", 1.0, "workspace w3 reached first_integration on 2026-05-29"),
        signal("MILESTONE_REACHED|w5|first_invite", "2026-05-26", "MILESTONE_REACHED", ACME, "w5", "cy@acme.io",
            "first_invite", 1.0, "workspace w5 reached first_invite on 2026-05-26 (first by cy@acme.io)"),
        signal("MILESTONE_REACHED|w6|first_dashboard_shared", "2026-05-27", "MILESTONE_REACHED", ACME, "w6", "di@acme.io",
            "first_dashboard_shared", 1.0, "workspace w6 reached first_dashboard_shared on 2026-05-27 (first by di@acme.io)")),
        signals(SignalTransforms.findMilestonesReached(f.build(), MILESTONES, SIGNALLED, FROM, AS_OF)));
  }

  // New workspaces ------------------------------------------------------------------------------------------------

  private static void workspace(FrameBuilder f, String account, String workspace, String createdAt) {
    f.row(Workspace360.ACCOUNT_ID, account, Workspace360.WORKSPACE_ID, workspace,
        Workspace360.CREATED_AT, ts(createdAt));
  }

  @Test
  void aWorkspaceCreatedInThePeriodInAnAccountThatHadOneFiresWithTheOlderOnesByIdAndCount() {
    FrameBuilder f = frame(schemaOf(
        List.of(Workspace360.WORKSPACE_ID, Workspace360.ACCOUNT_ID, Workspace360.CREATED_AT)));
    // acme.io: w_b then w_a before the period (listed by id, not by age), then w_c and w_d in it; w_d counts w_c.
    workspace(f, ACME, "w_b", "2026-03-01T10:00:00Z");
    workspace(f, ACME, "w_a", "2026-04-10T10:00:00Z");
    workspace(f, ACME, "w_c", "2026-05-27T10:00:00Z");
    workspace(f, ACME, "w_d", "2026-05-29T10:00:00Z");
    // globex.com: its first workspace, created in the period, is no signal; its second, the same week, is.
    workspace(f, "globex.com", "g1", "2026-05-26T10:00:00Z");
    workspace(f, "globex.com", "g2", "2026-05-30T10:00:00Z");
    // initech.com: a second workspace created before the period, and a third after the as-of day: neither fires.
    workspace(f, "initech.com", "i1", "2026-01-01T10:00:00Z");
    workspace(f, "initech.com", "i2", "2026-05-24T23:59:59Z");
    workspace(f, "initech.com", "i3", "2026-06-01T00:00:00Z");

    assertEquals(List.of(
        signal("NEW_WORKSPACE|g2", "2026-05-30", "NEW_WORKSPACE", "globex.com", "g2", null, "workspace", 1.0,
            "workspace g2 created on 2026-05-30 in account globex.com, which already had 1 (g1)"),
        signal("NEW_WORKSPACE|w_c", "2026-05-27", "NEW_WORKSPACE", ACME, "w_c", null, "workspace", 2.0,
            "workspace w_c created on 2026-05-27 in account acme.io, which already had 2 (w_a, w_b)"),
        signal("NEW_WORKSPACE|w_d", "2026-05-29", "NEW_WORKSPACE", ACME, "w_d", null, "workspace", 3.0,
            "workspace w_d created on 2026-05-29 in account acme.io, which already had 3 (w_a, w_b, w_c)")),
        signals(SignalTransforms.findNewWorkspaces(f.build(), FROM, AS_OF)));
  }

  // Champions -----------------------------------------------------------------------------------------------------

  private static void person(FrameBuilder f, String person, String account, Boolean champion, long activeDays,
                             long invites) {
    f.row(User360.PERSON_ID, person, User360.ACCOUNT_ID, account, User360.IS_CHAMPION, champion,
        Activity.ACTIVE_DAYS_28D, activeDays, Activity.INVITES_SENT_28D, invites);
  }

  @Test
  void onlyPeopleMarkedChampionFireOncePerPersonAndAccountWithTheirActiveDaysAsStrength() {
    FrameBuilder f = frame(User360.TABLE.schema());
    person(f, "ana@acme.io", ACME, true, 20, 3);
    person(f, "bob@acme.io", ACME, false, 27, 9); // more active, but not marked: champions are markChampions' call
    person(f, "cat@acme.io", ACME, null, 25, 4); // not marked at all
    person(f, "dan@globex.com", "globex.com", true, 12, 1);

    assertEquals(List.of(
        signal("CHAMPION_IDENTIFIED|ana@acme.io|acme.io", "2026-05-31", "CHAMPION_IDENTIFIED", ACME, null,
            "ana@acme.io", "champion", 20.0,
            "ana@acme.io was active on 20 of the last 28 days and sent 3 invitations in them"),
        signal("CHAMPION_IDENTIFIED|dan@globex.com|globex.com", "2026-05-31", "CHAMPION_IDENTIFIED", "globex.com",
            null, "dan@globex.com", "champion", 12.0,
            "dan@globex.com was active on 12 of the last 28 days and sent 1 invitations in them")),
        signals(SignalTransforms.findChampions(f.build(), AS_OF)));
  }
}
