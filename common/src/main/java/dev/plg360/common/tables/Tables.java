package dev.plg360.common.tables;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The catalog: every table plg360 reads or writes, declared once. Jobs, tests and docs take names, schemas,
 * keys, partitioning and column comments from here.
 */
public final class Tables {
  private Tables() {}

  static final DataType STRING_MAP = DataTypes.createMapType(StringType, StringType);
  static final DataType STRING_ARRAY = DataTypes.createArrayType(StringType);
  static final DataType LONG_MAP = DataTypes.createMapType(StringType, LongType);
  static final DataType DOUBLE_MAP = DataTypes.createMapType(StringType, DoubleType);
  static final DataType DATE_MAP = DataTypes.createMapType(StringType, DateType);

  static Col c(String name, DataType type, String comment) {
    return new Col(name, type, comment);
  }

  /** Lineage columns every bronze table carries. */
  public static final class Lineage {
    private Lineage() {}

    public static final Col EXTRA = c("extra", STRING_MAP,
        "Fields of the raw record that the source mapping does not name, kept as text (a lead's Phone, ...): personal, each value masked").personal();
    public static final Col SOURCE_FILE = c("_source_file", StringType,
        "Landing file the record came from, relative to the landing folder");
    public static final Col SOURCE_LINE = c("_source_line", LongType,
        "Line number (1-based) in the landing file where the record starts");
    public static final Col INGESTED_AT = c("_ingested_at", TimestampType,
        "When the ingest run that landed it started (UTC); each run stamps its own start").runStamp();
    public static final Col RUN_ID = c("_run_id", StringType,
        "Id of the ingest run that landed it (ops.job_runs); each run has its own id").runStamp();

    static List<Col> all() {
      return List.of(EXTRA, SOURCE_FILE, SOURCE_LINE, INGESTED_AT, RUN_ID);
    }
  }

  private static List<Col> withLineage(Col... cols) {
    List<Col> out = new ArrayList<>(List.of(cols));
    out.addAll(Lineage.all());
    return out;
  }

  // ---------------------------------------------------------------------------------------------- bronze

  /** Segment-spec product events: track, identify, group and page calls. */
  public static final class ProductEvents {
    private ProductEvents() {}

    public static final Col MESSAGE_ID = c("message_id", StringType, "Segment messageId: unique id of the call");
    public static final Col EVENT_TYPE = c("event_type", StringType, "Segment call type: track, identify, group, page");
    public static final Col EVENT_NAME = c("event_name", StringType, "Event name of a track call, e.g. 'Feature Used'");
    public static final Col PAGE_NAME = c("page_name", StringType, "Page name of a page call, e.g. 'Pricing'");
    public static final Col USER_ID = c("user_id", StringType, "Segment userId: the product's id of the signed-up user");
    public static final Col ANONYMOUS_ID = c("anonymous_id", StringType, "Segment anonymousId: device or browser id before sign-up");
    public static final Col WORKSPACE_ID = c("workspace_id", StringType, "Segment groupId: the workspace the call belongs to");
    public static final Col EVENT_TS = c("event_ts", TimestampType, "When the event happened (Segment timestamp), UTC");
    public static final Col SENT_AT = c("sent_at", TimestampType, "When the client sent it (Segment sentAt), UTC");
    public static final Col PROPERTIES = c("properties", STRING_MAP, "Segment properties of a track or page call");
    public static final Col TRAITS = c("traits", STRING_MAP, "Segment traits of an identify or group call");
    public static final Col CONTEXT = c("context", STRING_MAP, "Segment context (ip, userAgent, page, ...), nested values as JSON");
    public static final Col EVENT_DATE = c("event_date", DateType, "UTC date of event_ts; the partition column");

    public static final TableDef TABLE = TableDef.table("bronze", "product_events")
        .personalDataInText("the traits and context of identify calls (emails, names, IP addresses)")
        .grain("one row per Segment call (messageId)")
        .columns(withLineage(MESSAGE_ID, EVENT_TYPE, EVENT_NAME, PAGE_NAME, USER_ID, ANONYMOUS_ID, WORKSPACE_ID,
            EVENT_TS, SENT_AT, PROPERTIES, TRAITS, CONTEXT, EVENT_DATE))
        .key(MESSAGE_ID)
        .partitionBy(EVENT_DATE)
        .zorderBy(WORKSPACE_ID)
        .build();
  }

  /** Salesforce columns shared by every exported object. */
  public static final class SfCommon {
    private SfCommon() {}

    public static final Col ID = c("id", StringType, "Salesforce record Id (18 characters)");
    public static final Col OWNER_ID = c("owner_id", StringType, "Salesforce OwnerId: the user who owns the record");
    public static final Col CREATED_AT = c("created_at", TimestampType, "CreatedDate, UTC");
    public static final Col LAST_MODIFIED_AT = c("last_modified_at", TimestampType,
        "LastModifiedDate, UTC; with id, the key: each modification exported is kept as a version");
    public static final Col IS_DELETED = c("is_deleted", BooleanType, "IsDeleted: the record is in the recycle bin");
  }

  public static final class SfAccounts {
    private SfAccounts() {}

    public static final Col NAME = c("name", StringType, "Account Name");
    public static final Col WEBSITE = c("website", StringType, "Website as typed in Salesforce");
    public static final Col INDUSTRY = c("industry", StringType, "Industry picklist value");
    public static final Col EMPLOYEES = c("employees", LongType, "NumberOfEmployees");
    public static final Col BILLING_COUNTRY = c("billing_country", StringType, "BillingCountry");
    public static final Col ACCOUNT_TYPE = c("account_type", StringType, "Type: Prospect, Customer, Partner, ...");

