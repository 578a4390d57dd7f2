package dev.plg360.jobs.resolve;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.identity.EmailRules;
import dev.plg360.common.identity.IdentityRules;
import dev.plg360.common.spark.Picks;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RelationalGroupedDataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * Identity resolution as pure transforms over bronze frames. Names of intermediate columns are local to this
 * class; the outputs carry the catalog's silver columns.
 *
 * <p>Rules, in order of strength: a business email's registrable domain is its company (EMAIL_DOMAIN); a
 * workspace belongs to the business domain most of its members have (MEMBER_DOMAIN_MAJORITY; a tie goes to the
 * domain of the earliest member); a free-mail user belongs to the account of the workspace they are most active in
 * (WORKSPACE_MEMBERSHIP); a workspace with no business-domain member belongs to the domain its members' other
 * evidence names ({@link Evidence}: MEMBER_CRM_RECORD, MEMBER_WORK_ADDRESS, MEMBER_INVITED_BY,
 * MEMBER_INVITED_COLLEAGUES), else to the company it is named after (WORKSPACE_NAME), else is its own personal account
 * (PERSONAL_WORKSPACE). Free-mail and disposable domains never define a company.
 */
public final class ResolveTransforms {
  private ResolveTransforms() {}

  static final String USER_PREFIX = "user:";

  /** The kinds of row of silver.identity_daily. */
  public enum Fact { DAY, IDENTIFY, PROFILE, GROUP, MEMBER, INVITE }

  /** How an invitation shows in the product's events: the track event, and its property with the address invited. */
  public record Invitations(String event, String emailProperty) {}

  private static final List<String> FACT_COLUMNS = List.of("event_date", "fact", "workspace_id", "user_id", "anonymous_id",
      "email", "name", "calls", "first_ts", "last_ts", "source_ingested_at");

