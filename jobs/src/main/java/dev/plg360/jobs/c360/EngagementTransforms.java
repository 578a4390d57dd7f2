package dev.plg360.jobs.c360;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.asof.AsOf;
import dev.plg360.common.identity.EmailRules;
import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.tables.GoldTables.Engagement;
import dev.plg360.common.tables.Tables.EmailEvents;
import dev.plg360.common.tables.Tables.FormSubmissions;
import dev.plg360.common.tables.Tables.SfCommon;
import dev.plg360.common.tables.Tables.SfContacts;
import dev.plg360.common.tables.Tables.SfTasks;
import dev.plg360.common.tables.Tables.SupportTickets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Marketing, sales and support touches as of a date. People are found by normalised email (a person id is
 * one), leads and contacts through the identity links; accounts through the person or the CRM account.
 */
public final class EngagementTransforms {
  private EngagementTransforms() {}

  private static final int WINDOW_DAYS = 30;
  private static final List<String> OPEN_TICKET = List.of("new", "open", "pending", "hold");

  private static Column within30Days(Column date, LocalDate asOf) {
    return date.gt(date_sub(lit(Date.valueOf(asOf)), WINDOW_DAYS));
  }

  /**
   * Per person: emails sent, opened and clicked and forms submitted in the last 30 days, and the last marketing
   * touch. Columns: person_id and the marketing columns of {@link Engagement}.
   */
  public static Dataset<Row> countMarketingTouches(Dataset<Row> emailEvents, Dataset<Row> forms, Timestamp asOfEnd,
                                                   LocalDate asOf) {
    Column type = EmailEvents.EVENT_TYPE.col();
    Column recent = within30Days(to_date(col("ts")), asOf);
    Dataset<Row> email = emailEvents.where(EmailEvents.EVENT_TS.col().lt(asOfEnd))
        .select(EmailRules.normalize(EmailEvents.RECIPIENT.col()).as("person_id"), EmailEvents.EVENT_TS.col().as("ts"),
            type.as("kind"));
    Dataset<Row> form = forms.where(FormSubmissions.SUBMITTED_AT.col().lt(asOfEnd))
        .select(EmailRules.normalize(FormSubmissions.EMAIL.col()).as("person_id"), FormSubmissions.SUBMITTED_AT.col().as("ts"),
            lit("FORM").as("kind"));
    return email.unionByName(form).where(col("person_id").isNotNull()).groupBy("person_id").agg(
        count(when(recent.and(col("kind").equalTo("SENT")), true)).as(Engagement.EMAILS_SENT_30D.name()),
        count(when(recent.and(col("kind").equalTo("OPEN")), true)).as(Engagement.EMAILS_OPENED_30D.name()),
        count(when(recent.and(col("kind").equalTo("CLICK")), true)).as(Engagement.EMAILS_CLICKED_30D.name()),
        count(when(recent.and(col("kind").equalTo("FORM")), true)).as(Engagement.FORMS_SUBMITTED_30D.name()),
        max("ts").as(Engagement.LAST_MARKETING_TOUCH_AT.name()));
  }

  /** Per person: tickets open at the end of the as-of day and tickets opened in the last 30 days. */
  public static Dataset<Row> countTickets(Dataset<Row> ticketVersions, Timestamp asOfEnd, LocalDate asOf) {
    Dataset<Row> latest = ticketVersions.where(SupportTickets.UPDATED_AT.col().lt(asOfEnd))
        .withColumn("pick", row_number().over(Window.partitionBy(SupportTickets.TICKET_ID.col())
            .orderBy(SupportTickets.UPDATED_AT.col().desc())))
        .where(col("pick").equalTo(1));
    return latest.select(EmailRules.normalize(SupportTickets.REQUESTER_EMAIL.col()).as("person_id"),
            SupportTickets.STATUS.col().as("status"), SupportTickets.CREATED_AT.col().as("created_at"))
        .where(col("person_id").isNotNull())
        .groupBy("person_id").agg(
            count(when(col("status").isin(OPEN_TICKET.toArray()), true)).as(Engagement.TICKETS_OPEN.name()),
            count(when(within30Days(to_date(col("created_at")), asOf), true)).as(Engagement.TICKETS_30D.name()));
  }

  /**
   * Salesforce tasks as last modified by the as-of time, one row each, with every task column (AccountId renamed
   * crm_account_id) plus person_id (the person of the task's lead or contact) and account_id: the plg360 account of
   * the task's CRM account (AccountId, else WhatId), else the person's. The one rule for a task's person and account,
   * used by the snapshots and the timeline alike.
   */
  public static Dataset<Row> tasksAsOf(Dataset<Row> taskVersions, Timestamp asOfEnd, IdentityAsOf identity) {
    String who = SfTasks.WHO_ID.name();
    Dataset<Row> personOfWho = identity.personOfLead(who, "person_id").unionByName(identity.personOfContact(who, "person_id"));
    return AsOf.latestVersions(taskVersions, lit(asOfEnd))
        .withColumnRenamed(SfContacts.ACCOUNT_ID.name(), "crm_account_id")
        .withColumn("crm_linked", coalesce(col("crm_account_id"), SfTasks.WHAT_ID.col()))
        .join(personOfWho, new String[] {who}, "left")
        .join(identity.accountOfCrmAccount("crm_linked", "crm_account"), new String[] {"crm_linked"}, "left")
        .join(identity.accountOfPerson("person_id", "person_account"), new String[] {"person_id"}, "left")
        .withColumn("account_id", coalesce(col("crm_account"), col("person_account")))
        .drop("crm_linked", "crm_account", "person_account");
  }

  /**
   * Per value of {@code key} (person_id or account_id): sales tasks done in the last 30 days and the latest;
   * tasks dated after the as-of day are planned, not done, and not counted.
   */
  public static Dataset<Row> countSalesTouches(Dataset<Row> tasks, String key, LocalDate asOf) {
    Column date = coalesce(SfTasks.ACTIVITY_DATE.col(), to_date(SfCommon.CREATED_AT.col()));
    Column done = col("activity_date").leq(lit(Date.valueOf(asOf)));
    return tasks.withColumn("activity_date", date).where(col(key).isNotNull().and(done)).groupBy(key).agg(
        count(when(within30Days(col("activity_date"), asOf), true)).as(Engagement.SALES_TASKS_30D.name()),
        max("activity_date").as(Engagement.LAST_SALES_TOUCH_DATE.name()));
  }

}
