package dev.plg360.jobs.c360;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.asof.AsOf;
import dev.plg360.common.identity.AccountRecords;
import dev.plg360.common.identity.IdentityAsOf;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.spark.Kept;
import dev.plg360.common.spark.Picks;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.GoldTables.Account360;
import dev.plg360.common.tables.GoldTables.Activity;
import dev.plg360.common.tables.GoldTables.Billing;
import dev.plg360.common.tables.GoldTables.CustomerTimeline;
import dev.plg360.common.tables.GoldTables.Engagement;
import dev.plg360.common.tables.GoldTables.Signals;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.GoldTables.Workspace360;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.EmailEvents;
import dev.plg360.common.tables.Tables.Firmographics;
import dev.plg360.common.tables.Tables.FormSubmissions;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.common.tables.Tables.SfAccounts;
import dev.plg360.common.tables.Tables.SfContacts;
import dev.plg360.common.tables.Tables.SfLeads;
import dev.plg360.common.tables.Tables.SfOpportunities;
import dev.plg360.common.tables.Tables.SfTasks;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.common.tables.Tables.SupportTickets;
import dev.plg360.common.tables.Tables.Workspaces;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the gold tables for an as-of date: gold.workspace_360, gold.user_360 and gold.account_360 (the as-of
 * date's partition, replaced), gold.signals (new signals added) and gold.customer_timeline (replaced, unless a later
 * date has a snapshot: the timeline is the newest day's, so rebuilding a past day leaves it alone). Reads the daily
 * product rollup and the identity graph as it stood on the date (silver), and marketing, sales, support and
 * billing records up to the end of the date (bronze): a past date rebuilt later gives the rows it gave then.
 */
public final class Build360Job implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(Build360Job.class);

  @Override
  public String name() {
    return "build360";
  }

  @Override
  public void run(JobContext ctx) {
    Build360Settings s = Build360Settings.from(ctx.settings());
    IdentityRules.registerUdfs(ctx.spark());
    Lake lake = ctx.lake();
    LocalDate asOf = ctx.asOf();
    try (Kept kept = new Kept()) {
      IdentityAsOf identity = IdentityAsOf.of(lake.read(IdentityLinks.TABLE), asOf).keptIn(kept);
      Dataset<Row> activity = kept.keep(activity(lake, identity, asOf, s));
      Dataset<Row> workspaces = kept.keep(workspace360(lake, identity, activity, asOf, s));
      Dataset<Row> tasks = kept.keep(EngagementTransforms.tasksAsOf(lake.read(SfTasks.TABLE), AsOf.endOf(asOf), identity));
      // The leads as they stood on the day: people's titles and ids, and accounts' lead owners.
      Dataset<Row> leads = kept.keep(AsOf.latestVersions(lake.read(SfLeads.TABLE), lit(AsOf.endOf(asOf))));
      Dataset<Row> people = kept.keep(user360(lake, identity, activity, tasks, leads, asOf, s));
      Dataset<Row> accounts = account360(lake, identity, activity, workspaces, people, tasks, leads, asOf, s);
      writeSnapshot(ctx, workspaces, Workspace360.TABLE);
      writeSnapshot(ctx, people, User360.TABLE);
      writeSnapshot(ctx, accounts, Account360.TABLE);
      kept.release(tasks);
      kept.release(leads);
      writeSignals(ctx, activity, workspaces, people, s);
      writeTimeline(ctx, identity, activity, AsOf.endOf(asOf));
    }
  }

  /**
   * The daily rollup up to the as-of date, active calls only, with each row's user (stitched from the anonymous id
   * where the call had none), person and account as of the date. Columns: {@link ActivityTransforms#ACTIVITY}.
   *
   * <p>A visitor is stitched only to a user who had made a call by the date: one who signed up later was, that day,
   * still anonymous. (A stitch found by a later resolve otherwise counts, like every link of a history loaded after
   * the fact; without this a snapshot rebuilt after the sign-up would count the visitor as an active user of a day
   * the daily run saw none.)
   */
  public static Dataset<Row> activity(Lake lake, IdentityAsOf identity, LocalDate asOf, Build360Settings s) {
    Dataset<Row> upToTheDay = lake.read(ProductDaily.TABLE)
        .where(ProductDaily.EVENT_DATE.col().leq(lit(Date.valueOf(asOf))));
    Dataset<Row> daily = upToTheDay.where(not(ProductDaily.EVENT_NAME.col().isin(s.passiveEvents().toArray())));
    Dataset<Row> usersByThen = upToTheDay.where(ProductDaily.USER_ID.col().isNotNull())
        .select(ProductDaily.USER_ID.col().as("stitched_user")).distinct();
    Dataset<Row> stitches = identity.userOfAnonymous("anonymous_id", "stitched_user")
        .join(usersByThen, new String[] {"stitched_user"}, "left_semi");
    Dataset<Row> stitched = daily
        .join(stitches, new String[] {"anonymous_id"}, "left")
        .withColumn("user_id", coalesce(col("user_id"), col("stitched_user")));
    return stitched
        .join(identity.personOfUser("user_id", "person_id"), new String[] {"user_id"}, "left")
        .join(identity.accountOfWorkspace("workspace_id", "workspace_account"), new String[] {"workspace_id"}, "left")
        .join(identity.accountOfPerson("person_id", "person_account"), new String[] {"person_id"}, "left")
        .withColumn("account_id", coalesce(col("workspace_account"), col("person_account")))
        .select(ActivityTransforms.ACTIVITY.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
  }

  private static Column[] catalogOrder(TableDef t, LocalDate asOf) {
    List<Column> out = new ArrayList<>();
    for (Col c : t.columns()) {
      out.add(c.equals(Snapshot.AS_OF) ? lit(Date.valueOf(asOf)).as(c.name()) : ActivityTransforms.orDefault(c));
    }
    return out.toArray(Column[]::new);
  }

  /** Workspaces that existed on the date, with their account, plan, caps and activity. */
  static Dataset<Row> workspace360(Lake lake, IdentityAsOf identity, Dataset<Row> activity, LocalDate asOf,
                                   Build360Settings s) {
    Timestamp asOfEnd = AsOf.endOf(asOf);
    Dataset<Row> known = lake.read(Workspaces.TABLE).where(Workspaces.CREATED_AT.col().lt(asOfEnd))
        .select(Workspaces.WORKSPACE_ID.col(), Workspaces.NAME.col(), Workspaces.CREATED_AT.col())
        .join(identity.accountOfWorkspace(Workspace360.WORKSPACE_ID.name(), Workspace360.ACCOUNT_ID.name()),
            new String[] {Workspace360.WORKSPACE_ID.name()}, "left")
        .withColumn(Workspace360.IS_PERSONAL.name(), col(Workspace360.ACCOUNT_ID.name()).startsWith(IdentityRules.PERSONAL_PREFIX));
    Dataset<Row> billed = known
        .join(BillingTransforms.subscriptionsAsOf(lake.read(SubscriptionEvents.TABLE), asOfEnd, s), new String[] {"workspace_id"}, "left")
        .withColumn(Billing.PLAN.name(), coalesce(col(Billing.PLAN.name()), lit(s.defaultPlan())))
        .withColumn(Billing.IS_PAID.name(), coalesce(col(Billing.IS_PAID.name()), lit(false)))
        .join(BillingTransforms.measureMeters(activity, asOf, s), new String[] {"workspace_id"}, "left")
        .withColumn(Billing.USAGE.name(), coalesce(col(Billing.USAGE.name()), ActivityTransforms.emptyMap(org.apache.spark.sql.types.DataTypes.LongType)))
        .withColumn("rate", coalesce(col("rate"), ActivityTransforms.emptyMap(org.apache.spark.sql.types.DataTypes.DoubleType)));
    return BillingTransforms.compareWithCaps(billed, s)
        .join(ActivityTransforms.countActivityPerWindow(activity, "workspace_id", asOf, s), new String[] {"workspace_id"}, "left")
        .withColumn(Billing.SEATS_ACTIVE.name(), coalesce(col(Activity.ACTIVE_USERS_28D.name()), lit(0L)))
        .select(catalogOrder(Workspace360.TABLE, asOf));
  }

  /** People seen by the date, with their account as of it, activity, touches and champions. */
  static Dataset<Row> user360(Lake lake, IdentityAsOf identity, Dataset<Row> activity, Dataset<Row> tasks,
                              Dataset<Row> leads, LocalDate asOf, Build360Settings s) {
    Timestamp asOfEnd = AsOf.endOf(asOf);
    Dataset<Row> seen = lake.read(People.TABLE).where(People.FIRST_SEEN_AT.col().lt(asOfEnd))
        .select(People.PERSON_ID.col(), People.EMAIL.col(), People.NAME.col(), People.FIRST_SEEN_AT.col());
    Dataset<Row> product = activity.where(col("person_id").isNotNull()).groupBy("person_id").agg(
        Picks.sortedSet("user_id").as(User360.USER_IDS.name()),
        Picks.sortedSet("workspace_id").as(User360.WORKSPACE_IDS.name()));
    Dataset<Row> leadRecords = leads.select(col("id").as("lead_id"), col("title"), col("created_at"))
        .join(identity.personOfLead("lead_id", "person_id"), "lead_id");
    Dataset<Row> contactRecords = AsOf.latestVersions(lake.read(SfContacts.TABLE), lit(asOfEnd))
        .select(col("id").as("contact_id"), col("title"), col("created_at"))
        .join(identity.personOfContact("contact_id", "person_id"), "contact_id");
    Dataset<Row> leadIds = leadRecords.groupBy("person_id").agg(Picks.sortedSet("lead_id").as(User360.LEAD_IDS.name()));
    Dataset<Row> contacts = contactRecords.groupBy("person_id")
        .agg(Picks.sortedSet("contact_id").as(User360.CONTACT_IDS.name()));
    // The title the CRM records of the day gave (silver.people holds today's: a later lead's would leak into the past),
    // picked as resolve picks it: the newest record's that has one.
    Dataset<Row> titles = leadRecords.select("person_id", "title", "created_at")
        .unionByName(contactRecords.select("person_id", "title", "created_at"))
        .groupBy("person_id").agg(Picks.latest(col("title"), when(col("title").isNotNull(), col("created_at")))
            .as(User360.TITLE.name()));
    Dataset<Row> joined = seen
        .join(titles, new String[] {"person_id"}, "left")
        .join(identity.accountOfPersonWithRule("person_id", User360.ACCOUNT_ID.name(), User360.ACCOUNT_RULE.name()),
            new String[] {"person_id"}, "left")
        .join(product, new String[] {"person_id"}, "left")
        .join(leadIds, new String[] {"person_id"}, "left")
        .join(contacts, new String[] {"person_id"}, "left")
        .join(ActivityTransforms.countActivityPerWindow(activity, "person_id", asOf, s), new String[] {"person_id"}, "left")
        .join(EngagementTransforms.countMarketingTouches(lake.read(EmailEvents.TABLE), lake.read(FormSubmissions.TABLE),
            asOfEnd, asOf), new String[] {"person_id"}, "left")
        .join(EngagementTransforms.countTickets(lake.read(SupportTickets.TABLE), asOfEnd, asOf), new String[] {"person_id"}, "left")
        .join(EngagementTransforms.countSalesTouches(tasks, "person_id", asOf),
            new String[] {"person_id"}, "left");
    List<Col> beforeChampion = new ArrayList<>(User360.TABLE.columns());
    beforeChampion.remove(User360.IS_CHAMPION);
    beforeChampion.remove(Snapshot.AS_OF);
    Dataset<Row> measured = joined.select(beforeChampion.stream().map(ActivityTransforms::orDefault).toArray(Column[]::new));
    return ActivityTransforms.markChampions(measured, s.champion()).select(catalogOrder(User360.TABLE, asOf));
  }

  /** Accounts with a workspace, a person or a CRM account by the date: firmographics, rollups, touches, pipeline. */
  static Dataset<Row> account360(Lake lake, IdentityAsOf identity, Dataset<Row> activity, Dataset<Row> workspaces,
                                 Dataset<Row> people, Dataset<Row> tasks, Dataset<Row> leads, LocalDate asOf,
                                 Build360Settings s) {
    Timestamp asOfEnd = AsOf.endOf(asOf);
    String id = Account360.ACCOUNT_ID.name();
    Dataset<Row> crm = AccountRecords.crmAccounts(lake.read(SfAccounts.TABLE), asOfEnd);
    Dataset<Row> firmo = AccountRecords.firmographics(lake.read(Firmographics.TABLE), asOfEnd);
    Dataset<Row> ids = workspaces.select(col(Workspace360.ACCOUNT_ID.name()).as(id))
        .union(people.select(col(User360.ACCOUNT_ID.name()).as(id)))
        .union(crm.select(col("account_id").as(id)))
        .where(col(id).isNotNull()).distinct();

    Column rank = BillingTransforms.planRank(col(Billing.PLAN.name()), s);
    Dataset<Row> rolled = workspaces.groupBy(col(Workspace360.ACCOUNT_ID.name()).as(id)).agg(
        count(lit(1)).as(Account360.WORKSPACES.name()),
        Picks.sortedSet(Workspace360.WORKSPACE_ID.name()).as(Account360.WORKSPACE_IDS.name()),
        Picks.earliest(col(Workspace360.NAME.name()), col(Workspace360.CREATED_AT.name())).as("workspace_name"),
        Picks.latest(struct(col(Billing.PLAN.name()), col(Billing.BILLING_STATUS.name())),
            struct(rank, col(Workspace360.CREATED_AT.name()))).as("top_plan"),
        count(when(col(Billing.IS_PAID.name()), true)).as(Account360.PAID_WORKSPACES.name()),
        sum(Billing.SEATS_BOUGHT.name()).as(Billing.SEATS_BOUGHT.name()),
        sum(Billing.MRR.name()).as(Billing.MRR.name()),
        Picks.latest(struct(col(Workspace360.WORKSPACE_ID.name()).as("ws"), col(Billing.NEAREST_CAP.name()).as("meter"),
                col(Billing.NEAREST_CAP_USAGE.name()).as("usage"), col(Billing.NEAREST_CAP_DAYS.name()).as("days")),
            col(Billing.NEAREST_CAP_USAGE.name())).as("cap"))
        .withColumn(Billing.PLAN.name(), col("top_plan.plan"))
        .withColumn(Billing.BILLING_STATUS.name(), col("top_plan.billing_status"))
        .withColumn(Account360.NEAREST_CAP_WORKSPACE_ID.name(), col("cap.ws"))
        .withColumn(Billing.NEAREST_CAP.name(), col("cap.meter"))
        .withColumn(Billing.NEAREST_CAP_USAGE.name(), col("cap.usage"))
        .withColumn(Billing.NEAREST_CAP_DAYS.name(), col("cap.days"))
        .drop("top_plan", "cap");
    Dataset<Row> members = people.where(col(User360.ACCOUNT_ID.name()).isNotNull())
        .groupBy(col(User360.ACCOUNT_ID.name()).as(id)).agg(
            count(lit(1)).as(Account360.PEOPLE.name()),
            count(when(size(col(User360.USER_IDS.name())).gt(0), true)).as(Account360.USERS.name()),
            sum(Engagement.EMAILS_SENT_30D.name()).as(Engagement.EMAILS_SENT_30D.name()),
            sum(Engagement.EMAILS_OPENED_30D.name()).as(Engagement.EMAILS_OPENED_30D.name()),
            sum(Engagement.EMAILS_CLICKED_30D.name()).as(Engagement.EMAILS_CLICKED_30D.name()),
            sum(Engagement.FORMS_SUBMITTED_30D.name()).as(Engagement.FORMS_SUBMITTED_30D.name()),
            max(Engagement.LAST_MARKETING_TOUCH_AT.name()).as(Engagement.LAST_MARKETING_TOUCH_AT.name()),
            sum(Engagement.TICKETS_OPEN.name()).as(Engagement.TICKETS_OPEN.name()),
            sum(Engagement.TICKETS_30D.name()).as(Engagement.TICKETS_30D.name()));
    Dataset<Row> opportunities = AccountRecords.dedupeOpportunitiesByDomain(
            AsOf.latestVersions(lake.read(SfOpportunities.TABLE), lit(asOfEnd)),
            identity.accountOfCrmAccount("crm_account_id", "account_id"))
        .where(not(coalesce(col("is_closed"), lit(false))).and(col("duplicate_of").isNull()).and(col("account_id").isNotNull()))
        .groupBy(col("account_id").as(id)).agg(count(lit(1)).as(Account360.OPEN_OPPORTUNITIES.name()),
            sum("amount").as(Account360.OPEN_PIPELINE_AMOUNT.name()));
    Dataset<Row> leadOwners = leads.select(col("id").as("lead_id"), col("owner_id"), col("last_modified_at"))
        .join(identity.personOfLead("lead_id", "person_id"), "lead_id")
        .join(identity.accountOfPerson("person_id", id), "person_id")
        .groupBy(id).agg(Picks.latest(col("owner_id"), col("last_modified_at")).as("lead_owner_id"));
    Column personal = col(id).startsWith(IdentityRules.PERSONAL_PREFIX);
    return ids
        .join(crm.withColumnRenamed("account_id", id), new String[] {id}, "left")
        .join(firmo.withColumnRenamed("account_id", id), new String[] {id}, "left")
        .join(rolled, new String[] {id}, "left")
        .join(members, new String[] {id}, "left")
        .join(ActivityTransforms.countActivityPerWindow(activity, "account_id", asOf, s).withColumnRenamed("account_id", id),
            new String[] {id}, "left")
        .join(EngagementTransforms.countSalesTouches(tasks, "account_id", asOf)
            .withColumnRenamed("account_id", id), new String[] {id}, "left")
        .join(opportunities, new String[] {id}, "left")
        .join(leadOwners, new String[] {id}, "left")
        .withColumn(Account360.NAME.name(), coalesce(col("cb_name"), col("crm_name"), col("workspace_name")))
        .withColumn(Account360.DOMAIN.name(), when(personal, lit(null).cast("string")).otherwise(col(id)))
        .withColumn(Account360.IS_PERSONAL.name(), personal)
        .withColumn(Account360.INDUSTRY.name(), coalesce(col("cb_industry"), col("crm_industry")))
        .withColumn(Account360.EMPLOYEES.name(), coalesce(col("cb_employees"), col("crm_employees")))
        .withColumn(Account360.COUNTRY.name(), coalesce(col("cb_country"), col("crm_country")))
        .withColumn(Billing.SEATS_ACTIVE.name(), col(Activity.ACTIVE_USERS_28D.name()))
        .withColumn(Billing.MRR.name(), coalesce(col(Billing.MRR.name()), lit(0.0)))
        .withColumn(Account360.OPEN_PIPELINE_AMOUNT.name(), coalesce(col(Account360.OPEN_PIPELINE_AMOUNT.name()), lit(0.0)))
        .withColumn(Account360.CRM_OWNER_ID.name(), coalesce(col("crm_owner_id"), col("lead_owner_id")))
        .select(catalogOrder(Account360.TABLE, asOf));
  }

  private static void writeSnapshot(JobContext ctx, Dataset<Row> rows, TableDef table) {
    ctx.metrics().wrote(ctx.lake().replaceWhere(rows, table,
        Snapshot.AS_OF.name() + " = DATE'" + ctx.asOf() + "'"));
  }

  /**
   * Rewrites the timeline with every touch up to the end of the as-of date, attributed by the identity of that
   * date: the drill-down always agrees with the snapshot of the day it was built.
   */
  private static void writeTimeline(JobContext ctx, IdentityAsOf identity, Dataset<Row> activity, Timestamp asOfEnd) {
    Lake lake = ctx.lake();
    Row newest = lake.read(Account360.TABLE).agg(max(Snapshot.AS_OF.col())).first();
    if (!newest.isNullAt(0) && newest.getDate(0).toLocalDate().isAfter(ctx.asOf())) {
      // A LocalDate: log4j formats a java.sql.Date argument through toInstant(), which it does not have.
      LOG.info("build360: {} kept: it is the newest snapshot's ({}), and this one is of {}", CustomerTimeline.TABLE,
          newest.getDate(0).toLocalDate(), ctx.asOf());
      return;
    }
    TimelineTransforms.Inputs in = new TimelineTransforms.Inputs(
        activity.select(TimelineTransforms.ACTIVITY_COLUMNS.stream().map(Col::col).toArray(Column[]::new)),
        lake.read(EmailEvents.TABLE), lake.read(FormSubmissions.TABLE), lake.read(SfTasks.TABLE),
        lake.read(SfOpportunities.TABLE), lake.read(SupportTickets.TABLE), lake.read(SubscriptionEvents.TABLE));
    ctx.metrics().wrote(lake.overwrite(TimelineTransforms.buildTimeline(in, identity, asOfEnd), CustomerTimeline.TABLE));
  }

  /**
   * Finds the signals of the last lookback days (all history on the first run) and adds the new ones; a signal
   * found before keeps the run and time that first found it.
   */
  private static void writeSignals(JobContext ctx, Dataset<Row> activity, Dataset<Row> workspaces, Dataset<Row> people,
                                   Build360Settings s) {
    LocalDate asOf = ctx.asOf();
    boolean first = ctx.lake().read(Signals.TABLE).isEmpty();
    LocalDate from = asOf.minusDays(s.signals().lookbackDays() - 1L);
    if (first) {
      Row earliest = activity.agg(org.apache.spark.sql.functions.min("event_date")).first();
      from = earliest.isNullAt(0) ? asOf : earliest.getDate(0).toLocalDate();
    }
    LOG.info("build360: looking for signals from {} to {}", from, asOf);
    Dataset<Row> found = SignalTransforms.findInviteSpikes(activity, s.inviteEvent(), from, asOf, s.signals())
        .unionByName(SignalTransforms.findActivitySurges(activity, from, asOf, s.signals()))
        .unionByName(SignalTransforms.findCapsApproaching(workspaces, asOf, s.signals()))
        .unionByName(SignalTransforms.findMilestonesReached(activity, s.milestones(), s.signals().milestones(), from, asOf))
        .unionByName(SignalTransforms.findNewWorkspaces(workspaces.select(col(Workspace360.WORKSPACE_ID.name()).as("workspace_id"),
            col(Workspace360.ACCOUNT_ID.name()).as("account_id"), col(Workspace360.CREATED_AT.name()).as("created_at")), from, asOf))
        .unionByName(SignalTransforms.findChampions(people, asOf))
        .withColumn(Signals.DETECTED_AT.name(), lit(Timestamp.from(ctx.startedAt())))
        .withColumn(Signals.RUN_ID.name(), lit(ctx.runId()));
    ctx.metrics().wrote(ctx.lake().insertNew(found, Signals.TABLE, Optional.empty()));
  }
}
