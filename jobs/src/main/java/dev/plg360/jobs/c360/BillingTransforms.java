package dev.plg360.jobs.c360;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.billing.Paying;
import dev.plg360.common.tables.GoldTables.Billing;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.jobs.c360.Build360Settings.Measure;
import dev.plg360.jobs.c360.Build360Settings.Meter;
import dev.plg360.jobs.c360.Build360Settings.PlanCaps;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * Plan, billing state and usage against the plan's caps, per workspace, as of a date: from Stripe subscription
 * events, the configured plans and meters, and the activity frame of {@link ActivityTransforms}.
 */
public final class BillingTransforms {
  private BillingTransforms() {}

  /** A literal map column from pairs {k1, v1, k2, v2, ...}. */
  private static Column literalMap(List<Column> pairs) {
    return pairs.isEmpty() ? ActivityTransforms.emptyMap(org.apache.spark.sql.types.DataTypes.StringType)
        : functions.map(pairs.toArray(Column[]::new));
  }

  /**
   * One row per workspace that has a subscription: workspace_id, plan, billing_status, is_paid, trial_ends_at,
   * seats_bought, mrr and plan_rank (the plan's monthly price per seat, to pick an account's highest plan). The
   * subscription shown is the workspace's latest one that is not canceled, else its latest.
   */
  public static Dataset<Row> subscriptionsAsOf(Dataset<Row> subscriptionEvents, Timestamp asOfEnd, Build360Settings s) {
    List<Column> byStripeId = new ArrayList<>();
    for (PlanCaps p : s.plans().values()) {
      byStripeId.add(lit(p.stripePlanId()));
      byStripeId.add(lit(p.name()));
    }
    Dataset<Row> latest = Paying.withPaying(subscriptionEvents.where(col("event_ts").lt(asOfEnd)), s.billing())
        .withColumn("workspace_id", element_at(col("metadata"), "workspace_id"))
        .where(col("workspace_id").isNotNull())
        .withColumn("pick", row_number().over(Window.partitionBy("subscription_id")
            .orderBy(col("event_ts").desc(), col("event_id").desc())))
        .where(col("pick").equalTo(1))
        .withColumn("pick", row_number().over(Window.partitionBy("workspace_id")
            .orderBy(col("status").equalTo("canceled").asc(), col("event_ts").desc(), col("subscription_id").desc())))
        .where(col("pick").equalTo(1));
    Column canceled = col("status").equalTo("canceled");
    Column plan = when(canceled, lit(s.defaultPlan()))
        .otherwise(coalesce(element_at(literalMap(byStripeId), col("plan_id")), lit(s.defaultPlan())));
    Column paid = col(Paying.PAYING);
    Column monthly = col("plan_amount_cents").multiply(col("quantity")).divide(100.0)
        .divide(when(col("plan_interval").equalTo("year"), lit(12.0)).otherwise(lit(1.0)));
    return latest.select(
        col("workspace_id"),
        plan.as(Billing.PLAN.name()),
        col("status").as(Billing.BILLING_STATUS.name()),
        paid.as(Billing.IS_PAID.name()),
        when(col("status").equalTo("trialing"), col("trial_end")).as(Billing.TRIAL_ENDS_AT.name()),
        coalesce(col("quantity"), lit(0L)).as(Billing.SEATS_BOUGHT.name()),
        when(paid, monthly).otherwise(lit(0.0)).as(Billing.MRR.name()));
  }

  /** The plan's monthly price per seat, to rank plans: {@code plan} column -> double. */
  public static Column planRank(Column plan, Build360Settings s) {
    List<Column> pairs = new ArrayList<>();
    for (PlanCaps p : s.plans().values()) {
      pairs.add(lit(p.name()));
      pairs.add(lit(p.monthlyAmountCents()));
    }
    return coalesce(element_at(functions.map(pairs.toArray(Column[]::new)), plan), lit(0.0));
  }