    public static final TableDef TABLE = TableDef.table("bronze", "sf_accounts")
        .grain("one row per Salesforce Account version (Id, LastModifiedDate)")
        .columns(withLineage(SfCommon.ID, NAME, WEBSITE, INDUSTRY, EMPLOYEES, BILLING_COUNTRY, ACCOUNT_TYPE,
            SfCommon.OWNER_ID, SfCommon.CREATED_AT, SfCommon.LAST_MODIFIED_AT, SfCommon.IS_DELETED))
        .key(SfCommon.ID, SfCommon.LAST_MODIFIED_AT)
        .build();
  }

  public static final class SfContacts {
    private SfContacts() {}

    public static final Col ACCOUNT_ID = c("account_id", StringType, "AccountId of the contact's account");
    public static final Col FIRST_NAME = c("first_name", StringType, "FirstName").personal();
    public static final Col LAST_NAME = c("last_name", StringType, "LastName").personal();
    public static final Col EMAIL = c("email", StringType, "Email as typed in Salesforce").personal();
    public static final Col TITLE = c("title", StringType, "Title");

    public static final TableDef TABLE = TableDef.table("bronze", "sf_contacts")
        .grain("one row per Salesforce Contact version (Id, LastModifiedDate)")
        .columns(withLineage(SfCommon.ID, ACCOUNT_ID, FIRST_NAME, LAST_NAME, EMAIL, TITLE, SfCommon.OWNER_ID,
            SfCommon.CREATED_AT, SfCommon.LAST_MODIFIED_AT, SfCommon.IS_DELETED))
        .key(SfCommon.ID, SfCommon.LAST_MODIFIED_AT)
        .build();
  }

  public static final class SfLeads {
    private SfLeads() {}

    public static final Col COMPANY = c("company", StringType, "Company as typed on the lead");
    public static final Col WEBSITE = c("website", StringType, "Website");
    public static final Col LEAD_SOURCE = c("lead_source", StringType, "LeadSource, e.g. 'Product Signup', 'Demo Request'");
    public static final Col STATUS = c("status", StringType, "Status in Salesforce");
    public static final Col IS_CONVERTED = c("is_converted", BooleanType, "IsConverted");
    public static final Col CONVERTED_ACCOUNT_ID = c("converted_account_id", StringType, "ConvertedAccountId");
    public static final Col CONVERTED_CONTACT_ID = c("converted_contact_id", StringType, "ConvertedContactId");

    public static final TableDef TABLE = TableDef.table("bronze", "sf_leads")
        .grain("one row per Salesforce Lead version (Id, LastModifiedDate)")
        .columns(withLineage(SfCommon.ID, SfContacts.FIRST_NAME, SfContacts.LAST_NAME, SfContacts.EMAIL, COMPANY,
            WEBSITE, SfContacts.TITLE, LEAD_SOURCE, STATUS, SfCommon.OWNER_ID, IS_CONVERTED, CONVERTED_ACCOUNT_ID,
            CONVERTED_CONTACT_ID, SfCommon.CREATED_AT, SfCommon.LAST_MODIFIED_AT, SfCommon.IS_DELETED))
        .key(SfCommon.ID, SfCommon.LAST_MODIFIED_AT)
        .build();
  }

  public static final class SfOpportunities {
    private SfOpportunities() {}

    public static final Col NAME = c("name", StringType, "Opportunity Name");
    public static final Col STAGE_NAME = c("stage_name", StringType, "StageName");
    public static final Col AMOUNT = c("amount", DoubleType, "Amount in the org's currency");
    public static final Col CLOSE_DATE = c("close_date", DateType, "CloseDate");
    public static final Col IS_CLOSED = c("is_closed", BooleanType, "IsClosed");
    public static final Col IS_WON = c("is_won", BooleanType, "IsWon");
    public static final Col OPPORTUNITY_TYPE = c("opportunity_type", StringType, "Type: New Business, Expansion, ...");

    public static final TableDef TABLE = TableDef.table("bronze", "sf_opportunities")
        .grain("one row per Salesforce Opportunity version (Id, LastModifiedDate)")
        .columns(withLineage(SfCommon.ID, SfContacts.ACCOUNT_ID, NAME, STAGE_NAME, AMOUNT, CLOSE_DATE, IS_CLOSED,
            IS_WON, OPPORTUNITY_TYPE, SfCommon.OWNER_ID, SfCommon.CREATED_AT, SfCommon.LAST_MODIFIED_AT,
            SfCommon.IS_DELETED))
        .key(SfCommon.ID, SfCommon.LAST_MODIFIED_AT)
        .build();
  }

  public static final class SfTasks {
    private SfTasks() {}

    public static final Col WHO_ID = c("who_id", StringType, "WhoId: the lead or contact the task is about");
    public static final Col WHAT_ID = c("what_id", StringType, "WhatId: the account or opportunity the task is about");
    public static final Col SUBJECT = c("subject", StringType, "Subject").personal();
    public static final Col TASK_TYPE = c("task_type", StringType, "Type: Call, Email, Meeting, ...");
    public static final Col STATUS = c("status", StringType, "Status");
    public static final Col ACTIVITY_DATE = c("activity_date", DateType, "ActivityDate");

    public static final TableDef TABLE = TableDef.table("bronze", "sf_tasks")
        .grain("one row per Salesforce Task version (Id, LastModifiedDate)")
        .columns(withLineage(SfCommon.ID, WHO_ID, WHAT_ID, SfContacts.ACCOUNT_ID, SUBJECT, TASK_TYPE, STATUS,
            ACTIVITY_DATE, SfCommon.OWNER_ID, SfCommon.CREATED_AT, SfCommon.LAST_MODIFIED_AT, SfCommon.IS_DELETED))
        .key(SfCommon.ID, SfCommon.LAST_MODIFIED_AT)
        .build();
  }

