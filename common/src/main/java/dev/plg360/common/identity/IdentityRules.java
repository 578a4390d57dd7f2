package dev.plg360.common.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The identity rules every job applies alike, so that an email, a domain or a workspace names the same account
 * wherever it is read: how an email is classified, the account id of a workspace no company claims, and the
 * domain functions of {@link Domains} as SQL functions of the session.
 */
public final class IdentityRules {
  private IdentityRules() {}

  /** How a personal account's id starts: {@code personal:<workspace_id>}, for a workspace no company claims. */
  public static final String PERSONAL_PREFIX = "personal:";

  /**
   * Adds {@code email_norm}, {@code domain} (registrable), {@code business} (neither free-mail nor disposable)
   * and {@code disposable} to a frame with an email column, using the UDFs registered by {@link #registerUdfs}.
   */
  public static Dataset<Row> classifyEmail(Dataset<Row> df, String emailColumn) {
    return classifyEmail(df, emailColumn, java.util.Set.of());
  }

  /**
   * {@link #classifyEmail(Dataset, String)}, where an address at one of {@code providers} (registrable domains a
   * firmographics source says are mail providers, {@link AccountRecords#emailProviders}) is free-mail too.
   */
  public static Dataset<Row> classifyEmail(Dataset<Row> df, String emailColumn, java.util.Set<String> providers) {
    Column norm = EmailRules.normalize(col(emailColumn));
    Dataset<Row> withNorm = df.withColumn("email_norm", norm);
    Column host = EmailRules.host(col("email_norm"));
    Column domain = functions.call_udf(REGISTRABLE, host);
    // The lookup takes the host as it is and as its registrable domain (Domains.isFreeMail).
    Column freeMail = functions.call_udf(FREE_MAIL, host);
    if (!providers.isEmpty()) {
      freeMail = freeMail.or(functions.coalesce(col("domain").isin(providers.toArray()), functions.lit(false)));
    }
    return withNorm
        .withColumn("domain", domain)
        .withColumn("free_mail", freeMail)
        .withColumn("disposable", functions.call_udf(DISPOSABLE, col("domain")))
        .withColumn("business", col("domain").isNotNull().and(not(col("free_mail"))).and(not(col("disposable"))));
  }

  public static final String REGISTRABLE = "plg360_registrable_domain";
  public static final String FREE_MAIL = "plg360_is_free_mail";
  public static final String DISPOSABLE = "plg360_is_disposable";

  /** The account id of a domain as typed: its registrable domain (needs {@link #registerUdfs}). */
  public static Column registrableDomain(Column domain) {
    return functions.call_udf(REGISTRABLE, domain);
  }

  /** The domain functions as SQL functions of the session (also usable from notebooks and docs/queries). */
  public static void registerUdfs(org.apache.spark.sql.SparkSession spark) {
    spark.udf().register(REGISTRABLE, (org.apache.spark.sql.api.java.UDF1<String, String>) Domains::registrable,
        org.apache.spark.sql.types.DataTypes.StringType);
    spark.udf().register(FREE_MAIL, (org.apache.spark.sql.api.java.UDF1<String, Boolean>) Domains::isFreeMail,
        org.apache.spark.sql.types.DataTypes.BooleanType);
    spark.udf().register(DISPOSABLE, (org.apache.spark.sql.api.java.UDF1<String, Boolean>) Domains::isDisposable,
        org.apache.spark.sql.types.DataTypes.BooleanType);
  }

  /** The registrable domain a CRM account's Website names (https://www.acme.co.uk/about -> acme.co.uk), or null. */
  public static Column websiteDomain(Column website) {
    return functions.call_udf(REGISTRABLE,
        functions.regexp_extract(functions.lower(website), "^(?:[a-z]+://)?([^/:?#]+)", 1));
  }
}
