package dev.plg360.jobs.resolve;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.bool_or;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.asof.AsOf;
import dev.plg360.common.config.Settings;
import dev.plg360.common.identity.AccountRecords;
import dev.plg360.common.identity.EmailRules;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.io.Lake;
import dev.plg360.common.quality.Reason;
import dev.plg360.common.run.Job;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.spark.Kept;
import dev.plg360.common.spark.Picks;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.Accounts;
import dev.plg360.common.tables.Tables.EmailEvents;
import dev.plg360.common.tables.Tables.Firmographics;
import dev.plg360.common.tables.Tables.FormSubmissions;
import dev.plg360.common.tables.Tables.IdentityDaily;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.IngestedFiles;
import dev.plg360.common.tables.Tables.Lineage;
import dev.plg360.common.tables.Tables.Opportunities;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.common.tables.Tables.ProductEvents;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.common.tables.Tables.SfAccounts;
import dev.plg360.common.tables.Tables.SfCommon;
import dev.plg360.common.tables.Tables.SfContacts;
import dev.plg360.common.tables.Tables.SfLeads;
import dev.plg360.common.tables.Tables.SfOpportunities;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.common.tables.Tables.SupportTickets;
import dev.plg360.common.tables.Tables.Workspaces;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.expressions.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Resolves identities as of the as-of date: bronze -> silver.people, silver.workspaces, silver.accounts,
 * silver.identity_links (versioned by as-of date: a changed link is closed and a new one opened),
 * silver.opportunities (duplicates by account domain marked), and keeps the daily product rollup
 * silver.product_daily and the day-by-day identity facts silver.identity_daily current for the days new events
 * touched: product events are read only for those days, and identities merged from the facts of every day. Events for
 * workspaces nothing else names are quarantined (UNKNOWN_WORKSPACE). Only data up to the end of the as-of date is read.
 */