  /** HubSpot email events. */
  public static final class EmailEvents {
    private EmailEvents() {}

    public static final Col ID = c("id", StringType, "HubSpot email event id");
    public static final Col EVENT_TYPE = c("event_type", StringType, "SENT, DELIVERED, OPEN, CLICK, BOUNCE, UNSUBSCRIBED, ...");
    public static final Col RECIPIENT = c("recipient", StringType, "Recipient email as HubSpot has it").personal();
    public static final Col CAMPAIGN_ID = c("campaign_id", StringType, "emailCampaignId");
    public static final Col URL = c("url", StringType, "Clicked URL (CLICK events)");
    public static final Col EVENT_TS = c("event_ts", TimestampType, "When it happened, UTC");
    public static final Col EVENT_DATE = c("event_date", DateType, "UTC date of event_ts; the partition column");

    public static final TableDef TABLE = TableDef.table("bronze", "email_events")
        .grain("one row per HubSpot email event (id)")
        .columns(withLineage(ID, EVENT_TYPE, RECIPIENT, CAMPAIGN_ID, URL, EVENT_TS, EVENT_DATE))
        .key(ID)
        .partitionBy(EVENT_DATE)
        .build();
  }

  /** HubSpot form submissions: demo requests, webinar sign-ups, content downloads. */
  public static final class FormSubmissions {
    private FormSubmissions() {}

    public static final Col CONVERSION_ID = c("conversion_id", StringType, "HubSpot conversionId of the submission");
    public static final Col FORM_ID = c("form_id", StringType, "HubSpot form id");
    public static final Col FORM_NAME = c("form_name", StringType, "Form name, e.g. 'Demo Request'");
    public static final Col PAGE_URL = c("page_url", StringType, "Page the form was on");
    public static final Col EMAIL = c("email", StringType, "Email field of the submission").personal();
    public static final Col FIRST_NAME = c("first_name", StringType, "First name field").personal();
    public static final Col LAST_NAME = c("last_name", StringType, "Last name field").personal();
    public static final Col COMPANY = c("company", StringType, "Company field");
    public static final Col SUBMITTED_AT = c("submitted_at", TimestampType, "When it was submitted, UTC");

    public static final TableDef TABLE = TableDef.table("bronze", "form_submissions")
        .grain("one row per form submission (conversionId)")
        .columns(withLineage(CONVERSION_ID, FORM_ID, FORM_NAME, PAGE_URL, EMAIL, FIRST_NAME, LAST_NAME, COMPANY,
            SUBMITTED_AT))
        .key(CONVERSION_ID)
        .build();
  }

  /** Stripe subscription events: one row per subscription state change. */
  public static final class SubscriptionEvents {
    private SubscriptionEvents() {}

    public static final Col EVENT_ID = c("event_id", StringType,
        "Stripe event id (evt_...); from Subscription objects, the subscription id @ its update time");
    public static final Col EVENT_TYPE = c("event_type", StringType,
        "customer.subscription.created / updated / deleted; from Subscription objects, subscription.version");
    public static final Col EVENT_TS = c("event_ts", TimestampType, "When Stripe recorded the change, UTC");
    public static final Col SUBSCRIPTION_ID = c("subscription_id", StringType, "Stripe subscription id (sub_...)");
    public static final Col CUSTOMER_ID = c("customer_id", StringType, "Stripe customer id (cus_...)");
    public static final Col STATUS = c("status", StringType, "trialing, active, past_due, canceled, ...");
    public static final Col PLAN_ID = c("plan_id", StringType, "Stripe plan (price) id, e.g. 'pro_monthly'");
    public static final Col PLAN_AMOUNT_CENTS = c("plan_amount_cents", LongType, "Plan price per seat per interval, in cents");
    public static final Col PLAN_INTERVAL = c("plan_interval", StringType, "month or year");
    public static final Col QUANTITY = c("quantity", LongType, "Seats bought");
    public static final Col TRIAL_START = c("trial_start", TimestampType, "Trial start, UTC");
    public static final Col TRIAL_END = c("trial_end", TimestampType, "Trial end, UTC");
    public static final Col CURRENT_PERIOD_START = c("current_period_start", TimestampType, "Billing period start, UTC");
    public static final Col CURRENT_PERIOD_END = c("current_period_end", TimestampType, "Billing period end, UTC");
    public static final Col CANCELED_AT = c("canceled_at", TimestampType, "When it was canceled, UTC");
    public static final Col METADATA = c("metadata", STRING_MAP, "Subscription metadata; workspace_id names the workspace");

    public static final TableDef TABLE = TableDef.table("bronze", "subscription_events")
        .grain("one row per Stripe subscription event (event id)")
        .columns(withLineage(EVENT_ID, EVENT_TYPE, EVENT_TS, SUBSCRIPTION_ID, CUSTOMER_ID, STATUS, PLAN_ID,
            PLAN_AMOUNT_CENTS, PLAN_INTERVAL, QUANTITY, TRIAL_START, TRIAL_END, CURRENT_PERIOD_START,
            CURRENT_PERIOD_END, CANCELED_AT, METADATA))
        .key(EVENT_ID)
        .build();
  }

  /** Clearbit company objects with department headcounts. */
  public static final class Firmographics {
    private Firmographics() {}

