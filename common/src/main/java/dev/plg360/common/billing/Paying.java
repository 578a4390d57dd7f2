package dev.plg360.common.billing;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * What paying means, in one place: a workspace's billing state in the 360 and the conversion model's label both
 * read it, so a workspace the 360 shows as paid is one the model counts as converted.
 */
public final class Paying {
  private Paying() {}

  /** The column {@link #withPaying} adds. */
  public static final String PAYING = "paying";

  /**
   * Subscription events with {@value #PAYING}: the event bills, its subscription in a paid status on a plan with a
   * price (Stripe's active), or in a retrying one after it was (past_due). A trial that ends without a payment method
   * goes from trialing to past_due in Stripe (its first invoice unpaid): that subscription never paid, and a workspace
   * on it has not converted.
   */
  public static Dataset<Row> withPaying(Dataset<Row> subscriptionEvents, BillingStatuses statuses) {
    Column priced = coalesce(col("plan_amount_cents"), lit(0L)).gt(0);
    Column paid = col("status").isin(statuses.paid().toArray()).and(priced);
    WindowSpec soFar = Window.partitionBy("subscription_id").orderBy(col("event_ts"), col("event_id"))
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    Column wasPaid = max(paid.cast("int")).over(soFar).equalTo(1);
    return subscriptionEvents.withColumn(PAYING,
        paid.or(col("status").isin(statuses.retrying().toArray()).and(priced).and(wasPaid)));
  }
}
