package dev.plg360.jobs.generate;

import dev.plg360.jobs.generate.GenerateSettings.Shapes;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.List;

/**
 * One kind of landing file the generator writes: the ingest source that reads it (by its name under
 * {@code plg360.ingest.sources}), its folder, file name prefix, format and how often a new file starts.
 * File names: {@code <folder>/<period start>/<prefix>-p<partition>.<ext>}; Clearbit is one snapshot per partition.
 * In realistic shapes a Salesforce file is a snapshot export of one day (see {@link #isSnapshot}).
 */
enum Feed {
  SEGMENT("segment", "segment", "events", Period.DAY, null),
  STRIPE("stripe", "stripe", "subscriptions", Period.WEEK, null),
  /**
   * Realistic shapes only: each change of a subscription as a Subscription object with its update time, as an
   * incremental export (Airbyte, Fivetran) keeps them, beside the Event objects. No shipped source reads it: a user
   * whose pipeline gives these lands them instead of the events (conf/stripe-subscription-objects.conf).
   */
  STRIPE_SUBSCRIPTION("stripe-subscription", "stripe-subscriptions", "subscriptions", Period.WEEK, null),
  HUBSPOT_EMAIL("hubspot-email", "hubspot", "email_events", Period.WEEK, null),
  HUBSPOT_FORM("hubspot-form", "hubspot", "form_submissions", Period.WEEK, null),
  ZENDESK("zendesk", "zendesk", "tickets", Period.WEEK, null),
  CLEARBIT("clearbit", "clearbit", "companies", Period.ONCE, null),
  SF_ACCOUNT("salesforce-account", "salesforce", "Account", Period.WEEK, Salesforce.ACCOUNT),
  SF_CONTACT("salesforce-contact", "salesforce", "Contact", Period.WEEK, Salesforce.CONTACT),
  SF_LEAD("salesforce-lead", "salesforce", "Lead", Period.WEEK, Salesforce.LEAD),
  SF_OPPORTUNITY("salesforce-opportunity", "salesforce", "Opportunity", Period.WEEK, Salesforce.OPPORTUNITY),
  SF_TASK("salesforce-task", "salesforce", "Task", Period.WEEK, Salesforce.TASK);

  enum Period { DAY, WEEK, ONCE }

  private final String source;
  private final String folder;
  private final String prefix;
  private final Period period;
  private final List<String> columns;

  Feed(String source, String folder, String prefix, Period period, List<String> columns) {
    this.source = source;
    this.folder = folder;
    this.prefix = prefix;
    this.period = period;
    this.columns = columns;
  }

  /** The ingest source name (plg360.ingest.sources.<name>). */
  String source() {
    return source;
  }

  /** The feed holding the same records in another shape, which a source may read instead of this one, or null. */
  Feed alternative() {
    return this == STRIPE ? STRIPE_SUBSCRIPTION : this == STRIPE_SUBSCRIPTION ? STRIPE : null;
  }

  String folder() {
    return folder;
  }

  boolean isCsv() {
    return columns != null;
  }

  List<String> columns() {
    return columns;
  }

  /**
   * Whether each file is a snapshot of current values, as a Salesforce report or Data Loader extract is: no
   * LastModifiedDate or IsDeleted column, one row per record, the file's time its version.
   */
  boolean isSnapshot(Shapes shapes) {
    return isCsv() && shapes == Shapes.REALISTIC;
  }

  /** The columns a file of this feed has in the given shapes. */
  List<String> columns(Shapes shapes) {
    return isSnapshot(shapes) ? Salesforce.snapshotColumns(columns) : columns;
  }

  String fileName(int partition) {
    return prefix + "-p" + String.format("%03d", partition) + (isCsv() ? ".csv" : ".jsonl");
  }

  /** The file a record of this day goes to, relative to the landing folder. */
  String file(LocalDate day, int partition, Shapes shapes) {
    return switch (isSnapshot(shapes) ? Period.DAY : period) {
      case DAY -> folder + "/" + day + "/" + fileName(partition);
      case WEEK -> folder + "/" + day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) + "/" + fileName(partition);
      case ONCE -> folder + "/" + fileName(partition);
    };
  }
}