    public static final Col COMPANY_ID = c("company_id", StringType, "Clearbit company id");
    public static final Col DOMAIN = c("domain", StringType, "Company domain as Clearbit has it");
    public static final Col NAME = c("name", StringType, "Company name");
    public static final Col INDUSTRY = c("industry", StringType, "category.industry");
    public static final Col SECTOR = c("sector", StringType, "category.sector");
    public static final Col EMPLOYEES = c("employees", LongType, "metrics.employees: headcount estimate");
    public static final Col EMPLOYEES_RANGE = c("employees_range", StringType, "metrics.employeesRange, e.g. '251-1K'");
    public static final Col ESTIMATED_ANNUAL_REVENUE = c("estimated_annual_revenue", StringType,
        "metrics.estimatedAnnualRevenue band, e.g. '$10M-$50M'");
    public static final Col COUNTRY = c("country", StringType, "geo.country");
    public static final Col COUNTRY_CODE = c("country_code", StringType, "geo.countryCode (ISO 3166-1 alpha-2)");
    public static final Col TECH = c("tech", STRING_ARRAY, "Technologies the company uses");
    public static final Col DEPARTMENT_HEADCOUNTS = c("department_headcounts", STRING_MAP,
        "Headcount per department (engineering, design, marketing, ...), ZoomInfo-style");
    public static final Col EMAIL_PROVIDER = c("email_provider", BooleanType,
        "emailProvider: the domain is a mail provider's (gmail.com); its users are people, not this company's staff");
    public static final Col INDEXED_AT = c("indexed_at", TimestampType, "When Clearbit last refreshed the record, UTC");

    public static final TableDef TABLE = TableDef.table("bronze", "firmographics")
        .grain("one row per Clearbit company record version (id, indexedAt)")
        .columns(withLineage(COMPANY_ID, DOMAIN, NAME, INDUSTRY, SECTOR, EMPLOYEES, EMPLOYEES_RANGE,
            ESTIMATED_ANNUAL_REVENUE, COUNTRY, COUNTRY_CODE, TECH, DEPARTMENT_HEADCOUNTS, EMAIL_PROVIDER, INDEXED_AT))
        .key(COMPANY_ID, INDEXED_AT)
        .build();
  }

  /** Zendesk tickets. */
  public static final class SupportTickets {
    private SupportTickets() {}

    public static final Col TICKET_ID = c("ticket_id", StringType, "Ticket id as the help desk writes it: Zendesk's numbers, or another's text (T-000c31)");
    public static final Col REQUESTER_EMAIL = c("requester_email", StringType, "Requester's email").personal();
    public static final Col REQUESTER_NAME = c("requester_name", StringType, "Requester's name").personal();
    public static final Col SUBJECT = c("subject", StringType, "Subject").personal();
    public static final Col STATUS = c("status", StringType, "new, open, pending, hold, solved, closed");
    public static final Col PRIORITY = c("priority", StringType, "low, normal, high, urgent");
    public static final Col TAGS = c("tags", STRING_ARRAY, "Tags");
    public static final Col SATISFACTION = c("satisfaction", StringType, "satisfaction_rating.score: good, bad, offered, unoffered");
    public static final Col CREATED_AT = c("created_at", TimestampType, "When the ticket was opened, UTC");
    public static final Col UPDATED_AT = c("updated_at", TimestampType, "When this version was written, UTC");

    public static final TableDef TABLE = TableDef.table("bronze", "support_tickets")
        .grain("one row per Zendesk ticket version (id, updated_at)")
        .columns(withLineage(TICKET_ID, REQUESTER_EMAIL, REQUESTER_NAME, SUBJECT, STATUS, PRIORITY, TAGS,
            SATISFACTION, CREATED_AT, UPDATED_AT))
        .key(TICKET_ID, UPDATED_AT)
        .build();
  }

  /** Records ingest could not accept, each with its reason. */
  public static final class Quarantine {
    private Quarantine() {}

    public static final Col SOURCE = c("source", StringType, "Source name from configuration, e.g. 'segment'");
    public static final Col SOURCE_FILE = c("source_file", StringType, "Landing file, relative to the landing folder");
    public static final Col FILE_CHECKSUM = c("file_checksum", StringType,
        "The version of the file the record was read from (ops.ingested_files.checksum): a file delivered again with other content is another version; null for records resolve rejects");
    public static final Col LINE = c("line", LongType, "Line number (1-based) where the record starts; 0 for a whole file");
    public static final Col REASON = c("reason", StringType,
        "Reason code: UNREADABLE_FILE, MALFORMED_JSON, WRONG_COLUMN_COUNT, MISSING_REQUIRED_FIELD, UNPARSEABLE_TIMESTAMP, INVALID_VALUE, VALUE_OUT_OF_RANGE, DUPLICATE; UNKNOWN_WORKSPACE from resolve (docs/LANDING.md)");
    public static final Col DETAIL = c("detail", StringType, "What exactly failed: the field, the expectation or the duplicate's key");
    public static final Col RAW = c("raw", StringType, "The raw record text, cut at plg360.ingest.quarantine-raw-max-chars");
    public static final Col RUN_ID = c("run_id", StringType,
        "Ingest or resolve run that rejected it; each run has its own id").runStamp();
    public static final Col QUARANTINED_AT = c("quarantined_at", TimestampType,
        "When that run started, UTC; each run stamps its own start").runStamp();

    public static final TableDef TABLE = TableDef.table("bronze", "quarantine")
        .personalDataInText("the raw text of rejected records")
        .grain("one row per rejected raw record (source, file, file version, line)")
        .columns(SOURCE, SOURCE_FILE, FILE_CHECKSUM, LINE, REASON, DETAIL, RAW, RUN_ID, QUARANTINED_AT)
        .key(SOURCE, SOURCE_FILE, FILE_CHECKSUM, LINE)
        .partitionBy(SOURCE)
        .build();
  }


  // ---------------------------------------------------------------------------------------------- silver

  /** People across product, CRM, marketing and support, keyed by normalised email. */
  public static final class People {
    private People() {}

