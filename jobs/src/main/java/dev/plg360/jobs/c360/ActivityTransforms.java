package dev.plg360.jobs.c360;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.GoldTables.Activity;
import dev.plg360.common.tables.GoldTables.User360;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Product activity per account, workspace or person, for an as-of date, from the daily rollup joined to identity.
 *
 * <p>Input ({@code activity}): one row per day, workspace, person, event and feature, with the columns of
 * {@link #ACTIVITY}: only days up to the as-of date, only active calls (no identify or group). A row may have no
 * person (anonymous activity nobody identified) or no workspace (pages seen before sign-up).
 */
public final class ActivityTransforms {
  private ActivityTransforms() {}

  /** Columns of the activity frame the job builds from silver.product_daily. */
  public static final List<String> ACTIVITY = List.of("event_date", "workspace_id", "user_id", "person_id", "account_id",
      "event_name", "feature", "events", "quantity", "first_ts");

  private static Column daysAgo(LocalDate asOf) {
    return datediff(lit(Date.valueOf(asOf)), col("event_date"));
  }

  /**
   * One row per value of {@code key} (account_id, workspace_id or person_id) with the catalog's activity columns
   * ({@link Activity#forGroups()}): active people and days per window, stickiness, momentum, features and events
   * used in 28 days, invitations, milestones and time to first value.
   */
  public static Dataset<Row> countActivityPerWindow(Dataset<Row> activity, String key, LocalDate asOf, Build360Settings s) {
    Dataset<Row> a = activity.where(col(key).isNotNull()).withColumn("d", daysAgo(asOf));

    Dataset<Row> perPerson = a.where(col("person_id").isNotNull())
        .groupBy(col(key), col("person_id"), col("d")).agg(sum("events").as("events"))
        .groupBy(col(key), col("person_id"))
        .agg(min("d").as("last_d"), count(when(col("d").lt(28), true)).as("days_28"));
    Dataset<Row> people = perPerson.groupBy(col(key)).agg(
        count(when(col("last_d").equalTo(0), true)).as(Activity.ACTIVE_USERS_1D.name()),
        count(when(col("last_d").lt(7), true)).as(Activity.ACTIVE_USERS_7D.name()),
        count(when(col("last_d").lt(28), true)).as(Activity.ACTIVE_USERS_28D.name()),
        sum("days_28").as("user_days_28"));

    Dataset<Row> days = a.groupBy(col(key), col("d"), col("event_date"))
        .agg(sum("events").as("events"), max(col("workspace_id").isNotNull()).as("in_workspace"))
        .groupBy(col(key)).agg(
            count(when(col("d").lt(7), true)).as(Activity.ACTIVE_DAYS_7D.name()),
            count(when(col("d").lt(28), true)).as(Activity.ACTIVE_DAYS_28D.name()),
            coalesce(sum(when(col("d").lt(7), col("events"))), lit(0L)).as(Activity.EVENTS_7D.name()),
            coalesce(sum(when(col("d").geq(7).and(col("d").lt(14)), col("events"))), lit(0L)).as(Activity.EVENTS_PREV_7D.name()),
            max("event_date").as(Activity.LAST_ACTIVE_DATE.name()),
            // Time to first value counts from the first use of a workspace, not from pages seen before sign-up.
            min(when(col("in_workspace"), col("event_date"))).as("first_active_date"));

    Dataset<Row> names = a.groupBy(col(key), col("event_name"), col("feature")).agg(
        sum(when(col("d").lt(28), col("events")).otherwise(0L)).as("n28"),
        sum("events").as("total"),
        min("event_date").as("first_date"));
    Dataset<Row> features = names.where(col("feature").isNotNull().and(col("n28").gt(0)))
        .groupBy(col(key), col("feature")).agg(sum("n28").as("n"))
        .groupBy(col(key)).agg(sortedMap("feature", "n").as(Activity.FEATURE_USES_28D.name()));
    Dataset<Row> events = names.groupBy(col(key), col("event_name"))
        .agg(sum("n28").as("n28"), sum("total").as("total"), min("first_date").as("first_date"));
    Dataset<Row> eventCounts = events.where(col("n28").gt(0)).groupBy(col(key))
        .agg(sortedMap("event_name", "n28").as(Activity.EVENT_COUNTS_28D.name()));
    Dataset<Row> invites = events.where(col("event_name").equalTo(s.inviteEvent())).select(col(key),
        col("n28").as(Activity.INVITES_SENT_28D.name()), col("total").as(Activity.INVITES_SENT_TOTAL.name()));
    Dataset<Row> milestones = events.join(milestoneEvents(activity, s.milestones()), "event_name")
        .groupBy(col(key)).agg(sortedMap("milestone", "first_date").as(Activity.MILESTONES.name()));

    Column stickiness = when(col(Activity.ACTIVE_USERS_28D.name()).gt(0),
        col("user_days_28").divide(lit(28.0)).divide(col(Activity.ACTIVE_USERS_28D.name())));
    Column momentum = when(col(Activity.EVENTS_PREV_7D.name()).gt(0),
        col(Activity.EVENTS_7D.name()).minus(col(Activity.EVENTS_PREV_7D.name())).divide(col(Activity.EVENTS_PREV_7D.name())));
    Column firstValue = element_at(col(Activity.MILESTONES.name()), s.firstValueMilestone());
    Column zero = lit(0L);
    return days
        .join(people, new String[] {key}, "left")
        .join(features, new String[] {key}, "left")
        .join(eventCounts, new String[] {key}, "left")
        .join(invites, new String[] {key}, "left")
        .join(milestones, new String[] {key}, "left")
        .select(
            col(key),
            coalesce(col(Activity.ACTIVE_USERS_1D.name()), zero).as(Activity.ACTIVE_USERS_1D.name()),
            coalesce(col(Activity.ACTIVE_USERS_7D.name()), zero).as(Activity.ACTIVE_USERS_7D.name()),
            coalesce(col(Activity.ACTIVE_USERS_28D.name()), zero).as(Activity.ACTIVE_USERS_28D.name()),
            stickiness.as(Activity.STICKINESS.name()),
            col(Activity.ACTIVE_DAYS_7D.name()),
            col(Activity.ACTIVE_DAYS_28D.name()),
            col(Activity.EVENTS_7D.name()),
            col(Activity.EVENTS_PREV_7D.name()),
            momentum.as(Activity.MOMENTUM_7D.name()),
            col(Activity.LAST_ACTIVE_DATE.name()),
            size(coalesce(col(Activity.FEATURE_USES_28D.name()), emptyMap(DataTypes.LongType))).cast("long")
                .as(Activity.DISTINCT_FEATURES_28D.name()),
            coalesce(col(Activity.FEATURE_USES_28D.name()), emptyMap(DataTypes.LongType)).as(Activity.FEATURE_USES_28D.name()),
            coalesce(col(Activity.EVENT_COUNTS_28D.name()), emptyMap(DataTypes.LongType)).as(Activity.EVENT_COUNTS_28D.name()),
            coalesce(col(Activity.INVITES_SENT_28D.name()), zero).as(Activity.INVITES_SENT_28D.name()),
            coalesce(col(Activity.INVITES_SENT_TOTAL.name()), zero).as(Activity.INVITES_SENT_TOTAL.name()),
            coalesce(col(Activity.MILESTONES.name()), emptyMap(DataTypes.DateType)).as(Activity.MILESTONES.name()),
            size(coalesce(col(Activity.MILESTONES.name()), emptyMap(DataTypes.DateType))).cast("long")
                .as(Activity.MILESTONES_REACHED.name()),
            firstValue.as(Activity.FIRST_VALUE_DATE.name()),
            datediff(firstValue, col("first_active_date")).cast("long").as(Activity.DAYS_TO_FIRST_VALUE.name()));
  }

  /** (event_name, milestone) for the configured milestones (milestone name -> event). */
  static Dataset<Row> milestoneEvents(Dataset<Row> any, Map<String, String> milestones) {
    List<Row> rows = milestones.entrySet().stream()
        .map((Map.Entry<String, String> e) -> RowFactory.create(e.getValue(), e.getKey())).toList();
    StructType schema = new StructType().add("event_name", DataTypes.StringType).add("milestone", DataTypes.StringType);
    return any.sparkSession().createDataFrame(rows, schema);
  }

  /** A map from the key column to the value column over a group, entries sorted by key so re-runs write the same. */
  static Column sortedMap(String keyColumn, String valueColumn) {
    return map_from_entries(array_sort(collect_list(struct(col(keyColumn), col(valueColumn)))));
  }

  /** Whole-number columns that are not counts of something that happened: unknown stays null. */
  private static final java.util.Set<Col> MEASURES_NOT_COUNTS = java.util.Set.of(Activity.DAYS_TO_FIRST_VALUE,
      dev.plg360.common.tables.GoldTables.Account360.EMPLOYEES);

  /**
   * A catalog column after a left join, with the value of "nothing happened" where the joined frame had no row:
   * 0 for counts, an empty map or list, null for anything else (dates, shares, names).
   */
  public static Column orDefault(Col c) {
    if (c.type() instanceof org.apache.spark.sql.types.LongType && !MEASURES_NOT_COUNTS.contains(c)) {
      return coalesce(col(c.name()), lit(0L)).as(c.name());
    }
    if (c.type() instanceof org.apache.spark.sql.types.MapType m) {
      return coalesce(col(c.name()), emptyMap(m.valueType())).as(c.name());
    }
    if (c.type() instanceof org.apache.spark.sql.types.ArrayType) {
      return coalesce(col(c.name()), org.apache.spark.sql.functions.array().cast(c.type())).as(c.name());
    }
    return col(c.name());
  }

  static Column emptyMap(org.apache.spark.sql.types.DataType valueType) {
    return org.apache.spark.sql.functions.map().cast(DataTypes.createMapType(DataTypes.StringType, valueType));
  }

  /**
   * Adds {@code is_champion} to per-person metrics ({@code account_id} and the activity columns): within each
   * account, the top share of people by active days in 28 (then events in 7), at least one, who were active on at
   * least the minimum days and invited someone in those 28 days.
   */
  public static Dataset<Row> markChampions(Dataset<Row> people, Build360Settings.Champion c) {
    Column active = col(Activity.ACTIVE_DAYS_28D.name()).gt(0);
    Dataset<Row> ranked = people
        .withColumn("active_in_account", count(when(active, true)).over(Window.partitionBy(col("account_id"))))
        .withColumn("activity_rank", row_number().over(Window.partitionBy(col("account_id"))
            .orderBy(col(Activity.ACTIVE_DAYS_28D.name()).desc_nulls_last(), col(Activity.EVENTS_7D.name()).desc_nulls_last(),
                col(User360.PERSON_ID.name()))));
    Column top = col("activity_rank").leq(greatest(lit(1L), ceil(col("active_in_account").multiply(c.topShare()))));
    Column champion = col("account_id").isNotNull().and(active).and(top)
        .and(coalesce(col(Activity.INVITES_SENT_28D.name()), lit(0L)).geq(c.minInvites28d()))
        .and(col(Activity.ACTIVE_DAYS_28D.name()).geq(c.minActiveDays28d()));
    return ranked.withColumn(User360.IS_CHAMPION.name(), coalesce(champion, lit(false)))
        .drop("active_in_account", "activity_rank");
  }
}
