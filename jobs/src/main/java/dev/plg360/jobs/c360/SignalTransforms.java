package dev.plg360.jobs.c360;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.spark.Picks;
import dev.plg360.common.tables.GoldTables.Activity;
import dev.plg360.common.tables.GoldTables.Billing;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.jobs.c360.Build360Settings.SignalSettings;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Dated, explainable signals for the days from {@code from} to the as-of date: invite spikes, activity surges
 * against an account's own baseline, milestones reached, new workspaces in known accounts; and, as of the as-of
 * date, plan caps approaching and champions identified. Each row has a stable id (type, subject and day, or
 * month for caps, or none for champions) so a re-run or an overlapping lookback finds the same signal again
 * rather than a new one. Columns: the catalog's, without detected_at and run_id.
 */
public final class SignalTransforms {
  private SignalTransforms() {}

  public static final String INVITE_SPIKE = "INVITE_SPIKE";
  public static final String ACTIVITY_SURGE = "ACTIVITY_SURGE";
  public static final String CAP_APPROACHING = "CAP_APPROACHING";
  public static final String MILESTONE_REACHED = "MILESTONE_REACHED";
  public static final String NEW_WORKSPACE = "NEW_WORKSPACE";
  public static final String CHAMPION_IDENTIFIED = "CHAMPION_IDENTIFIED";

  private static Column day(LocalDate d) {
    return lit(Date.valueOf(d));
  }

  private static Dataset<Row> signal(Dataset<Row> df, String type, Column id, Column date, Column account, Column workspace,
                                     Column person, Column subject, Column strength, Column evidence) {
    Column none = lit(null).cast("string");
    return df.select(
        concat_ws("|", lit(type), id).as(Signals.SIGNAL_ID.name()),
        date.as(Signals.SIGNAL_DATE.name()),
        lit(type).as(Signals.SIGNAL_TYPE.name()),
        account.as(Signals.ACCOUNT_ID.name()),
        workspace == null ? none.as(Signals.WORKSPACE_ID.name()) : workspace.as(Signals.WORKSPACE_ID.name()),
        person == null ? none.as(Signals.PERSON_ID.name()) : person.as(Signals.PERSON_ID.name()),
        subject == null ? none.as(Signals.SUBJECT.name()) : subject.as(Signals.SUBJECT.name()),
        strength.cast("double").as(Signals.STRENGTH.name()),
        evidence.as(Signals.EVIDENCE.name()));
  }

  /** A person invites at least the threshold of people in one day. {@code activity}: ActivityTransforms' frame. */
  public static Dataset<Row> findInviteSpikes(Dataset<Row> activity, String inviteEvent, LocalDate from, LocalDate asOf,
                                              SignalSettings s) {
    Dataset<Row> perDay = activity.where(col("event_name").equalTo(inviteEvent).and(col("person_id").isNotNull())
            .and(col("account_id").isNotNull()).and(col("event_date").between(day(from), day(asOf))))
        .groupBy("account_id", "workspace_id", "person_id", "event_date").agg(sum("events").as("invites"))
        .where(col("invites").geq(s.inviteSpikeMinInvites()));
    return signal(perDay, INVITE_SPIKE, concat_ws("|", col("person_id"), col("workspace_id"), col("event_date").cast("string")),
        col("event_date"), col("account_id"), col("workspace_id"), col("person_id"), lit("invitations"), col("invites"),
        format_string("%s sent %d invitations in workspace %s on %s (threshold %d)", col("person_id"), col("invites"),
            col("workspace_id"), col("event_date").cast("string"), lit(s.inviteSpikeMinInvites())));
  }

  /**
   * An account's people use the product much more than they each did: the events in the 7 days ending on a day of
   * its people with at least the minimum weeks of history stand at least the configured z-score above what their
   * own baselines give (each person's events in the same 7-day windows 1 to N weeks earlier, over the weeks since
   * their first activity), and at least the configured multiple of it. People new to the account are left out: a
   * team that grows, or a new member busier than the others, is no surge. The standard deviation is that of the
   * people's baselines summed, floored at the square root of the expected count, as counts vary at least that much by
   * chance. Fires on the first day of a run of such days, and not again within the quiet days after one.
   */
  public static Dataset<Row> findActivitySurges(Dataset<Row> activity, LocalDate from, LocalDate asOf, SignalSettings s) {
    WindowSpec byDay = Window.partitionBy("account_id").orderBy("event_date");
    Dataset<Row> scored = surgeScores(activity, from, asOf, s)
        .withColumn("surging", coalesce(col("z").geq(s.surgeMinZScore()).and(col("x7").geq(s.surgeMinEvents7d()))
            .and(col("x7").geq(col("expected").multiply(s.surgeMinRatio()))), lit(false)))
        .withColumn("was_surging", coalesce(max(col("surging").cast("int")).over(byDay.rowsBetween(-s.surgeQuietDays(), -1)),
            lit(0)).equalTo(1))
        .where(col("surging").and(not(col("was_surging"))).and(col("event_date").geq(day(from))));
    return signal(scored, ACTIVITY_SURGE, concat_ws("|", col("account_id"), col("event_date").cast("string")),
        col("event_date"), col("account_id"), null, null, lit("events_7d"), col("z"),
        format_string("%d events in the 7 days to %s by its people of %d weeks' history or more (%d), whose own "
                + "weekly baselines give %s ± %s (z = %s)",
            col("x7"), col("event_date").cast("string"), lit(s.surgeMinHistoryWeeks()), col("people"),
            format_number(col("expected"), 1), format_number(col("sd"), 1), format_number(col("z"), 1)));
  }