    public static final Col PERSON_ID = c("person_id", StringType,
        "Normalised email (trimmed, lower-cased, plus-addressing and Gmail dots folded); user:<id> for a product user with no email").personal();
    public static final Col EMAIL = c("email", StringType, "Email as first seen, before normalisation").personal();
    public static final Col EMAIL_DOMAIN = c("email_domain", StringType, "Registrable domain of the email (public-suffix aware)");
    public static final Col IS_FREE_MAIL = c("is_free_mail", BooleanType, "The email is on a free-mail provider (gmail.com, outlook.com, ...)");
    public static final Col IS_DISPOSABLE = c("is_disposable", BooleanType, "The email is on a disposable-mail domain");
    public static final Col NAME = c("name", StringType, "Full name, from the product, the CRM or a form").personal();
    public static final Col TITLE = c("title", StringType, "Job title, from the CRM");
    public static final Col ACCOUNT_ID = c("account_id", StringType, "The company account the person belongs to (see silver.accounts)");
    public static final Col ACCOUNT_RULE = c("account_rule", StringType,
        "Rule that linked the person to the account: EMAIL_DOMAIN, WORKSPACE_MEMBERSHIP or PERSONAL_WORKSPACE");
    public static final Col USER_IDS = c("user_ids", STRING_ARRAY, "Product user ids (Segment userId) of the person");
    public static final Col ANONYMOUS_IDS = c("anonymous_ids", STRING_ARRAY, "Segment anonymousIds stitched to the person by identify calls");
    public static final Col LEAD_IDS = c("lead_ids", STRING_ARRAY, "Salesforce Lead Ids with this email");
    public static final Col CONTACT_IDS = c("contact_ids", STRING_ARRAY, "Salesforce Contact Ids with this email");
    public static final Col SOURCES = c("sources", STRING_ARRAY, "Where the person was seen: product, lead, contact, email, form, support");
    public static final Col FIRST_SEEN_AT = c("first_seen_at", TimestampType, "Earliest record of the person, UTC");

    public static final TableDef TABLE = TableDef.table("silver", "people")
        .grain("one row per person (normalised email) as of the last resolve")
        .columns(PERSON_ID, EMAIL, EMAIL_DOMAIN, IS_FREE_MAIL, IS_DISPOSABLE, NAME, TITLE, ACCOUNT_ID, ACCOUNT_RULE,
            USER_IDS, ANONYMOUS_IDS, LEAD_IDS, CONTACT_IDS, SOURCES, FIRST_SEEN_AT)
        .key(PERSON_ID)
        .build();
  }

  /** Product workspaces and the account each rolls up to. */
  public static final class Workspaces {
    private Workspaces() {}

    public static final Col WORKSPACE_ID = c("workspace_id", StringType, "Product workspace id (Segment groupId)");
    public static final Col NAME = c("name", StringType, "Workspace name from the latest group call");
    public static final Col ACCOUNT_ID = c("account_id", StringType, "Account the workspace rolls up to");
    public static final Col IS_PERSONAL = c("is_personal", BooleanType,
        "Nothing names a company (no business-domain member, evidence or company name): its own personal account");
    public static final Col RULE = c("rule", StringType, "MEMBER_DOMAIN_MAJORITY; MEMBER_CRM_RECORD, MEMBER_WORK_ADDRESS, "
        + "MEMBER_INVITED_BY or MEMBER_INVITED_COLLEAGUES (the members' strongest evidence); WORKSPACE_NAME; PERSONAL_WORKSPACE");
    public static final Col EVIDENCE = c("evidence", StringType,
        "Member counts per business domain or per domain their evidence names (and how a tie was broken), or the name");
    public static final Col MEMBERS = c("members", LongType, "Product users seen in the workspace");
    public static final Col BUSINESS_MEMBERS = c("business_members", LongType, "Members with a business-domain email");
    public static final Col CREATED_AT = c("created_at", TimestampType, "First event of the workspace, UTC");

    public static final TableDef TABLE = TableDef.table("silver", "workspaces")
        .grain("one row per workspace as of the last resolve")
        .columns(WORKSPACE_ID, NAME, ACCOUNT_ID, IS_PERSONAL, RULE, EVIDENCE, MEMBERS, BUSINESS_MEMBERS, CREATED_AT)
        .key(WORKSPACE_ID)
        .build();
  }

  /** Companies: one row per registrable domain, or per personal workspace. */
  public static final class Accounts {
    private Accounts() {}

    public static final Col ACCOUNT_ID = c("account_id", StringType, "Registrable domain (acme.co.uk), or personal:<workspace_id>");
    public static final Col DOMAIN = c("domain", StringType, "Registrable domain; null for a personal account");
    public static final Col NAME = c("name", StringType, "Name from firmographics, else the CRM, else a workspace");
    public static final Col IS_PERSONAL = c("is_personal", BooleanType, "A personal account: free-mail users only");
    public static final Col WORKSPACE_IDS = c("workspace_ids", STRING_ARRAY, "Workspaces that roll up to the account");
    public static final Col CRM_ACCOUNT_IDS = c("crm_account_ids", STRING_ARRAY, "Salesforce Account Ids whose Website is this domain");
    public static final Col CRM_OWNER_ID = c("crm_owner_id", StringType, "Owner of the most recently modified CRM account");
    public static final Col INDUSTRY = c("industry", StringType, "Industry (Clearbit, else CRM)");
    public static final Col EMPLOYEES = c("employees", LongType, "Employees (Clearbit, else CRM)");
    public static final Col COUNTRY = c("country", StringType, "Country (Clearbit, else CRM billing country)");
    public static final Col DEPARTMENT_HEADCOUNTS = c("department_headcounts", STRING_MAP, "Headcount per department (Clearbit)");
    public static final Col TECH = c("tech", STRING_ARRAY, "Technologies used (Clearbit)");
    public static final Col HAS_FIRMOGRAPHICS = c("has_firmographics", BooleanType, "Clearbit knows the domain");