  /**
   * Sums up product events by day into what identity resolution needs of them (the rows of silver.identity_daily):
   * the merges below give from these what they would give from all the events, so a run adds only the new days.
   */
  public static Dataset<Row> identityFacts(Dataset<Row> events, Invitations invitations) {
    Column email = element_at(col("traits"), "email");
    Column name = element_at(col("traits"), "name");
    Dataset<Row> day = spanned(events.groupBy("event_date"));
    Dataset<Row> identify = spanned(events.where(col("event_type").equalTo("identify").and(col("anonymous_id").isNotNull())
            .and(col("user_id").isNotNull())).groupBy("event_date", "anonymous_id", "user_id"));
    Dataset<Row> profile = spanned(events.where(col("user_id").isNotNull().and(email.isNotNull())).groupBy("event_date", "user_id"),
        Picks.latest(email, col("event_ts")).as("email"), Picks.latest(name, col("event_ts")).as("name"));
    Dataset<Row> group = spanned(events.where(col("event_type").equalTo("group").and(col("workspace_id").isNotNull()))
        .groupBy("event_date", "workspace_id"), Picks.latest(name, col("event_ts")).as("name"));
    Dataset<Row> member = spanned(events.where(col("workspace_id").isNotNull().and(col("user_id").isNotNull()))
        .groupBy("event_date", "workspace_id", "user_id"));
    Column invited = functions.lower(functions.trim(element_at(col("properties"), invitations.emailProperty())));
    Dataset<Row> invite = spanned(events.where(col("event_type").equalTo("track")
            .and(col("event_name").equalTo(invitations.event())).and(col("user_id").isNotNull()).and(invited.isNotNull()))
        .groupBy(col("event_date"), col("workspace_id"), col("user_id"), invited.as("email")));
    return Stream.of(fact(day, Fact.DAY), fact(identify, Fact.IDENTIFY), fact(profile, Fact.PROFILE), fact(group, Fact.GROUP),
            fact(member, Fact.MEMBER), fact(invite, Fact.INVITE))
        .reduce(Dataset::unionByName).orElseThrow()
        .transform(ResolveTransforms::stampedByDay)
        .select(FACT_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
  }

  /** The groups' values, then their calls, first and last call and latest ingest time. */
  private static Dataset<Row> spanned(RelationalGroupedDataset groups, Column... values) {
    Column[] all = Stream.concat(Stream.of(values), Stream.of(count(lit(1)).as("calls"), min(col("event_ts")).as("first_ts"),
        max(col("event_ts")).as("last_ts"), max(col("_ingested_at")).as("ingested"))).toArray(Column[]::new);
    return groups.agg(all[0], Arrays.copyOfRange(all, 1, all.length));
  }

  private static Dataset<Row> fact(Dataset<Row> rows, Fact fact) {
    List<String> have = List.of(rows.columns());
    Stream<Column> columns = Stream.of("workspace_id", "user_id", "anonymous_id", "email", "name")
        .map(c -> have.contains(c) ? col(c) : lit(null).cast("string").as(c));
    return rows.select(Stream.concat(Stream.of(col("event_date"), lit(fact.name()).as("fact")),
        Stream.concat(columns, Stream.of(col("calls"), col("first_ts"), col("last_ts"), col("ingested")))).toArray(Column[]::new));
  }

  private static Dataset<Row> facts(Dataset<Row> identityDaily, Fact fact) {
    return identityDaily.where(col("fact").equalTo(fact.name()));
  }

  /**
   * anonymous_id -> user_id from identify calls that carry both; the earliest identify wins a shared device.
   * {@code identityDaily}: rows of {@link #identityFacts}.
   */
  public static Dataset<Row> stitchAnonymous(Dataset<Row> identityDaily) {
    return facts(identityDaily, Fact.IDENTIFY).groupBy("anonymous_id")
        .agg(Picks.earliest(col("user_id"), col("first_ts")).as("user_id"), countDistinct("user_id").as("candidates"));
  }

  /** user_id -> latest email and name from identify traits (or any call's traits), and the first call with an email. */
  public static Dataset<Row> userProfiles(Dataset<Row> identityDaily) {
    return facts(identityDaily, Fact.PROFILE).groupBy("user_id")
        .agg(Picks.latest(col("email"), col("last_ts")).as("email"), Picks.latest(col("name"), col("last_ts")).as("name"),
            min(col("first_ts")).as("first_seen_at"));
  }

  /**
   * Workspaces the product knows: named by a group call, or by a subscription's metadata; with the first time
   * either named it ({@code first_seen}), which dates a workspace no member has called from yet.
   */
  public static Dataset<Row> knownWorkspaces(Dataset<Row> identityDaily, Dataset<Row> subscriptions) {
    Dataset<Row> grouped = facts(identityDaily, Fact.GROUP).groupBy("workspace_id")
        .agg(Picks.latest(col("name"), col("last_ts")).as("name"), min(col("first_ts")).as("first_seen"));
    Dataset<Row> billed = subscriptions.select(element_at(col("metadata"), "workspace_id").as("workspace_id"),
            col("event_ts"))
        .where(col("workspace_id").isNotNull()).groupBy("workspace_id").agg(min(col("event_ts")).as("first_seen"))
        .withColumn("name", lit(null).cast("string"));
    return grouped.unionByName(billed).groupBy("workspace_id")
        .agg(max(col("name")).as("name"), min(col("first_seen")).as("first_seen"));
  }

  /** (workspace_id, user_id) with the member's activity: calls and first call in the workspace. */
  public static Dataset<Row> members(Dataset<Row> identityDaily) {
    return facts(identityDaily, Fact.MEMBER).groupBy("workspace_id", "user_id")
        .agg(sum(col("calls")).as("activity"), min(col("first_ts")).as("joined_at"));
  }

  /**
   * What tells the company of a user whose own email does not (a founder who signed up with gmail), strongest first:
   * their CRM record ({@link #crmDomainsByEmail}), the work address of their support tickets and forms ({@link
   * #workDomainsByName}), the colleague who invited them ({@link #invitedBy}), the colleagues they invited ({@link
   * #invitedColleagues}). A workspace with no business-domain member goes where its members' evidence points, under the
   * rule {@code MEMBER_<kind>} of the strongest evidence for it.
   */
  public enum Evidence {
    CRM_RECORD, WORK_ADDRESS, INVITED_BY, INVITED_COLLEAGUES;

    /** The workspace rule this evidence gives. */
    public String rule() {
      return "MEMBER_" + name();
    }
  }

  /** The rule of a workspace named after a company that no member's evidence names. */
  public static final String WORKSPACE_NAME = "WORKSPACE_NAME";

  /**
   * Each user's strongest evidence of a company: of {@code found} (per kind, frames of user_id and crm_domain), the
   * strongest kind the user has (of two domains of one kind, the first alphabetically). Out: user_id, crm_domain,
   * evidence (the kind), strength (its order, 0 the strongest).
   */
  public static Dataset<Row> strongestEvidence(Map<Evidence, Dataset<Row>> found) {
    Dataset<Row> all = found.entrySet().stream().map(e -> e.getValue().select(col("user_id"), col("crm_domain"),
            lit(e.getKey().name()).as("evidence"), lit(e.getKey().ordinal()).as("strength")))
        .reduce(Dataset::unionByName).orElseThrow();
    return all.withColumn("rank", row_number().over(Window.partitionBy("user_id").orderBy(col("strength"), col("crm_domain"))))
        .where(col("rank").equalTo(1)).drop("rank");
  }

  /**
   * One row per known workspace: the account it rolls up to by the majority of its members' business domains; when
   * none has one (founders who signed up with gmail), by the majority of the domains their evidence names ({@link
   * Evidence}); else the company it is named after ({@link #namedAfter}, WORKSPACE_NAME); else a personal account.
   * {@code members}: workspace_id, user_id, joined_at; {@code userDomains}: user_id, domain, business; {@code
   * userEvidence}: user_id, crm_domain, strength ({@link #strongestEvidence}); {@code named}: workspace_id,
   * name_domain.
   */
  public static Dataset<Row> assignWorkspaces(Dataset<Row> known, Dataset<Row> members, Dataset<Row> userDomains,
                                              Dataset<Row> userEvidence, Dataset<Row> named) {
    Dataset<Row> m = members.join(userDomains, "user_id");
    Dataset<Row> byEmail = majority(m.where(col("business")), "domain", "winner", "domains", "tied", "business_members");
    Dataset<Row> evidenced = members.join(userEvidence, "user_id").where(col("crm_domain").isNotNull());
    Dataset<Row> byCrm = majority(evidenced, "crm_domain", "crm_winner", "crm_domains", "crm_tied", "crm_members");
    // The rule names the strongest evidence among the members whose evidence names the winning domain.
    Dataset<Row> strongest = evidenced.join(byCrm.select("workspace_id", "crm_winner"), "workspace_id")
        .where(col("crm_domain").equalTo(col("crm_winner"))).groupBy("workspace_id").agg(min("strength").as("strength"));
    Column evidenceRule = functions.element_at(functions.array(Stream.of(Evidence.values()).map(e -> lit(e.rule()))
        .toArray(Column[]::new)), col("strength").plus(1));
    Dataset<Row> counts = members.groupBy("workspace_id").agg(count(lit(1)).as("members"), min("joined_at").as("created_at"));
    Column business = col("winner").isNotNull();
    Column crm = not(business).and(col("crm_winner").isNotNull());
    Column byName = not(business).and(not(crm)).and(col("name_domain").isNotNull());
    Column personal = not(business).and(not(crm)).and(not(byName));
    Column tie = lit("; tie broken by the earliest member's domain");
    return known.join(counts, new String[] {"workspace_id"}, "left")
        .join(byEmail, new String[] {"workspace_id"}, "left").join(byCrm, new String[] {"workspace_id"}, "left")
        .join(strongest, new String[] {"workspace_id"}, "left")
        .join(named.select("workspace_id", "name_domain"), new String[] {"workspace_id"}, "left")
        .select(
            col("workspace_id"),
            col("name"),
            when(business, col("winner")).when(crm, col("crm_winner")).when(byName, col("name_domain"))
                .otherwise(concat(lit(IdentityRules.PERSONAL_PREFIX), col("workspace_id"))).as("account_id"),
            personal.as("is_personal"),
            when(business, lit("MEMBER_DOMAIN_MAJORITY")).when(crm, evidenceRule).when(byName, lit(WORKSPACE_NAME))
                .otherwise(lit("PERSONAL_WORKSPACE")).as("rule"),
            when(business, concat(lit("members by business domain: "), col("domains"),
                    when(col("tied").gt(1), tie).otherwise(lit(""))))
                .when(crm, concat(lit("no member with a business-domain email; members by the company their CRM "
                    + "record, work address or invitations name: "), col("crm_domains"),
                    when(col("crm_tied").gt(1), tie).otherwise(lit(""))))
                .when(byName, format_string("no member with a business-domain email or other evidence; named \"%s\" "
                    + "after the company of %s (firmographics or CRM account name)", col("name"), col("name_domain")))
                .otherwise(lit("no member with a business-domain email, evidence of a company, or a company's name"))
                .as("evidence"),
            coalesce(col("members"), lit(0L)).as("members"),
            coalesce(col("business_members"), lit(0L)).as("business_members"),
            // A workspace only billing names (a subscription, no member call yet) exists from its first naming.
            coalesce(col("created_at"), col("first_seen")).as("created_at"));
  }

  /** Legal forms a company's or workspace's name may end with: left out when names are compared. */
  private static final String LEGAL_FORMS = "inc|llc|ltd|limited|gmbh|ag|sa|sas|sarl|bv|nv|plc|pty|co|corp|corporation|oy|ab|srl|spa";

  /** A name as names are compared: lower case, its letters and digits in words one space apart, no legal form at the end. */
  static Column comparableName(Column name) {
    Column words = functions.trim(functions.regexp_replace(functions.lower(name), "[^\\p{L}\\p{N}]+", " "));
    return functions.regexp_replace(words, "( (" + LEGAL_FORMS + "))+$", "");
  }

  /**
   * The names companies are known by, from firmographics and CRM accounts ({@code names}: account_id, name): each
   * name, as compared, that names one account only, and has three characters or more. Out: company_name, name_domain.
   */
  public static Dataset<Row> companyNames(Dataset<Row> names) {
    return names.withColumn("company_name", comparableName(col("name")))
        .where(functions.length(col("company_name")).geq(3))
        .groupBy("company_name").agg(countDistinct("account_id").as("accounts"), first("account_id").as("name_domain"))
        .where(col("accounts").equalTo(1)).select("company_name", "name_domain");
  }

  /**
   * The company a workspace is named after: the longest run of its name's first words (up to six) that is a
   * company's name ({@link #companyNames}): "Acme", "ACME Inc.", "Acme - Marketing" and "Acme 2" are Acme's.
   * {@code known}: workspace_id, name. Out: workspace_id, name_domain.
   */
  public static Dataset<Row> namedAfter(Dataset<Row> known, Dataset<Row> companyNames) {
    Column prefixes = functions.transform(functions.sequence(lit(1), functions.least(functions.size(col("words")), lit(6))),
        k -> functions.array_join(functions.slice(col("words"), lit(1), k), " "));
    return known.where(col("name").isNotNull())
        .withColumn("words", functions.split(comparableName(col("name")), " "))
        .select(col("workspace_id"), functions.explode(prefixes).as("company_name"))
        .join(companyNames, "company_name")
        .withColumn("rank", row_number().over(Window.partitionBy("workspace_id")
            .orderBy(functions.length(col("company_name")).desc())))
        .where(col("rank").equalTo(1)).select("workspace_id", "name_domain");
  }

  /**
   * The company a free-mail user invites colleagues from: the business domain most of the addresses they invited
   * are at (a tie: the first invited), for users with no business-domain email. {@code identityDaily}: rows of
   * {@link #identityFacts}; {@code profiles}: user_id, business; {@code providers}: mail providers' domains beside the
   * free-mail lists. Out: user_id, crm_domain.
   */
  public static Dataset<Row> invitedColleagues(Dataset<Row> identityDaily, Dataset<Row> profiles, Set<String> providers) {
    Dataset<Row> invited = IdentityRules.classifyEmail(facts(identityDaily, Fact.INVITE).select("user_id", "email", "first_ts"),
        "email", providers).where(col("business"));
    return invited.join(profiles.where(not(col("business"))).select("user_id"), "user_id")
        .groupBy("user_id", "domain").agg(countDistinct("email_norm").as("n"), min("first_ts").as("first_invited"))
        .withColumn("pick", row_number().over(Window.partitionBy("user_id")
            .orderBy(col("n").desc(), col("first_invited"), col("domain"))))
        .where(col("pick").equalTo(1))
        .select(col("user_id"), col("domain").as("crm_domain"));
  }

  /**
   * Per workspace, the domain most of its members have ({@code domainColumn} of {@code m}: workspace_id, user_id,
   * joined_at and the domain): the winner (a tie goes to the domain whose member joined first, then alphabetically),
   * every domain with its count, how many tied at the top, and how many members had one; named as given.
   */
  private static Dataset<Row> majority(Dataset<Row> m, String domainColumn, String winner, String domains, String tied,
                                       String counted) {
    Dataset<Row> perDomain = m.groupBy(col("workspace_id"), col(domainColumn).as("d"))
        .agg(count(lit(1)).as("n"), min(col("joined_at")).as("first_joined"));
    Dataset<Row> ranked = perDomain.withColumn("rank", row_number().over(
        Window.partitionBy("workspace_id").orderBy(col("n").desc(), col("first_joined").asc(), col("d").asc())));
    Dataset<Row> evidence = perDomain.groupBy("workspace_id").agg(
        concat_ws(", ", array_sort(collect_list(format_string("%s: %d", col("d"), col("n"))))).as(domains),
        max(col("n")).as("top_n"),
        sum(col("n")).as(counted));
    Dataset<Row> ties = perDomain.join(evidence.select("workspace_id", "top_n"), "workspace_id")
        .where(col("n").equalTo(col("top_n"))).groupBy("workspace_id").agg(count(lit(1)).as(tied));
    return ranked.where(col("rank").equalTo(1)).select(col("workspace_id"), col("d").as(winner))
        .join(evidence.drop("top_n"), "workspace_id").join(ties, "workspace_id");
  }

  /**
   * The company of the colleague who invited a free-mail user: for each user with no business-domain email whose
   * address a user with one invited (into any workspace), the inviter's domain; of several, the first invitation's.
   * {@code identityDaily}: rows of {@link #identityFacts}; {@code profiles}: user_id, email_norm, domain, business.
   * Out: user_id, crm_domain.
   */
  public static Dataset<Row> invitedBy(Dataset<Row> identityDaily, Dataset<Row> profiles) {
    Dataset<Row> invites = facts(identityDaily, Fact.INVITE)
        .select(col("user_id").as("inviter_id"), EmailRules.normalize(col("email")).as("email_norm"), col("first_ts"));
    Dataset<Row> inviters = profiles.where(col("business")).select(col("user_id").as("inviter_id"),
        col("domain").as("crm_domain"));
    Dataset<Row> invitees = profiles.where(not(col("business")).and(col("email_norm").isNotNull()))
        .select("user_id", "email_norm");
    return invites.join(inviters, "inviter_id").join(invitees, "email_norm")
        .withColumn("pick", row_number().over(Window.partitionBy("user_id").orderBy(col("first_ts"), col("crm_domain"))))
        .where(col("pick").equalTo(1))
        .select("user_id", "crm_domain");
  }

  /**
   * The company a person's CRM record names, by normalised email: the registrable domain of their Contact's Account
   * Website, else of their Lead's Website (what a founder who signed up with gmail gave sales). {@code contacts},
   * {@code leads}: latest versions; {@code crmAccounts}: latest versions of Salesforce accounts. Out: email_norm,
   * crm_domain; one row per email (the most recently created record's).
   */
  public static Dataset<Row> crmDomainsByEmail(Dataset<Row> contacts, Dataset<Row> leads, Dataset<Row> crmAccounts) {
    Dataset<Row> accountSite = crmAccounts.select(col("id").as("account_ref"),
        IdentityRules.websiteDomain(col("website")).as("crm_domain"));
    Dataset<Row> fromContacts = contacts
        .join(accountSite, contacts.col("account_id").equalTo(accountSite.col("account_ref")))
        .select(EmailRules.normalize(col("email")).as("email_norm"), col("crm_domain"), lit(0).as("strength"),
            col("created_at"));
    Dataset<Row> fromLeads = leads.where(not(coalesce(col("is_converted"), lit(false))))
        .select(EmailRules.normalize(col("email")).as("email_norm"),
            IdentityRules.websiteDomain(col("website")).as("crm_domain"), lit(1).as("strength"), col("created_at"));
    Column business = not(functions.call_udf(IdentityRules.FREE_MAIL, col("crm_domain")))
        .and(not(functions.call_udf(IdentityRules.DISPOSABLE, col("crm_domain"))));
    return fromContacts.unionByName(fromLeads)
        .where(col("email_norm").isNotNull().and(col("crm_domain").isNotNull()).and(business))
        .withColumn("rank", row_number().over(Window.partitionBy("email_norm")
            .orderBy(col("strength").asc(), col("created_at").desc(), col("crm_domain").asc())))
        .where(col("rank").equalTo(1)).select("email_norm", "crm_domain");
  }

  /**
   * The company a free-mail product user works at, from a support ticket or form they sent from their work address:
   * the same person by full name (two words or more, case and spacing aside). Only where the name is unambiguous:
   * one product user has it, and every business address sent under it is of one registrable domain. {@code profiles}:
   * user_id, name, business (see {@link IdentityRules#classifyEmail}); {@code records}: email, name (the sender as the
   * ticket or form gives them); {@code providers}: mail providers' domains beside the free-mail lists. Out: user_id,
   * crm_domain.
   */
  public static Dataset<Row> workDomainsByName(Dataset<Row> profiles, Dataset<Row> records, Set<String> providers) {
    Column fullName = functions.lower(functions.trim(functions.regexp_replace(col("name"), "\\s+", " ")));
    Column twoWords = col("full_name").contains(" ");
    Dataset<Row> users = profiles.withColumn("full_name", fullName).where(col("full_name").isNotNull().and(twoWords));
    Dataset<Row> unique = users.groupBy("full_name").agg(count(lit(1)).as("users"), functions.first("user_id").as("user_id"),
            functions.first("business").as("business"))
        .where(col("users").equalTo(1).and(not(col("business"))));
    Dataset<Row> sent = IdentityRules.classifyEmail(records, "email", providers).where(col("business"))
        .withColumn("full_name", fullName)
        .where(col("full_name").isNotNull().and(twoWords))
        .groupBy("full_name").agg(functions.countDistinct("domain").as("domains"), functions.first("domain").as("crm_domain"))
        .where(col("domains").equalTo(1));
    return unique.join(sent, "full_name").select("user_id", "crm_domain");
  }

  /** For each user, the workspace they are most active in (ties: the one they joined first). */
  public static Dataset<Row> mainWorkspace(Dataset<Row> members) {
    return members.withColumn("rank", row_number().over(
            Window.partitionBy("user_id").orderBy(col("activity").desc(), col("joined_at").asc(), col("workspace_id").asc())))
        .where(col("rank").equalTo(1)).select("user_id", "workspace_id");
  }

  /**
   * A person's account: their business domain; else the account of their main workspace (a free-mail user in a
   * business workspace); else that workspace's personal account. {@code people}: person_id, domain, business,
   * main_workspace_id; {@code workspaces}: workspace_id, account_id, is_personal.
   */
  public static Dataset<Row> assignPeople(Dataset<Row> people, Dataset<Row> workspaces) {
    Dataset<Row> ws = workspaces.select(col("workspace_id").as("main_workspace_id"), col("account_id").as("ws_account"),
        col("is_personal").as("ws_personal"));
    Dataset<Row> j = people.join(ws, new String[] {"main_workspace_id"}, "left");
    return j.withColumn("account_id", when(col("business"), col("domain")).otherwise(col("ws_account")))
        .withColumn("account_rule",
            when(col("business"), lit("EMAIL_DOMAIN"))
                .when(col("ws_account").isNotNull().and(not(col("ws_personal"))), lit("WORKSPACE_MEMBERSHIP"))
                .when(col("ws_account").isNotNull(), lit("PERSONAL_WORKSPACE")))
        .drop("ws_account", "ws_personal");
  }

  /**
   * Every current identity link with its rule and evidence: anonymous -> user (IDENTIFY), user/lead/contact ->
   * person (EMAIL, or NO_EMAIL for a user known only by id), person -> account, workspace -> account,
   * crm_account -> account (CRM_WEBSITE). Columns: the catalog's from/to/rule/evidence columns of silver.identity_links.
   */
  public static Dataset<Row> links(Dataset<Row> stitch, Dataset<Row> people, Dataset<Row> workspaces, Dataset<Row> accounts) {
    Dataset<Row> anon = stitch.select(lit("anonymous").as("from_type"), col("anonymous_id").as("from_id"),
        lit("user").as("to_type"), col("user_id").as("to_id"), lit("IDENTIFY").as("rule"),
        format_string("identify call linked it; %d candidate user(s), the earliest identify wins", col("candidates")).as("evidence"));
    Column viaEmail = when(col("person_id").startsWith(USER_PREFIX), lit("NO_EMAIL")).otherwise(lit("EMAIL"));
    Dataset<Row> users = people.select(col("person_id"), functions.explode(col("user_ids")).as("id"))
        .select(lit("user").as("from_type"), col("id").as("from_id"), lit("person").as("to_type"), col("person_id").as("to_id"),
            viaEmail.as("rule"), lit("product user's identify email, normalised").as("evidence"));
    Dataset<Row> leads = people.select(col("person_id"), functions.explode(col("lead_ids")).as("id"))
        .select(lit("lead").as("from_type"), col("id").as("from_id"), lit("person").as("to_type"), col("person_id").as("to_id"),
            lit("EMAIL").as("rule"), lit("lead email, normalised").as("evidence"));
    Dataset<Row> contacts = people.select(col("person_id"), functions.explode(col("contact_ids")).as("id"))
        .select(lit("contact").as("from_type"), col("id").as("from_id"), lit("person").as("to_type"), col("person_id").as("to_id"),
            lit("EMAIL").as("rule"), lit("contact email, normalised").as("evidence"));
    Dataset<Row> personAccount = people.where(col("account_id").isNotNull())
        .select(lit("person").as("from_type"), col("person_id").as("from_id"), lit("account").as("to_type"),
            col("account_id").as("to_id"), col("account_rule").as("rule"),
            when(col("account_rule").equalTo("EMAIL_DOMAIN"), concat(lit("business email domain "), col("email_domain")))
                .otherwise(concat(lit("most active in workspace "), col("main_workspace_id"))).as("evidence"));
    Dataset<Row> workspaceAccount = workspaces.select(lit("workspace").as("from_type"), col("workspace_id").as("from_id"),
        lit("account").as("to_type"), col("account_id").as("to_id"), col("rule"), col("evidence"));
    Dataset<Row> crm = accounts.select(col("account_id"), functions.explode(col("crm_account_ids")).as("id"))
        .select(lit("crm_account").as("from_type"), col("id").as("from_id"), lit("account").as("to_type"),
            col("account_id").as("to_id"), lit("CRM_WEBSITE").as("rule"),
            concat(lit("Website's registrable domain is "), col("account_id")).as("evidence"));
    return anon.unionByName(users).unionByName(leads).unionByName(contacts).unionByName(personAccount)
        .unionByName(workspaceAccount).unionByName(crm);
  }

  /**
   * Daily rollup of product calls: per day, workspace, user (or anonymous id while there is none), event and
   * feature, the calls, the metered quantity and the first call; with the latest ingest time of the day's events.
   */
  public static Dataset<Row> rollUpDaily(Dataset<Row> events) {
    Column eventName = when(col("event_type").equalTo("track"), col("event_name"))
        .when(col("event_type").equalTo("page"), concat(lit("Page: "), coalesce(col("page_name"), lit("(unnamed)"))))
        .otherwise(col("event_type"));
    Column feature = when(col("event_name").equalTo("Feature Used"), element_at(col("properties"), "feature"));
    Column quantity = coalesce(element_at(col("properties"), "count").cast("long"), lit(1L));
    Dataset<Row> perGroup = events
        .withColumn("anon", when(col("user_id").isNull(), col("anonymous_id")))
        .groupBy(col("event_date"), col("workspace_id"), col("user_id"), col("anon").as("anonymous_id"),
            eventName.as("event_name_"), feature.as("feature"))
        .agg(count(lit(1)).as("events"), sum(quantity).as("quantity"), min(col("event_ts")).as("first_ts"),
            max(col("_ingested_at")).as("ingested"));
    return stampedByDay(perGroup)
        .select(col("event_date"), col("workspace_id"), col("user_id"), col("anonymous_id"),
            col("event_name_").as("event_name"), col("feature"), col("events"), col("quantity"), col("first_ts"),
            col("source_ingested_at"));
  }

  /**
   * Adds source_ingested_at, the latest ingest time ({@code ingested}) of each day's rows: what tells resolve that a
   * day it built has newer events.
   */
  private static Dataset<Row> stampedByDay(Dataset<Row> rows) {
    return rows.withColumn("source_ingested_at", max(col("ingested")).over(Window.partitionBy("event_date")));
  }
}