  /**
   * Each account's days from the surges' look-back before {@code from} to the as-of date, scored as {@link
   * #findActivitySurges} scores them, over its people with the minimum weeks of history: account_id, event_date, x7
   * (their events in the 7 days to the day), people (how many such people the account has), expected (their
   * baselines' means summed), sd, z. The thresholds are the caller's: what a surge is, or what it would be at others.
   */
  public static Dataset<Row> surgeScores(Dataset<Row> activity, LocalDate from, LocalDate asOf, SignalSettings s) {
    int weeks = s.surgeBaselineWeeks();
    LocalDate gridStart = from.minusDays(7L * (weeks + 1) + s.surgeQuietDays());
    Dataset<Row> known = activity.where(col("account_id").isNotNull().and(col("person_id").isNotNull()));
    Dataset<Row> people = known.groupBy("account_id", "person_id").agg(min("event_date").as("first_active"));
    Dataset<Row> perDay = known.where(col("event_date").geq(day(gridStart)))
        .groupBy("account_id", "person_id", "event_date").agg(sum("events").as("events"));
    Dataset<Row> grid = people.where(col("first_active").leq(day(asOf)))
        .select(col("account_id"), col("person_id"), col("first_active"),
            explode(sequence(greatest(col("first_active"), day(gridStart)), day(asOf))).as("event_date"))
        .join(perDay, new String[] {"account_id", "person_id", "event_date"}, "left")
        .withColumn("events", coalesce(col("events"), lit(0L)));
    WindowSpec byDay = Window.partitionBy("account_id", "person_id").orderBy("event_date");
    List<Column> lags = new ArrayList<>();
    for (int k = 1; k <= weeks; k++) {
      // A baseline week counts only if it starts on or after the person's first activity.
      Column startsAfter = date_sub(col("event_date"), 7 * k + 6).geq(col("first_active"));
      lags.add(when(startsAfter, lag(col("x7"), 7 * k).over(byDay)).cast("double"));
    }
    Column base = filter(array(lags.toArray(Column[]::new)), v -> v.isNotNull());
    Column n = size(col("base"));
    Column mean = aggregate(col("base"), lit(0.0), (acc, v) -> acc.plus(v)).divide(n);
    Column variance = aggregate(col("base"), lit(0.0), (acc, v) -> acc.plus(v.minus(col("mean")).multiply(v.minus(col("mean")))))
        .divide(n);
    Dataset<Row> perPerson = grid
        .withColumn("x7", sum("events").over(byDay.rowsBetween(-6, 0)))
        .withColumn("base", base)
        .withColumn("mean", when(n.gt(0), mean))
        .withColumn("variance", when(n.gt(0), variance))
        .where(n.geq(s.surgeMinHistoryWeeks()));
    return perPerson.groupBy("account_id", "event_date").agg(
            sum("x7").as("x7"), count(lit(1)).as("people"), sum("mean").as("expected"), sum("variance").as("variance"))
        .withColumn("sd", greatest(sqrt(col("variance")), sqrt(greatest(col("expected"), lit(1.0)))))
        .withColumn("z", col("x7").minus(col("expected")).divide(col("sd")))
        .drop("variance");
  }

  /**
   * Meters at or above the configured share of their cap, or within the configured days of it at the current
   * trend, on the as-of date; once per workspace, meter and month. {@code workspaces}: workspace_360 rows.
   */
  public static Dataset<Row> findCapsApproaching(Dataset<Row> workspaces, LocalDate asOf, SignalSettings s) {
    Dataset<Row> meters = workspaces
        .select(col(Workspace360.WORKSPACE_ID.name()).as("workspace_id"), col(Workspace360.ACCOUNT_ID.name()).as("account_id"),
            col(Billing.PLAN.name()).as("plan"), col(Billing.USAGE.name()).as("usage"), col(Billing.CAPS.name()).as("caps"),
            col(Billing.DAYS_TO_CAP.name()).as("days"), explode(map_entries(col(Billing.CAP_USAGE.name()))).as("e"))
        .withColumn("meter", col("e.key")).withColumn("share", col("e.value"))
        .withColumn("days_left", element_at(col("days"), col("meter")))
        .where(col("share").geq(s.capMinUsage()).or(col("days_left").leq(s.capMaxDays())));
    return signal(meters, CAP_APPROACHING,
        concat_ws("|", col("workspace_id"), col("meter"), date_format(day(asOf), "yyyy-MM")), day(asOf), col("account_id"),
        col("workspace_id"), null, col("meter"), col("share"),
        format_string("%s at %s%% of the %s plan's cap (%s of %s)%s", col("meter"), format_number(col("share").multiply(100), 0),
            col("plan"), format_number(element_at(col("usage"), col("meter")), 0),
            format_number(element_at(col("caps"), col("meter")), 0),
            when(col("days_left").isNotNull(), format_string("; %s days from it at the last days' rate",
                format_number(col("days_left"), 1))).otherwise(lit(""))));
  }