    public static final TableDef TABLE = TableDef.table("silver", "accounts")
        .grain("one row per account as of the last resolve")
        .columns(ACCOUNT_ID, DOMAIN, NAME, IS_PERSONAL, WORKSPACE_IDS, CRM_ACCOUNT_IDS, CRM_OWNER_ID, INDUSTRY, EMPLOYEES,
            COUNTRY, DEPARTMENT_HEADCOUNTS, TECH, HAS_FIRMOGRAPHICS)
        .key(ACCOUNT_ID)
        .build();
  }

  /** Every identity link with the rule that made it; a changed link is closed, never overwritten. */
  public static final class IdentityLinks {
    private IdentityLinks() {}

    public static final Col FROM_TYPE = c("from_type", StringType, "user, anonymous, person, workspace, lead, contact, crm_account");
    public static final Col FROM_ID = c("from_id", StringType, "Id of the linked record");
    public static final Col TO_TYPE = c("to_type", StringType, "person, user or account");
    public static final Col TO_ID = c("to_id", StringType, "Id it links to");
    public static final Col RULE = c("rule", StringType, "Rule that made the link (IDENTIFY, EMAIL, EMAIL_DOMAIN, ...)");
    public static final Col EVIDENCE = c("evidence", StringType, "What the rule saw, so a wrong merge can be explained");
    public static final Col AS_OF_FROM = c("as_of_from", DateType,
        "As-of date of the resolve that made the link: it holds for data from this day on");
    public static final Col AS_OF_TO = c("as_of_to", DateType,
        "As-of date of the resolve that replaced it (exclusive); null while current");
    public static final Col VALID_FROM = c("valid_from", TimestampType,
        "Start of the resolve run that made the link, UTC; each run stamps its own start (as_of_from says "
            + "from which data on the link holds)").runStamp();
    public static final Col VALID_TO = c("valid_to", TimestampType,
        "Start of the run that replaced it; null while current; a stamp like valid_from").runStamp();
    public static final Col IS_CURRENT = c("is_current", BooleanType, "The link holds now");
    public static final Col RUN_ID = c("run_id", StringType,
        "Resolve run that made the link; each run has its own id").runStamp();

    public static final TableDef TABLE = TableDef.table("silver", "identity_links")
        .personalDataInText("from_id and to_id mix people (emails) with workspaces and accounts, and the evidence quotes emails")
        .grain("one row per link version (from_type, from_id, to_type, valid_from)")
        .columns(FROM_TYPE, FROM_ID, TO_TYPE, TO_ID, RULE, EVIDENCE, AS_OF_FROM, AS_OF_TO, VALID_FROM, VALID_TO, IS_CURRENT,
            RUN_ID)
        .key(FROM_TYPE, FROM_ID, TO_TYPE, VALID_FROM)
        .build();
  }

  /** Salesforce opportunities as of the last resolve, on their account, with duplicates by account domain marked. */
  public static final class Opportunities {
    private Opportunities() {}

    public static final Col OPPORTUNITY_ID = c("opportunity_id", StringType, "Salesforce Opportunity Id");
    public static final Col ACCOUNT_ID = c("account_id", StringType,
        "plg360 account (registrable domain of the CRM account's Website); null when the Website gives none");
    public static final Col CRM_ACCOUNT_ID = c("crm_account_id", StringType, "Salesforce AccountId");
    public static final Col NAME = c("name", StringType, "Opportunity Name");
    public static final Col STAGE_NAME = c("stage_name", StringType, "StageName");
    public static final Col AMOUNT = c("amount", DoubleType, "Amount");
    public static final Col IS_CLOSED = c("is_closed", BooleanType, "IsClosed");
    public static final Col IS_WON = c("is_won", BooleanType, "IsWon");
    public static final Col OWNER_ID = c("owner_id", StringType, "OwnerId");
    public static final Col CREATED_AT = c("created_at", TimestampType, "CreatedDate, UTC");
    public static final Col LAST_MODIFIED_AT = c("last_modified_at", TimestampType, "LastModifiedDate of this version, UTC");
    public static final Col DUPLICATE_OF = c("duplicate_of", StringType,
        "For an open opportunity on a domain that already has an older open one: that one's Id (a seller de-dupes on "
            + "domain); null otherwise");

    public static final TableDef TABLE = TableDef.table("silver", "opportunities")
        .grain("one row per Salesforce opportunity, latest version as of the last resolve")
        .columns(OPPORTUNITY_ID, ACCOUNT_ID, CRM_ACCOUNT_ID, NAME, STAGE_NAME, AMOUNT, IS_CLOSED, IS_WON, OWNER_ID,
            CREATED_AT, LAST_MODIFIED_AT, DUPLICATE_OF)
        .key(OPPORTUNITY_ID)
        .build();
  }

  /** Daily product activity rollup: what build360 reads instead of the raw events. */
  public static final class ProductDaily {
    private ProductDaily() {}