public final class ResolveJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(ResolveJob.class);

  @Override
  public String name() {
    return "resolve";
  }

  @Override
  public void run(JobContext ctx) {
    Lake lake = ctx.lake();
    IdentityRules.registerUdfs(ctx.spark());
    Timestamp asOfEnd = AsOf.endOf(ctx.asOf());
    Timestamp runAt = Timestamp.from(ctx.startedAt());
    // Mail providers the free-mail lists miss but a firmographics record names: their users are people, not staff.
    Set<String> providers = AccountRecords.emailProviders(lake.read(Firmographics.TABLE), asOfEnd);

    // Only the days not yet summed up (all of them on a first run, one on a daily run, the days of a late file) are
    // read, without what resolve never uses: the client's context (ip, user agent, page: the widest column) and sentAt.
    Dataset<Row> upToTheDay = lake.read(ProductEvents.TABLE).where(ProductEvents.EVENT_TS.col().lt(asOfEnd));
    try (Kept kept = new Kept()) {
      Dataset<Row> stamps = kept.keep(upToTheDay.groupBy(ProductEvents.EVENT_DATE.col())
          .agg(max(Lineage.INGESTED_AT.col()).as("ingested")));
      List<Object> factDays = staleDays(lake, stamps, IdentityDaily.TABLE);
      List<Object> rollupDays = staleDays(lake, stamps, ProductDaily.TABLE);
      kept.release(stamps);
      List<Object> days = Stream.concat(factDays.stream(), rollupDays.stream()).distinct().toList();
      Dataset<Row> events = kept.keep(onDays(upToTheDay, days).drop(ProductEvents.CONTEXT.name(), ProductEvents.SENT_AT.name()));
      if (!factDays.isEmpty()) {
        ctx.metrics().wrote(lake.replaceWhere(ResolveTransforms.identityFacts(onDays(events, factDays), invitations(ctx.settings())), IdentityDaily.TABLE,
            inDays(IdentityDaily.EVENT_DATE, factDays)));
        LOG.info("resolve: summed up the identity facts of {} days of product events", factDays.size());
      }
      // Every day's facts up to the date: what identity resolution would have found in every event.
      Dataset<Row> facts = kept.keep(lake.read(IdentityDaily.TABLE)
          .where(IdentityDaily.EVENT_DATE.col().leq(lit(Date.valueOf(ctx.asOf())))));
      Dataset<Row> known = kept.keep(ResolveTransforms.knownWorkspaces(facts,
          lake.read(SubscriptionEvents.TABLE).where(SubscriptionEvents.EVENT_TS.col().lt(asOfEnd))));
      Dataset<Row> newDays = onDays(events, rollupDays);
      // The CRM records as they were last modified by the as-of time: quarantine, workspaces and people read them.
      Dataset<Row> crmAccounts = AsOf.latestVersions(lake.read(SfAccounts.TABLE), lit(asOfEnd));
      Dataset<Row> leads = AsOf.latestVersions(lake.read(SfLeads.TABLE), lit(asOfEnd));
      Dataset<Row> contacts = AsOf.latestVersions(lake.read(SfContacts.TABLE), lit(asOfEnd));
      quarantine(ctx, lake, asOfEnd, newDays, known, crmAccounts);
      Dataset<Row> stitch = ResolveTransforms.stitchAnonymous(facts);
      Dataset<Row> members = kept.keep(ResolveTransforms.members(facts)
          .join(known.select(ProductEvents.WORKSPACE_ID.name()), new String[] {ProductEvents.WORKSPACE_ID.name()}, "left_semi"));
      Dataset<Row> profiles = kept.keep(IdentityRules.classifyEmail(ResolveTransforms.userProfiles(facts), "email",
          providers));

      // What tells the company of a gmail founder: their CRM record, the work address they wrote to support or a
      // form from, the colleague who invited them, the colleagues they invited; else the workspace's name.
      Dataset<Row> sent = sentFrom(lake, asOfEnd);
      Map<ResolveTransforms.Evidence, Dataset<Row>> evidence = new EnumMap<>(ResolveTransforms.Evidence.class);
      evidence.put(ResolveTransforms.Evidence.CRM_RECORD, profiles.join(
          ResolveTransforms.crmDomainsByEmail(contacts, leads, crmAccounts), "email_norm").select("user_id", "crm_domain"));
      evidence.put(ResolveTransforms.Evidence.WORK_ADDRESS, ResolveTransforms.workDomainsByName(
          profiles.select("user_id", "name", "business"), sent.select("email", "name"), providers));
      evidence.put(ResolveTransforms.Evidence.INVITED_BY,
          ResolveTransforms.invitedBy(facts, profiles.select("user_id", "email_norm", "domain", "business")));
      evidence.put(ResolveTransforms.Evidence.INVITED_COLLEAGUES,
          ResolveTransforms.invitedColleagues(facts, profiles.select("user_id", "business"), providers));
      Dataset<Row> crm = kept.keep(AccountRecords.crmAccounts(lake.read(SfAccounts.TABLE), asOfEnd));
      Dataset<Row> firmographics = kept.keep(AccountRecords.firmographics(lake.read(Firmographics.TABLE), asOfEnd));
      Dataset<Row> companyNames = ResolveTransforms.companyNames(
          firmographics.select(col("account_id"), col("cb_name").as("name"))
              .unionByName(crm.select(col("account_id"), col("crm_name").as("name"))));
      Dataset<Row> workspaces = kept.keep(ResolveTransforms.assignWorkspaces(known, members,
          profiles.select("user_id", "domain", "business"), ResolveTransforms.strongestEvidence(evidence),
          ResolveTransforms.namedAfter(known, companyNames)));
      ctx.metrics().wrote(lake.overwrite(workspaces.select(
          col("workspace_id").as(Workspaces.WORKSPACE_ID.name()), col("name").as(Workspaces.NAME.name()),
          col("account_id").as(Workspaces.ACCOUNT_ID.name()), col("is_personal").as(Workspaces.IS_PERSONAL.name()),
          col("rule").as(Workspaces.RULE.name()), col("evidence").as(Workspaces.EVIDENCE.name()),
          col("members").as(Workspaces.MEMBERS.name()), col("business_members").as(Workspaces.BUSINESS_MEMBERS.name()),
          col("created_at").as(Workspaces.CREATED_AT.name())), Workspaces.TABLE));

      Dataset<Row> people = kept.keep(people(lake, asOfEnd, leads, contacts, sent, profiles, members, stitch, workspaces,
          providers));
      ctx.metrics().wrote(lake.overwrite(people.select(People.TABLE.columns().stream().map(c -> c.col()).toArray(Column[]::new)),
          People.TABLE));
      Dataset<Row> accounts = kept.keep(accounts(crm, firmographics, workspaces, people));
      ctx.metrics().wrote(lake.overwrite(accounts, Accounts.TABLE));
      Dataset<Row> crmToAccount = accounts.select(explode(Accounts.CRM_ACCOUNT_IDS.col()).as("crm_account_id"),
          Accounts.ACCOUNT_ID.col().as("account_id"));
      ctx.metrics().wrote(lake.overwrite(AccountRecords.dedupeOpportunitiesByDomain(
          AsOf.latestVersions(lake.read(SfOpportunities.TABLE), lit(asOfEnd)), crmToAccount), Opportunities.TABLE));
      writeLinks(ctx, lake, runAt, stitch, people, workspaces, accounts);
      rollUpDays(ctx, lake, newDays, rollupDays, known);
      LOG.info("resolve: {} people, {} workspaces, {} accounts", people.count(), workspaces.count(), accounts.count());
    }
  }

  /**
   * The days of product events up to the as-of date that were ingested after the table last summed them up, or that
   * it never did: a daily run finds the new day, a late file its own days, a first run every day. {@code stamps}:
   * event_date, ingested (the latest ingest time of the day's events); {@code t}: a table of days with
   * silver.product_daily's event_date and source_ingested_at (product_daily, identity_daily).
   */
  private static List<Object> staleDays(Lake lake, Dataset<Row> stamps, TableDef t) {
    String day = ProductDaily.EVENT_DATE.name();
    Dataset<Row> summed = lake.read(t).groupBy(ProductDaily.EVENT_DATE.col())
        .agg(max(ProductDaily.SOURCE_INGESTED_AT.col()).as("summed"));
    return stamps.join(summed, new String[] {day}, "left")
        .where(col("summed").isNull().or(col("ingested").gt(col("summed"))))
        .select(day).collectAsList().stream().map(r -> r.get(0)).toList();
  }

  /** How invitations show in the product's events ({@code plg360.resolve.invitations}). */
  public static ResolveTransforms.Invitations invitations(Settings settings) {
    return new ResolveTransforms.Invitations(settings.string("plg360.resolve.invitations.event"),
        settings.string("plg360.resolve.invitations.email-property"));
  }

  private static Dataset<Row> onDays(Dataset<Row> events, List<Object> days) {
    return events.where(ProductEvents.EVENT_DATE.col().isin(days.toArray()));
  }

  /** The SQL condition of Delta's replaceWhere for these days. */
  private static String inDays(Col date, List<Object> days) {
    return date.name() + " IN (" + days.stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", ")) + ")";
  }

  private static Column emptyList() {
    return array().cast("array<string>");
  }

  /**
   * Records ingest accepted that resolve cannot use, quarantined with a reason in one write (they stay in bronze):
   * events naming a workspace no group call or subscription names (of the days being rolled up), emails that are not
   * an address (no person is made of them), CRM accounts whose Website names no domain (matched to no company).
   */
  private static void quarantine(JobContext ctx, Lake lake, Timestamp asOfEnd, Dataset<Row> events, Dataset<Row> known,
                                 Dataset<Row> crmAccounts) {
    Dataset<Row> unknown = events.where(ProductEvents.WORKSPACE_ID.col().isNotNull())
        .join(known, events.col(ProductEvents.WORKSPACE_ID.name()).equalTo(known.col("workspace_id")), "left_anti");
    List<Dataset<Row>> parts = new java.util.ArrayList<>();
    parts.add(rejected(unknown, Reason.UNKNOWN_WORKSPACE,
        concat(lit("workspace "), ProductEvents.WORKSPACE_ID.col(), lit(" is named by no group call or subscription")),
        ProductEvents.MESSAGE_ID.col(), ProductEvents.EVENT_TYPE.col(), ProductEvents.EVENT_NAME.col(),
        ProductEvents.USER_ID.col(), ProductEvents.WORKSPACE_ID.col(), ProductEvents.EVENT_TS.col()));
    Map<TableDef, Col[]> emails = new java.util.LinkedHashMap<>();
    emails.put(SfLeads.TABLE, new Col[] {SfContacts.EMAIL, SfCommon.CREATED_AT});
    emails.put(SfContacts.TABLE, new Col[] {SfContacts.EMAIL, SfCommon.CREATED_AT});
    emails.put(EmailEvents.TABLE, new Col[] {EmailEvents.RECIPIENT, EmailEvents.EVENT_TS});
    emails.put(FormSubmissions.TABLE, new Col[] {FormSubmissions.EMAIL, FormSubmissions.SUBMITTED_AT});
    emails.put(SupportTickets.TABLE, new Col[] {SupportTickets.REQUESTER_EMAIL, SupportTickets.CREATED_AT});
    emails.forEach((t, c) -> {
      Column email = c[0].col();
      parts.add(rejected(lake.read(t).where(c[1].col().lt(asOfEnd).and(email.isNotNull())
              .and(functions.not(EmailRules.isValid(email)))), Reason.INVALID_EMAIL,
          concat(lit(c[0].name() + " '"), email, lit("' is not an address (local@host.tld): no person is made of it")),
          email));
    });
    Column website = SfAccounts.WEBSITE.col();
    parts.add(rejected(crmAccounts.where(IdentityRules.websiteDomain(website).isNull()), Reason.NO_DOMAIN,
        concat(lit("Website '"), coalesce(website, lit("")), lit("' names no registrable domain: the account is matched "
            + "to no company")), SfCommon.ID.col(), SfAccounts.NAME.col(), website));
    try (Kept kept = new Kept()) {
      // The source that ingested a record's file names it, as configured when it was ingested.
      Dataset<Row> sources = lake.read(IngestedFiles.TABLE).select(IngestedFiles.PATH.col().as(Quarantine.SOURCE_FILE.name()),
          IngestedFiles.SOURCE.col().as(Quarantine.SOURCE.name())).distinct();
      Dataset<Row> rows = kept.keep(parts.stream().reduce(Dataset::unionByName).orElseThrow()
          .join(functions.broadcast(sources), Quarantine.SOURCE_FILE.name())
          .withColumn(Quarantine.RUN_ID.name(), lit(ctx.runId()))
          .withColumn(Quarantine.QUARANTINED_AT.name(), lit(Timestamp.from(ctx.startedAt()))));
      Map<String, Long> perReason = new java.util.TreeMap<>();
      for (Row r : rows.groupBy(Quarantine.REASON.col()).count().collectAsList()) {
        perReason.put(r.getString(0), r.getLong(1));
      }
      if (!perReason.isEmpty()) {
        ctx.metrics().wrote(lake.insertNew(rows, Quarantine.TABLE, Optional.empty()));
        perReason.forEach(ctx.metrics()::rejected);
      }
    }
  }

  /** Bronze rows as quarantine rows of one reason, but their source; {@code raw}: the fields shown as the record. */
  private static Dataset<Row> rejected(Dataset<Row> bronze, Reason reason, Column detail, Column... raw) {
    return bronze.select(
        Lineage.SOURCE_FILE.col().as(Quarantine.SOURCE_FILE.name()),
        lit(null).cast(Quarantine.FILE_CHECKSUM.type()).as(Quarantine.FILE_CHECKSUM.name()),
        Lineage.SOURCE_LINE.col().as(Quarantine.LINE.name()),
        lit(reason.name()).as(Quarantine.REASON.name()),
        detail.as(Quarantine.DETAIL.name()),
        to_json(struct(raw)).as(Quarantine.RAW.name()));
  }

  /** Everyone seen anywhere, one row per normalised email (or per product user with none), with their account. */
  /**
   * Who sent each support ticket and form submission up to the as-of time (email, name, source, seen_at): people of
   * their own, and the work address of a free-mail user.
   */
  private static Dataset<Row> sentFrom(Lake lake, Timestamp asOfEnd) {
    return lake.read(SupportTickets.TABLE).where(SupportTickets.CREATED_AT.col().lt(asOfEnd))
        .select(SupportTickets.REQUESTER_EMAIL.col().as("email"), SupportTickets.REQUESTER_NAME.col().as("name"),
            lit("support").as("source"), SupportTickets.CREATED_AT.col().as("seen_at"))
        .unionByName(lake.read(FormSubmissions.TABLE).where(FormSubmissions.SUBMITTED_AT.col().lt(asOfEnd))
            .select(FormSubmissions.EMAIL.col().as("email"),
                concat_ws(" ", FormSubmissions.FIRST_NAME.col(), FormSubmissions.LAST_NAME.col()).as("name"),
                lit("form").as("source"), FormSubmissions.SUBMITTED_AT.col().as("seen_at")));
  }

  private static Dataset<Row> people(Lake lake, Timestamp asOfEnd, Dataset<Row> leads, Dataset<Row> contacts,
                                     Dataset<Row> sent, Dataset<Row> profiles, Dataset<Row> members,
                                     Dataset<Row> stitch, Dataset<Row> workspaces, Set<String> providers) {
    Column none = lit(null).cast("string");
    Column leadName = concat_ws(" ", SfContacts.FIRST_NAME.col(), SfContacts.LAST_NAME.col());
    List<Dataset<Row>> branches = List.of(profiles.select(col("email"), col("name"), none.as("title"), lit("product").as("source"),
            col("user_id"), none.as("lead_id"), none.as("contact_id"), col("first_seen_at").as("seen_at")),
        leads.select(SfContacts.EMAIL.col().as("email"), leadName.as("name"), SfContacts.TITLE.col().as("title"),
            lit("lead").as("source"), none.as("user_id"), col("id").as("lead_id"), none.as("contact_id"),
            col("created_at").as("seen_at")),
        contacts.select(SfContacts.EMAIL.col().as("email"), leadName.as("name"), SfContacts.TITLE.col().as("title"),
            lit("contact").as("source"), none.as("user_id"), none.as("lead_id"), col("id").as("contact_id"),
            col("created_at").as("seen_at")),
        lake.read(EmailEvents.TABLE).where(EmailEvents.EVENT_TS.col().lt(asOfEnd))
            .groupBy(EmailEvents.RECIPIENT.col().as("email")).agg(min(EmailEvents.EVENT_TS.col()).as("seen_at"))
            .select(col("email"), none.as("name"), none.as("title"), lit("email").as("source"), none.as("user_id"),
                none.as("lead_id"), none.as("contact_id"), col("seen_at")),
        sent.select(col("email"), col("name"), none.as("title"), col("source"), none.as("user_id"), none.as("lead_id"),
            none.as("contact_id"), col("seen_at")),
        // Product users with no email still count as people, keyed by their user id.
        members.groupBy("user_id").agg(min("joined_at").as("seen_at"))
            .join(profiles.where(col("email_norm").isNotNull()).select("user_id"), new String[] {"user_id"}, "left_anti")
            .select(none.as("email"), none.as("name"), none.as("title"), lit("product").as("source"), col("user_id"),
                none.as("lead_id"), none.as("contact_id"), col("seen_at")));
    // A product user whose email is missing or not an address is still a person, keyed by their user id; a CRM,
    // marketing or support record with such an email makes none (quarantined as INVALID_EMAIL).
    Column personKey = coalesce(col("email_norm"),
        when(col("user_id").isNotNull(), concat(lit(ResolveTransforms.USER_PREFIX), col("user_id"))));
    Dataset<Row> classified = branches.stream()
        .map(b -> IdentityRules.classifyEmail(b, "email", providers).withColumn("person_key", personKey)
            .withColumn("email", when(col("email_norm").isNotNull(), col("email"))))
        .reduce(Dataset::unionByName).orElseThrow()
        .where(col("person_key").isNotNull());
    Dataset<Row> all = classified.groupBy(col("person_key").as("person_id")).agg(
        Picks.earliest(col("email"), col("seen_at")).as("email"),
        max(col("domain")).as("domain"),
        max(col("free_mail")).as("free_mail"),
        max(col("disposable")).as("disposable"),
        coalesce(max(col("business")), lit(false)).as("business"),
        Picks.latest(col("name"), when(col("name").isNotNull().and(col("name").notEqual("")), col("seen_at"))).as("name"),
        Picks.latest(col("title"), when(col("title").isNotNull(), col("seen_at"))).as("title"),
        Picks.sortedSet("user_id").as("user_ids"),
        Picks.sortedSet("lead_id").as("lead_ids"),
        Picks.sortedSet("contact_id").as("contact_ids"),
        Picks.sortedSet("source").as("sources"),
        min(col("seen_at")).as("first_seen_at"));
    // Main workspace of a person: the most active one over all their user ids.
    Dataset<Row> personWorkspace = all.select(col("person_id"), explode(col("user_ids")).as("user_id"))
        .join(members, "user_id")
        .groupBy("person_id", "workspace_id").agg(sum("activity").as("activity"), min("joined_at").as("joined_at"))
        .withColumn("rank", row_number().over(Window.partitionBy("person_id")
            .orderBy(col("activity").desc(), col("joined_at").asc(), col("workspace_id").asc())))
        .where(col("rank").equalTo(1)).select(col("person_id"), col("workspace_id").as("main_workspace_id"));
    Dataset<Row> anonymous = all.select(col("person_id"), explode(col("user_ids")).as("user_id"))
        .join(stitch, "user_id").groupBy("person_id").agg(array_sort(collect_set("anonymous_id")).as("anonymous_ids"));
    Dataset<Row> assigned = ResolveTransforms.assignPeople(
        all.join(personWorkspace, new String[] {"person_id"}, "left"), workspaces);
    return assigned.join(anonymous, new String[] {"person_id"}, "left").select(
        col("person_id").as(People.PERSON_ID.name()),
        col("email").as(People.EMAIL.name()),
        col("domain").as(People.EMAIL_DOMAIN.name()),
        coalesce(col("free_mail"), lit(false)).as(People.IS_FREE_MAIL.name()),
        coalesce(col("disposable"), lit(false)).as(People.IS_DISPOSABLE.name()),
        col("name").as(People.NAME.name()),
        col("title").as(People.TITLE.name()),
        col("account_id").as(People.ACCOUNT_ID.name()),
        col("account_rule").as(People.ACCOUNT_RULE.name()),
        col("user_ids").as(People.USER_IDS.name()),
        coalesce(col("anonymous_ids"), emptyList()).as(People.ANONYMOUS_IDS.name()),
        col("lead_ids").as(People.LEAD_IDS.name()),
        col("contact_ids").as(People.CONTACT_IDS.name()),
        col("sources").as(People.SOURCES.name()),
        col("first_seen_at").as(People.FIRST_SEEN_AT.name()),
        col("main_workspace_id"));
  }

  /** One row per account: every domain a workspace, a person or a CRM account names, enriched with firmographics. */
  private static Dataset<Row> accounts(Dataset<Row> crm, Dataset<Row> firmo, Dataset<Row> workspaces, Dataset<Row> people) {
    Dataset<Row> fromWorkspaces = workspaces.groupBy("account_id").agg(
        Picks.sortedSet("workspace_id").as("workspace_ids"), bool_or(col("is_personal")).as("is_personal"),
        Picks.earliest(col("name"), col("created_at")).as("ws_name"));
    Dataset<Row> ids = workspaces.select("account_id")
        .union(people.where(col(People.ACCOUNT_ID.name()).isNotNull()).select(People.ACCOUNT_ID.name()))
        .union(crm.select("account_id")).distinct();
    Dataset<Row> j = ids.join(fromWorkspaces, new String[] {"account_id"}, "left")
        .join(crm, new String[] {"account_id"}, "left")
        .join(firmo, new String[] {"account_id"}, "left");
    Column personal = coalesce(col("is_personal"), lit(false));
    return j.select(
        col("account_id").as(Accounts.ACCOUNT_ID.name()),
        when(personal, lit(null).cast("string")).otherwise(col("account_id")).as(Accounts.DOMAIN.name()),
        coalesce(col("cb_name"), col("crm_name"), col("ws_name")).as(Accounts.NAME.name()),
        personal.as(Accounts.IS_PERSONAL.name()),
        coalesce(col("workspace_ids"), emptyList()).as(Accounts.WORKSPACE_IDS.name()),
        coalesce(col("crm_account_ids"), emptyList()).as(Accounts.CRM_ACCOUNT_IDS.name()),
        col("crm_owner_id").as(Accounts.CRM_OWNER_ID.name()),
        coalesce(col("cb_industry"), col("crm_industry")).as(Accounts.INDUSTRY.name()),
        coalesce(col("cb_employees"), col("crm_employees")).as(Accounts.EMPLOYEES.name()),
        coalesce(col("cb_country"), col("crm_country")).as(Accounts.COUNTRY.name()),
        col("department_headcounts").as(Accounts.DEPARTMENT_HEADCOUNTS.name()),
        col("tech").as(Accounts.TECH.name()),
        col("cb_name").isNotNull().as(Accounts.HAS_FIRMOGRAPHICS.name()));
  }

  /**
   * The current links; changed ones are closed (as_of_to, valid_to, is_current false) and the new ones opened
   * with this run's as-of date. A resolve for a date older than the newest link keeps the history it finds: the
   * links then already hold what later data said.
   */
  private static void writeLinks(JobContext ctx, Lake lake, Timestamp runAt, Dataset<Row> stitch, Dataset<Row> people,
                                 Dataset<Row> workspaces, Dataset<Row> accounts) {
    Dataset<Row> existing = lake.read(IdentityLinks.TABLE).where(IdentityLinks.IS_CURRENT.col());
    Row newest = existing.agg(max(IdentityLinks.AS_OF_FROM.col())).first();
    java.sql.Date asOf = java.sql.Date.valueOf(ctx.asOf());
    if (!newest.isNullAt(0) && newest.getDate(0).after(asOf)) {
      // LocalDates: log4j formats a java.sql.Date argument through toInstant(), which it does not have.
      LOG.info("resolve: identity links already hold as of {}, later than {}; kept as they are",
          newest.getDate(0).toLocalDate(), ctx.asOf());
      return;
    }
    Dataset<Row> current = ResolveTransforms.links(stitch, people, workspaces, accounts);
    Column[] same = Stream.of(IdentityLinks.FROM_TYPE, IdentityLinks.FROM_ID, IdentityLinks.TO_TYPE, IdentityLinks.TO_ID,
        IdentityLinks.RULE).map(c -> c.col()).toArray(Column[]::new);
    Seq<String> sameNames = JavaConverters.asScalaBuffer(Stream.of(same).map(Column::toString).toList()).toSeq();
    // Both computed before either commit; close first: a run killed between the two commits recomputes the same
    // openings next time.
    try (Kept kept = new Kept()) {
      Dataset<Row> closed = kept.keep(existing.join(current.select(same), sameNames, "left_anti")
          .withColumn(IdentityLinks.AS_OF_TO.name(), lit(asOf))
          .withColumn(IdentityLinks.VALID_TO.name(), lit(runAt))
          .withColumn(IdentityLinks.IS_CURRENT.name(), lit(false)));
      Dataset<Row> opened = kept.keep(current.join(existing.select(same), sameNames, "left_anti")
          .withColumn(IdentityLinks.AS_OF_FROM.name(), lit(asOf))
          .withColumn(IdentityLinks.AS_OF_TO.name(), lit(null).cast("date"))
          .withColumn(IdentityLinks.VALID_FROM.name(), lit(runAt))
          .withColumn(IdentityLinks.VALID_TO.name(), lit(null).cast("timestamp"))
          .withColumn(IdentityLinks.IS_CURRENT.name(), lit(true))
          .withColumn(IdentityLinks.RUN_ID.name(), lit(ctx.runId())));
      if (!closed.isEmpty()) {
        ctx.metrics().wrote(lake.upsert(closed, IdentityLinks.TABLE));
      }
      if (!opened.isEmpty()) {
        ctx.metrics().wrote(lake.insertNew(opened, IdentityLinks.TABLE, Optional.empty()));
      }
    }
  }

  /**
   * Rebuilds silver.product_daily for the days whose bronze events were ingested after the day was last rolled up
   * (or never were): a daily run touches only the new days, a late file only its own days. {@code events}: those
   * days' events.
   */
  private static void rollUpDays(JobContext ctx, Lake lake, Dataset<Row> events, List<Object> days, Dataset<Row> known) {
    if (days.isEmpty()) {
      LOG.info("resolve: product_daily is current");
      return;
    }
    Dataset<Row> ofKnown = events
        .join(known.select(col("workspace_id").as("known_ws")),
            events.col(ProductEvents.WORKSPACE_ID.name()).equalTo(col("known_ws")), "left")
        .where(ProductEvents.WORKSPACE_ID.col().isNull().or(col("known_ws").isNotNull()));
    ctx.metrics().wrote(lake.replaceWhere(ResolveTransforms.rollUpDaily(ofKnown), ProductDaily.TABLE,
        inDays(ProductDaily.EVENT_DATE, days)));
    LOG.info("resolve: rolled up {} days of product events", days.size());
  }
}
