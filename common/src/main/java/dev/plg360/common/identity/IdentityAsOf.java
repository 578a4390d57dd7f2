package dev.plg360.common.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.spark.Kept;
import dev.plg360.common.tables.Tables.IdentityLinks;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The identity graph as it stood on an as-of date, read from the versions in silver.identity_links: for each
 * linked record, the link whose as-of interval holds the date (the latest recorded, if a re-run replaced one on
 * the same day). A record whose first link was made by a later resolve (a history loaded after the fact) takes
 * that first link, so a backfilled snapshot is not empty; a record whose links all ended before the date has none.
 *
 * <p>Each accessor returns a two-column frame (the from id, the to id) named by the caller's vocabulary.
 */
public final class IdentityAsOf {
  private final Dataset<Row> links;

  private IdentityAsOf(Dataset<Row> links) {
    this.links = links;
  }

  /** {@code history}: silver.identity_links. The result is cached by the caller if it is used many times. */
  public static IdentityAsOf of(Dataset<Row> history, LocalDate asOf) {
    Column day = lit(Date.valueOf(asOf));
    Column from = IdentityLinks.AS_OF_FROM.col();
    Column to = IdentityLinks.AS_OF_TO.col();
    Column holds = from.leq(day).and(to.isNull().or(to.gt(day)));
    // 0: holds on the day (the latest recorded wins); 1: made later (the earliest as-of wins, then the latest
    // recorded); ended before the day: dropped.
    Column standing = when(holds, lit(0)).when(from.gt(day), lit(1));
    Dataset<Row> chosen = history.withColumn("standing", standing).where(col("standing").isNotNull())
        .withColumn("pick", row_number().over(Window
            .partitionBy(IdentityLinks.FROM_TYPE.col(), IdentityLinks.FROM_ID.col(), IdentityLinks.TO_TYPE.col())
            .orderBy(col("standing"), when(col("standing").equalTo(1), from).asc_nulls_first(),
                IdentityLinks.VALID_FROM.col().desc(), IdentityLinks.TO_ID.col())))
        .where(col("pick").equalTo(1))
        .select(IdentityLinks.FROM_TYPE.col(), IdentityLinks.FROM_ID.col(), IdentityLinks.TO_TYPE.col(),
            IdentityLinks.TO_ID.col(), IdentityLinks.RULE.col());
    return new IdentityAsOf(chosen);
  }

  /** The same links, computed once and kept in {@code kept}: for a job that reads them many times. */
  public IdentityAsOf keptIn(Kept kept) {
    return new IdentityAsOf(kept.keep(links));
  }

  /** The chosen links: from_type, from_id, to_type, to_id, rule. */
  public Dataset<Row> links() {
    return links;
  }

  private Dataset<Row> map(String fromType, String toType, String fromAs, String toAs) {
    return links.where(IdentityLinks.FROM_TYPE.col().equalTo(fromType).and(IdentityLinks.TO_TYPE.col().equalTo(toType)))
        .select(IdentityLinks.FROM_ID.col().as(fromAs), IdentityLinks.TO_ID.col().as(toAs));
  }

  /** user id -> person id. */
  public Dataset<Row> personOfUser(String userAs, String personAs) {
    return map("user", "person", userAs, personAs);
  }

  /** anonymous id -> user id (stitched by an identify call). */
  public Dataset<Row> userOfAnonymous(String anonymousAs, String userAs) {
    return map("anonymous", "user", anonymousAs, userAs);
  }

  /** Salesforce Lead Id -> person id. */
  public Dataset<Row> personOfLead(String leadAs, String personAs) {
    return map("lead", "person", leadAs, personAs);
  }

  /** Salesforce Contact Id -> person id. */
  public Dataset<Row> personOfContact(String contactAs, String personAs) {
    return map("contact", "person", contactAs, personAs);
  }

  /** person id -> account id. */
  public Dataset<Row> accountOfPerson(String personAs, String accountAs) {
    return map("person", "account", personAs, accountAs);
  }

  /** person id -> account id, with the rule that linked them. */
  public Dataset<Row> accountOfPersonWithRule(String personAs, String accountAs, String ruleAs) {
    return links.where(IdentityLinks.FROM_TYPE.col().equalTo("person").and(IdentityLinks.TO_TYPE.col().equalTo("account")))
        .select(IdentityLinks.FROM_ID.col().as(personAs), IdentityLinks.TO_ID.col().as(accountAs),
            IdentityLinks.RULE.col().as(ruleAs));
  }

  /** workspace id -> account id. */
  public Dataset<Row> accountOfWorkspace(String workspaceAs, String accountAs) {
    return map("workspace", "account", workspaceAs, accountAs);
  }

  /** Salesforce Account Id -> account id. */
  public Dataset<Row> accountOfCrmAccount(String crmAccountAs, String accountAs) {
    return map("crm_account", "account", crmAccountAs, accountAs);
  }
}