    public static final Col EVENT_DATE = c("event_date", DateType, "UTC day; the partition column");
    public static final Col WORKSPACE_ID = c("workspace_id", StringType, "Workspace (null for activity before sign-up)");
    public static final Col USER_ID = c("user_id", StringType, "Segment userId (null while anonymous)");
    public static final Col ANONYMOUS_ID = c("anonymous_id", StringType, "Segment anonymousId of calls with no userId");
    public static final Col EVENT_NAME = c("event_name", StringType, "Track event name, or 'Page: <name>' for page calls");
    public static final Col FEATURE = c("feature", StringType, "properties.feature of Feature Used; else null");
    public static final Col EVENTS = c("events", LongType, "Calls that day");
    public static final Col QUANTITY = c("quantity", LongType, "Sum of properties.count (metered calls such as API Called); else the calls");
    public static final Col FIRST_TS = c("first_ts", TimestampType, "First call that day, UTC");
    public static final Col SOURCE_INGESTED_AT = c("source_ingested_at", TimestampType,
        "Latest bronze ingest time of the day's events when resolve last built the day from them: a newer one means the "
            + "day is rebuilt; it carries the start of the ingest runs that landed them").runStamp();

    public static final TableDef TABLE = TableDef.table("silver", "product_daily")
        .grain("one row per day, workspace, user or anonymous id, event and feature")
        .columns(EVENT_DATE, WORKSPACE_ID, USER_ID, ANONYMOUS_ID, EVENT_NAME, FEATURE, EVENTS, QUANTITY, FIRST_TS,
            SOURCE_INGESTED_AT)
        .key(EVENT_DATE, WORKSPACE_ID, USER_ID, ANONYMOUS_ID, EVENT_NAME, FEATURE)
        .partitionBy(EVENT_DATE)
        .zorderBy(WORKSPACE_ID)
        .build();
  }

  /**
   * What resolve needs of each day's product events, so that a run merges the days it has instead of reading every
   * event again: which user an anonymous id identified as, each user's latest email and name, each workspace's latest
   * group-call name, who was active in which workspace, and whom each user invited.
   */
  public static final class IdentityDaily {
    private IdentityDaily() {}

    public static final Col EVENT_DATE = ProductDaily.EVENT_DATE;
    public static final Col FACT = c("fact", StringType,
        "DAY (one row per day), IDENTIFY (anonymous_id identified as user_id), PROFILE (a user's email and name from "
            + "traits), GROUP (a workspace's name from group calls), MEMBER (a user's calls in a workspace) or INVITE "
            + "(a user's invitations of an email address into a workspace)");
    public static final Col WORKSPACE_ID = c("workspace_id", StringType, "Workspace of GROUP, MEMBER and INVITE; else null");
    public static final Col USER_ID = c("user_id", StringType, "User of IDENTIFY, PROFILE and MEMBER; the inviter of INVITE; else null");
    public static final Col ANONYMOUS_ID = c("anonymous_id", StringType, "Anonymous id of IDENTIFY; else null");
    public static final Col EMAIL = c("email", StringType,
        "PROFILE: traits.email of the user's last call of the day with one; INVITE: the address invited").personal();
    public static final Col NAME = c("name", StringType,
        "PROFILE: traits.name of that call; GROUP: traits.name of the workspace's last group call of the day").personal();
    public static final Col CALLS = c("calls", LongType, "The day's calls behind the row");
    public static final Col FIRST_TS = c("first_ts", TimestampType, "First of those calls, UTC");
    public static final Col LAST_TS = c("last_ts", TimestampType, "Last of those calls, UTC");
    public static final Col SOURCE_INGESTED_AT = ProductDaily.SOURCE_INGESTED_AT;

    public static final TableDef TABLE = TableDef.table("silver", "identity_daily")
        .grain("one row per day and fact: per day (DAY), anonymous and user id (IDENTIFY), user (PROFILE), workspace "
            + "(GROUP), workspace and user (MEMBER), workspace, inviter and address invited (INVITE)")
        .columns(EVENT_DATE, FACT, WORKSPACE_ID, USER_ID, ANONYMOUS_ID, EMAIL, NAME, CALLS, FIRST_TS, LAST_TS,
            SOURCE_INGESTED_AT)
        .key(EVENT_DATE, FACT, WORKSPACE_ID, USER_ID, ANONYMOUS_ID, EMAIL)
        .partitionBy(EVENT_DATE)
        .build();
  }

  // ---------------------------------------------------------------------------------------------- ops

  /** Landing files already ingested, so a re-run reads only new ones. */
  public static final class IngestedFiles {
    private IngestedFiles() {}

    public static final Col SOURCE = c("source", StringType, "Source name from configuration");
    public static final Col PATH = c("path", StringType, "File path relative to the landing folder");
    public static final Col SIZE = c("size", LongType, "Size in bytes when ingested");
    public static final Col MODIFIED_AT = c("modified_at", TimestampType, "File modification time when ingested");
    public static final Col CHECKSUM = c("checksum", StringType, "CRC32C of the content when ingested");
    public static final Col RECORDS = c("records", LongType, "Records read from it (accepted, quarantined or already present)");
    public static final Col RUN_ID = c("run_id", StringType,
        "Ingest run that read it; each run has its own id").runStamp();
    public static final Col INGESTED_AT = c("ingested_at", TimestampType,
        "When that run started, UTC; each run stamps its own start").runStamp();

    public static final TableDef TABLE = TableDef.table("ops", "ingested_files")
        .grain("one row per landing file version ingested (source, path, checksum)")
        .columns(SOURCE, PATH, SIZE, MODIFIED_AT, CHECKSUM, RECORDS, RUN_ID, INGESTED_AT)
        .key(SOURCE, PATH, CHECKSUM)
        .partitionBy(SOURCE)
        .build();
  }

  /** One row per job run: what ran, when, on what, and what it did. */
  public static final class JobRuns {
    private JobRuns() {}

