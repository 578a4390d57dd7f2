package dev.plg360.common.identity;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.asof.AsOf;
import dev.plg360.common.spark.Picks;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * The CRM and firmographic records of an account, on the plg360 account (the registrable domain) their website or
 * domain names, as of a time. Silver's accounts and opportunities and a snapshot rebuilt for a past date read them
 * alike, so both name the same account for the same records.
 */
public final class AccountRecords {
  private AccountRecords() {}

  /**
   * Salesforce accounts as of the as-of time, one row per plg360 account (the registrable domain of the Website):
   * account_id, crm_account_ids, and the most recently modified one's crm_owner_id, crm_name, crm_industry,
   * crm_employees, crm_country.
   */
  public static Dataset<Row> crmAccounts(Dataset<Row> sfAccountVersions, java.sql.Timestamp asOfEnd) {
    return AsOf.latestVersions(sfAccountVersions, lit(asOfEnd))
        .withColumn("account_id", IdentityRules.websiteDomain(col("website")))
        .where(col("account_id").isNotNull())
        .groupBy("account_id").agg(
            Picks.sortedSet("id").as("crm_account_ids"),
            Picks.latest(struct(col("owner_id"), col("name"), col("industry"), col("employees"), col("billing_country"),
                col("id")), col("last_modified_at")).as("_latest"))
        .select(col("account_id"), col("crm_account_ids"), col("_latest.owner_id").as("crm_owner_id"),
            col("_latest.name").as("crm_name"), col("_latest.industry").as("crm_industry"),
            col("_latest.employees").as("crm_employees"), col("_latest.billing_country").as("crm_country"));
  }

  /**
   * The latest Clearbit record indexed before the as-of time, per registrable domain, unless it is a mail provider's
   * ({@link #emailProviders}: no company's facts): account_id, cb_name, cb_industry, cb_employees, cb_country,
   * department_headcounts, tech.
   */
  public static Dataset<Row> firmographics(Dataset<Row> clearbitVersions, java.sql.Timestamp asOfEnd) {
    return newestFirmographics(clearbitVersions, asOfEnd)
        .where(not(coalesce(col("email_provider"), lit(false))))
        .select(col("account_id"), col("name").as("cb_name"), col("industry").as("cb_industry"),
            col("employees").as("cb_employees"), col("country").as("cb_country"), col("department_headcounts"), col("tech"));
  }

  /**
   * The registrable domains whose newest Clearbit record, as of the end of the date, is a mail provider's: an address
   * there is a free-mail one, whatever the free-mail lists say ({@link IdentityRules#classifyEmail}).
   */
  public static java.util.Set<String> emailProviders(Dataset<Row> clearbitVersions, java.sql.Timestamp asOfEnd) {
    return new java.util.TreeSet<>(newestFirmographics(clearbitVersions, asOfEnd)
        .where(coalesce(col("email_provider"), lit(false)))
        .select("account_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  /** Each domain's newest Clearbit record by the end of the date, with the domain's account id. */
  private static Dataset<Row> newestFirmographics(Dataset<Row> clearbitVersions, java.sql.Timestamp asOfEnd) {
    return clearbitVersions.where(col("indexed_at").lt(asOfEnd))
        .withColumn("account_id", IdentityRules.registrableDomain(col("domain")))
        .where(col("account_id").isNotNull())
        .withColumn("rank", row_number().over(Window.partitionBy("account_id").orderBy(col("indexed_at").desc())))
        .where(col("rank").equalTo(1));
  }

  /**
   * Opportunities on their plg360 account, with duplicates by account domain marked (seed 002: a seller de-dupes
   * opportunities on the domain): of the open opportunities of one account, the oldest is the one; each later
   * open one is {@code duplicate_of} it. {@code latest}: the opportunities' latest versions; {@code crmToAccount}:
   * crm_account_id, account_id. Columns: silver.opportunities'.
   */
  public static Dataset<Row> dedupeOpportunitiesByDomain(Dataset<Row> latest, Dataset<Row> crmToAccount) {
    Dataset<Row> j = latest.withColumnRenamed("account_id", "crm_account_id")
        .join(crmToAccount, new String[] {"crm_account_id"}, "left");
    Column open = not(coalesce(col("is_closed"), lit(false)));
    Column primary = functions.first(col("id")).over(Window.partitionBy(col("account_id"), open)
        .orderBy(col("created_at"), col("id")).rowsBetween(Window.unboundedPreceding(), Window.currentRow()));
    return j.withColumn("primary_id", primary).select(
        col("id").as("opportunity_id"),
        col("account_id"),
        col("crm_account_id"),
        col("name"),
        col("stage_name"),
        col("amount"),
        col("is_closed"),
        col("is_won"),
        col("owner_id"),
        col("created_at"),
        col("last_modified_at"),
        when(open.and(col("account_id").isNotNull()).and(col("primary_id").notEqual(col("id"))), col("primary_id"))
            .as("duplicate_of"));
  }
}