  /**
   * The first time each workspace reached each milestone that is a signal ({@code signalled}, the most meaningful
   * first), when that day is in the period; the person is who did it first. At most one a workspace a week (weeks
   * from Monday): the first reached that week (on a tie, the more meaningful), so that a later run, whose period
   * overlaps, never adds a second one to a week.
   */
  public static Dataset<Row> findMilestonesReached(Dataset<Row> activity, Map<String, String> milestones,
                                                   List<String> signalled, LocalDate from, LocalDate asOf) {
    Map<String, String> signals = new java.util.TreeMap<>(milestones);
    signals.keySet().retainAll(signalled);
    Dataset<Row> named = ActivityTransforms.milestoneEvents(activity, signals);
    Column meaning = array_position(array(signalled.stream().map(m -> lit(m)).toArray(Column[]::new)), col("milestone"));
    WindowSpec week = Window.partitionBy(col("workspace_id"), date_trunc("week", col("first_ts")))
        .orderBy(col("first_ts"), meaning);
    Dataset<Row> firsts = activity.where(col("workspace_id").isNotNull().and(col("account_id").isNotNull()))
        .join(named, "event_name")
        .groupBy("account_id", "workspace_id", "milestone")
        .agg(min("first_ts").as("first_ts"), Picks.earliest(col("person_id"), col("first_ts")).as("person_id"))
        .withColumn("__first_of_week", row_number().over(week))
        .where(col("__first_of_week").equalTo(1)).drop("__first_of_week")
        .withColumn("event_date", to_date(col("first_ts")))
        .where(col("event_date").between(day(from), day(asOf)));
    return signal(firsts, MILESTONE_REACHED, concat_ws("|", col("workspace_id"), col("milestone")), col("event_date"),
        col("account_id"), col("workspace_id"), col("person_id"), col("milestone"),
        lit(1.0),
        format_string("workspace %s reached %s on %s%s", col("workspace_id"), col("milestone"),
            col("event_date").cast("string"),
            when(col("person_id").isNotNull(), format_string(" (first by %s)", col("person_id"))).otherwise(lit(""))));
  }

  /**
   * Workspaces created in the period in an account that already had one. {@code workspaces}: workspace_id,
   * account_id, created_at (timestamp) of every workspace existing on the as-of date.
   */
  public static Dataset<Row> findNewWorkspaces(Dataset<Row> workspaces, LocalDate from, LocalDate asOf) {
    Dataset<Row> w = workspaces.withColumn("created", to_date(col("created_at")));
    Dataset<Row> older = w.select(col("account_id"), col("workspace_id").as("older_id"), col("created_at").as("older_at"));
    Dataset<Row> fresh = w.where(col("created").between(day(from), day(asOf)))
        .join(older, "account_id")
        .where(col("older_at").lt(col("created_at")))
        .groupBy("account_id", "workspace_id", "created")
        .agg(count(lit(1)).as("before"), array_join(array_sort(collect_list("older_id")), ", ").as("older_ids"));
    return signal(fresh, NEW_WORKSPACE, col("workspace_id"), col("created"), col("account_id"), col("workspace_id"), null,
        lit("workspace"), col("before"),
        format_string("workspace %s created on %s in account %s, which already had %d (%s)", col("workspace_id"),
            col("created").cast("string"), col("account_id"), col("before"), col("older_ids")));
  }

  /** People marked champion on the as-of date; once per person and account. {@code people}: user_360 rows. */
  public static Dataset<Row> findChampions(Dataset<Row> people, LocalDate asOf) {
    Dataset<Row> champions = people.where(col(User360.IS_CHAMPION.name()));
    return signal(champions, CHAMPION_IDENTIFIED,
        concat_ws("|", col(User360.PERSON_ID.name()), col(User360.ACCOUNT_ID.name())), day(asOf),
        col(User360.ACCOUNT_ID.name()), null, col(User360.PERSON_ID.name()), lit("champion"),
        col(Activity.ACTIVE_DAYS_28D.name()),
        format_string("%s was active on %d of the last 28 days and sent %d invitations in them", col(User360.PERSON_ID.name()),
            col(Activity.ACTIVE_DAYS_28D.name()), col(Activity.INVITES_SENT_28D.name())));
  }
}