    public static final Col RUN_ID = c("run_id", StringType, "Unique id of the run");
    public static final Col JOB = c("job", StringType,
        "Job name: ingest, resolve, build360, train, score, activate, report, maintain; run for a whole chain");
    public static final Col AS_OF = c("as_of", DateType, "As-of date the run computed");
    public static final Col STARTED_AT = c("started_at", TimestampType, "Start, UTC");
    public static final Col ENDED_AT = c("ended_at", TimestampType, "End, UTC; null while running");
    public static final Col STATUS = c("status", StringType, "RUNNING, SUCCEEDED or FAILED");
    public static final Col ROWS_READ = c("rows_read", LONG_MAP, "Rows read per table or source");
    public static final Col ROWS_WRITTEN = c("rows_written", LONG_MAP, "Rows written per table");
    public static final Col ROWS_REJECTED = c("rows_rejected", LONG_MAP, "Rows rejected per reason code");
    public static final Col TABLE_VERSIONS = c("table_versions", LONG_MAP, "Delta version written per table");
    public static final Col FILES = c("files", LONG_MAP,
        "Data files per table and operation, for runs that rewrite files but no rows (maintain): "
            + "'<table>:optimize_removed', '<table>:optimize_added', '<table>:vacuum_deleted'");
    public static final Col ERROR = c("error", StringType, "What failed, for a FAILED run");
    public static final Col HOST = c("host", StringType, "Host the run's process ran on");
    public static final Col PID = c("pid", LongType, "Process id of the run on that host");
    public static final Col HEARTBEAT_AT = c("heartbeat_at", TimestampType,
        "Last sign of life of a RUNNING run, UTC: a run whose process is gone (same host) or, on another host, silent "
            + "for plg360.run-log.stale-after no longer holds the lake's lock");

    public static final TableDef TABLE = TableDef.table("ops", "job_runs")
        .grain("one row per job run; live RUNNING rows of one process at a time (the lake's lock)")
        .runLog()
        .columns(RUN_ID, JOB, AS_OF, STARTED_AT, ENDED_AT, STATUS, ROWS_READ, ROWS_WRITTEN, ROWS_REJECTED,
            TABLE_VERSIONS, FILES, ERROR, HOST, PID, HEARTBEAT_AT)
        .key(RUN_ID)
        .build();
  }

  /**
   * What activation has delivered to each target: a table's version is recorded here only after the target
   * committed every change up to it, so the next run sends the changes after it.
   */
  public static final class SyncState {
    private SyncState() {}

    public static final Col TARGET = c("target", StringType,
        "The target: its JDBC URL without credentials, and schema (jdbc:postgresql://host:5432/db schema plg360)");
    public static final Col SOURCE_TABLE = c("source_table", StringType, "The Delta table delivered, e.g. gold.account_scores");
    public static final Col SOURCE_TABLE_ID = c("source_table_id", StringType,
        "The Delta table's id: a table made anew has another, and its versions start again, so it is sent whole; Delta "
            + "draws it at random when it makes the table, so two lakes built from the same data differ in it")
        .runStamp();
    public static final Col DELIVERED_VERSION = c("delivered_version", LongType,
        "The table's Delta version the target holds: every change up to it is committed there");
    public static final Col MODE = c("mode", StringType,
        "changes (the change data feed since the version delivered before) or full (the whole table at the version)");
    public static final Col UPSERTED = c("upserted", LongType, "Rows that run inserted or updated in the target");
    public static final Col DELETED = c("deleted", LongType, "Rows that run deleted from the target");
    public static final Col RUN_ID = c("run_id", StringType,
        "The activate run that delivered it; each run has its own id").runStamp();
    public static final Col DELIVERED_AT = c("delivered_at", TimestampType,
        "When the target committed the last of it, UTC; the clock at delivery").runStamp();
    public static final Col MASKED = c("masked", BooleanType,
        "Personal columns went masked (plg360.privacy.mask-personal-data); when the setting changes the table is sent whole");

    public static final TableDef TABLE = TableDef.table("ops", "sync_state")
        .grain("one row per target and source table: the last delivery")
        .columns(TARGET, SOURCE_TABLE, SOURCE_TABLE_ID, DELIVERED_VERSION, MODE, UPSERTED, DELETED, RUN_ID, DELIVERED_AT,
            MASKED)
        .key(TARGET, SOURCE_TABLE)
        .build();
  }

  /** Every table in the catalog. */
  public static List<TableDef> all() {
    return Stream.of(ProductEvents.TABLE, SfAccounts.TABLE, SfContacts.TABLE, SfLeads.TABLE, SfOpportunities.TABLE,
        SfTasks.TABLE, EmailEvents.TABLE, FormSubmissions.TABLE, SubscriptionEvents.TABLE, Firmographics.TABLE,
        SupportTickets.TABLE, Quarantine.TABLE, People.TABLE, Workspaces.TABLE, Accounts.TABLE, IdentityLinks.TABLE,
        Opportunities.TABLE, ProductDaily.TABLE, IdentityDaily.TABLE, GoldTables.Account360.TABLE, GoldTables.Workspace360.TABLE,
        GoldTables.User360.TABLE, GoldTables.CustomerTimeline.TABLE, GoldTables.Signals.TABLE, ModelTables.ConversionTraining.TABLE,
        ModelTables.Versions.TABLE, ModelTables.Coefficients.TABLE, ModelTables.Calibration.TABLE,
        ModelTables.Predictions.TABLE, ScoreTables.AccountScores.TABLE,
        ScoreTables.LeadScores.TABLE, ScoreTables.LeadFunnel.TABLE, IngestedFiles.TABLE, JobRuns.TABLE,
        SyncState.TABLE).toList();
  }

  /** The layers, in the order of {@link #all()}: bronze, silver, gold, ops. */
  public static Set<String> layers() {
    return all().stream().map(TableDef::layer).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  public static Optional<TableDef> byName(String qualifiedName) {
    return all().stream().filter(t -> t.qualifiedName().equals(qualifiedName)).findFirst();
  }
}