  /**
   * Usage of every meter per workspace, and its daily rate over the trend days: workspace_id, members, usage
   * (meter -> long), rate (meter -> double). {@code activity}: the frame of {@link ActivityTransforms}.
   */
  public static Dataset<Row> measureMeters(Dataset<Row> activity, LocalDate asOf, Build360Settings s) {
    Column d = datediff(lit(Date.valueOf(asOf)), col("event_date"));
    Dataset<Row> a = activity.where(col("workspace_id").isNotNull()).withColumn("d", d);
    int trend = s.trendDays();
    Dataset<Row> members = a.where(col("person_id").isNotNull()).groupBy("workspace_id", "person_id")
        .agg(max("d").as("first_d"))
        .groupBy("workspace_id").agg(count(lit(1)).as(Workspace360.MEMBERS.name()),
            count(when(col("first_d").lt(trend), true)).as("new_members"));
    List<Column> aggs = new ArrayList<>();
    List<Column> usage = new ArrayList<>();
    List<Column> rate = new ArrayList<>();
    for (Meter m : s.meters().values()) {
      String u = "usage_" + usage.size() / 2;
      String r = "recent_" + rate.size() / 2;
      if (m.measure() == Measure.MEMBERS) {
        usage.add(lit(m.name()));
        usage.add(coalesce(col(Workspace360.MEMBERS.name()), lit(0L)));
        rate.add(lit(m.name()));
        rate.add(coalesce(col("new_members"), lit(0L)).divide((double) trend));
        continue;
      }
      Column counted = m.measure() == Measure.QUANTITY ? col("quantity") : col("events");
      Column ofMeter = col("event_name").equalTo(m.event());
      Column inWindow = m.windowDays() == 0 ? ofMeter : ofMeter.and(col("d").lt(m.windowDays()));
      aggs.add(coalesce(sum(when(inWindow, counted)), lit(0L)).as(u));
      aggs.add(coalesce(sum(when(ofMeter.and(col("d").lt(trend)), counted)), lit(0L)).as(r));
      usage.add(lit(m.name()));
      usage.add(coalesce(col(u), lit(0L)));
      rate.add(lit(m.name()));
      rate.add(coalesce(col(r), lit(0L)).divide((double) trend));
    }
    Dataset<Row> metered = aggs.isEmpty() ? a.select("workspace_id").distinct()
        : a.groupBy("workspace_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new));
    return metered.join(members, new String[] {"workspace_id"}, "full")
        .select(col("workspace_id"), coalesce(col(Workspace360.MEMBERS.name()), lit(0L)).as(Workspace360.MEMBERS.name()),
            functions.map(usage.toArray(Column[]::new)).as(Billing.USAGE.name()),
            functions.map(rate.toArray(Column[]::new)).as("rate"));
  }

  /**
   * Adds the plan's caps and how close each meter is to its cap, to a frame with plan, usage and rate: caps,
   * cap_usage (usage / cap), days_to_cap (at the rate; 0 at or over the cap; absent when not growing or the
   * cap is 0 for nothing), and the nearest cap. Drops rate.
   */
  public static Dataset<Row> compareWithCaps(Dataset<Row> workspaces, Build360Settings s) {
    List<Column> byPlan = new ArrayList<>();
    for (PlanCaps p : s.plans().values()) {
      List<Column> caps = new ArrayList<>();
      p.caps().forEach((meter, cap) -> {
        caps.add(lit(meter));
        caps.add(lit(cap));
      });
      byPlan.add(lit(p.name()));
      byPlan.add(functions.map(caps.toArray(Column[]::new)));
    }
    String usage = Billing.USAGE.name();
    String caps = Billing.CAPS.name();
    String share = Billing.CAP_USAGE.name();
    String days = Billing.DAYS_TO_CAP.name();
    Column nearest = expr("array_max(transform(map_entries(" + share + "), e -> named_struct('usage', e.value, 'meter', e.key)))");
    return workspaces
        .withColumn(caps, element_at(functions.map(byPlan.toArray(Column[]::new)), col(Billing.PLAN.name())))
        .withColumn(share, expr("map_filter(map_zip_with(" + usage + ", " + caps + ", (k, u, c) -> CAST(u AS DOUBLE) / c), "
            + "(k, v) -> v IS NOT NULL)"))
        .withColumn(days, expr("map_filter(map_zip_with(" + usage + ", " + caps + ", (k, u, c) -> CASE WHEN u >= c THEN 0.0D "
            + "WHEN rate[k] > 0 THEN (c - u) / rate[k] END), (k, v) -> v IS NOT NULL)"))
        .withColumn("nearest", nearest)
        .withColumn(Billing.NEAREST_CAP.name(), col("nearest.meter"))
        .withColumn(Billing.NEAREST_CAP_USAGE.name(), col("nearest.usage"))
        .withColumn(Billing.NEAREST_CAP_DAYS.name(), element_at(col(days), col("nearest.meter")))
        .drop("nearest", "rate");
  }
}
