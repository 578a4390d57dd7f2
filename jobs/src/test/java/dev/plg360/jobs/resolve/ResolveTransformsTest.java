package dev.plg360.jobs.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.identity.IdentityRules;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The workspace and person rules of identity resolution on tiny frames: majorities, ties, free mail, two workspaces. */
class ResolveTransformsTest extends SparkTestBase {

  private static final StructType MEMBERS = new StructType().add("workspace_id", DataTypes.StringType)
      .add("user_id", DataTypes.StringType).add("activity", DataTypes.LongType).add("joined_at", DataTypes.TimestampType);
  /** Product events as resolve reads them, for the invitation facts. */
  private static final StructType EVENTS = new StructType().add("event_date", DataTypes.DateType)
      .add("event_type", DataTypes.StringType).add("event_name", DataTypes.StringType).add("user_id", DataTypes.StringType)
      .add("anonymous_id", DataTypes.StringType).add("workspace_id", DataTypes.StringType)
      .add("event_ts", DataTypes.TimestampType).add("_ingested_at", DataTypes.TimestampType)
      .add("traits", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
      .add("properties", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
  private static final StructType USERS = new StructType().add("user_id", DataTypes.StringType)
      .add("domain", DataTypes.StringType).add("business", DataTypes.BooleanType);

  private static Timestamp at(String iso) {
    return Timestamp.from(instant(iso));
  }

  private static void member(FrameBuilder f, String workspace, String user, long activity, String joined) {
    f.row("workspace_id", workspace, "user_id", user, "activity", activity, "joined_at", at(joined));
  }

  private Map<String, Row> workspaces() {
    FrameBuilder m = frame(MEMBERS);
    // ws_tie: one acme.io and one globex.com member; acme's joined first, so acme wins the tie.
    member(m, "ws_tie", "g1", 5, "2026-05-02T10:00:00Z");
    member(m, "ws_tie", "a1", 5, "2026-05-01T10:00:00Z");
    // ws_major: two globex.com members outvote an earlier acme.io one, and a gmail user does not count.
    member(m, "ws_major", "a2", 1, "2026-05-01T09:00:00Z");
    member(m, "ws_major", "g2", 1, "2026-05-03T09:00:00Z");
    member(m, "ws_major", "g3", 1, "2026-05-04T09:00:00Z");
    member(m, "ws_major", "f1", 9, "2026-05-01T08:00:00Z");
    // ws_free: free mail only.
    member(m, "ws_free", "f2", 3, "2026-05-05T09:00:00Z");
    // ws_founders: two gmail founders; sales knows one as a Contact of initech.com. A business member would outvote it
    // (ws_major's f1 has a CRM record too, and does not move ws_major).
    member(m, "ws_founders", "f3", 8, "2026-05-07T09:00:00Z");
    member(m, "ws_founders", "f4", 2, "2026-05-08T09:00:00Z");
    // ws_inviters: two gmail members whose evidence names umbrella.com, one by a work address, one by the colleagues
    // he invited: the rule names the stronger.
    member(m, "ws_inviters", "f5", 4, "2026-05-09T09:00:00Z");
    member(m, "ws_inviters", "f6", 4, "2026-05-09T10:00:00Z");
    // ws_named: a gmail member with no evidence, in a workspace named after a company.
    member(m, "ws_named", "f7", 1, "2026-05-10T09:00:00Z");
    FrameBuilder u = frame(USERS)
        .row("user_id", "a1", "domain", "acme.io", "business", true).row("user_id", "a2", "domain", "acme.io", "business", true)
        .row("user_id", "g1", "domain", "globex.com", "business", true).row("user_id", "g2", "domain", "globex.com", "business", true)
        .row("user_id", "g3", "domain", "globex.com", "business", true).row("user_id", "f1", "domain", "gmail.com", "business", false)
        .row("user_id", "f2", "domain", "gmail.com", "business", false)
        .row("user_id", "f3", "domain", "gmail.com", "business", false).row("user_id", "f4", "domain", "icloud.com", "business", false)
        .row("user_id", "f5", "domain", "gmail.com", "business", false).row("user_id", "f6", "domain", "gmail.com", "business", false)
        .row("user_id", "f7", "domain", "gmail.com", "business", false);
    StructType found = new StructType().add("user_id", DataTypes.StringType).add("crm_domain", DataTypes.StringType);
    Dataset<Row> evidence = ResolveTransforms.strongestEvidence(Map.of(
        ResolveTransforms.Evidence.CRM_RECORD, frame(found).row("user_id", "f3", "crm_domain", "initech.com")
            .row("user_id", "f1", "crm_domain", "hooli.com").build(),
        ResolveTransforms.Evidence.WORK_ADDRESS, frame(found).row("user_id", "f6", "crm_domain", "umbrella.com").build(),
        // f3's CRM record is stronger than whom he invited.
        ResolveTransforms.Evidence.INVITED_COLLEAGUES, frame(found).row("user_id", "f5", "crm_domain", "umbrella.com")
            .row("user_id", "f3", "crm_domain", "hooli.com").build()));
    // A name beside a member's evidence does not count: ws_founders is named after another company.
    Dataset<Row> named = frame(new StructType().add("workspace_id", DataTypes.StringType).add("name_domain", DataTypes.StringType))
        .row("workspace_id", "ws_named", "name_domain", "wayne.com").row("workspace_id", "ws_founders", "name_domain", "acme.io")
        .build();
    Dataset<Row> known = frame(new StructType().add("workspace_id", DataTypes.StringType).add("name", DataTypes.StringType)
        .add("first_seen", DataTypes.TimestampType))
        .row("workspace_id", "ws_tie", "first_seen", at("2026-05-01T09:00:00Z"))
        .row("workspace_id", "ws_major", "first_seen", at("2026-04-30T09:00:00Z"))
        .row("workspace_id", "ws_free", "first_seen", at("2026-05-05T09:00:00Z"))
        .row("workspace_id", "ws_founders", "first_seen", at("2026-05-07T09:00:00Z"))
        .row("workspace_id", "ws_inviters", "first_seen", at("2026-05-09T09:00:00Z"))
        .row("workspace_id", "ws_named", "name", "Wayne Enterprises", "first_seen", at("2026-05-10T09:00:00Z"))
        .row("workspace_id", "ws_billed", "first_seen", at("2026-05-06T12:00:00Z")).build();
    Map<String, Row> out = new HashMap<>();
    for (Row r : ResolveTransforms.assignWorkspaces(known, m.build(), u.build(), evidence, named).collectAsList()) {
      out.put(r.getAs("workspace_id"), r);
    }
    return out;
  }

  @Test
  void aWorkspaceBelongsToItsMembersMajorityDomainAndATieIsExplained() {
    Map<String, Row> ws = workspaces();
    assertEquals("acme.io", ws.get("ws_tie").getAs("account_id"));
    assertTrue(ws.get("ws_tie").<String>getAs("evidence").contains("tie broken by the earliest member's domain"),
        ws.get("ws_tie").<String>getAs("evidence"));
    assertEquals("globex.com", ws.get("ws_major").getAs("account_id"));
    assertEquals("members by business domain: acme.io: 1, globex.com: 2", ws.get("ws_major").getAs("evidence"));
    assertEquals(3L, ws.get("ws_major").<Long>getAs("business_members"), "the gmail member is not a business member");
    assertEquals(4L, ws.get("ws_major").<Long>getAs("members"));
    assertEquals("personal:ws_free", ws.get("ws_free").getAs("account_id"));
    assertEquals("PERSONAL_WORKSPACE", ws.get("ws_free").getAs("rule"));
    assertEquals(List.of("initech.com", false, "MEMBER_CRM_RECORD",
            "no member with a business-domain email; members by the company their CRM record, work address or invitations "
                + "name: initech.com: 1"),
        List.of(ws.get("ws_founders").getAs("account_id"), ws.get("ws_founders").getAs("is_personal"),
            ws.get("ws_founders").getAs("rule"), ws.get("ws_founders").getAs("evidence")),
        "gmail founders belong to the company sales knows them by");
    assertEquals(List.of("umbrella.com", "MEMBER_WORK_ADDRESS"),
        List.of(ws.get("ws_inviters").getAs("account_id"), ws.get("ws_inviters").getAs("rule")),
        "of the evidence for the winning company, the rule names the strongest");
    assertEquals(List.of("wayne.com", false, "WORKSPACE_NAME", "no member with a business-domain email or other evidence; "
            + "named \"Wayne Enterprises\" after the company of wayne.com (firmographics or CRM account name)"),
        List.of(ws.get("ws_named").getAs("account_id"), ws.get("ws_named").getAs("is_personal"),
            ws.get("ws_named").getAs("rule"), ws.get("ws_named").getAs("evidence")));
    assertEquals("MEMBER_DOMAIN_MAJORITY", ws.get("ws_major").getAs("rule"), "business members outvote a CRM record");
    assertEquals(at("2026-05-01T08:00:00Z"), ws.get("ws_major").getAs("created_at"), "its first member's call");
    assertEquals(at("2026-05-06T12:00:00Z"), ws.get("ws_billed").getAs("created_at"),
        "a workspace only a subscription names exists from that subscription, not never");
    assertEquals(0L, ws.get("ws_billed").<Long>getAs("members"));
  }

  /** The company a CRM record names, by email: a Contact's Account first, then an unconverted Lead's Website. */
  @Test
  void aPersonsCrmRecordNamesTheirCompany() {
    IdentityRules.registerUdfs(spark());
    StructType contactSchema = new StructType().add("id", DataTypes.StringType).add("account_id", DataTypes.StringType)
        .add("email", DataTypes.StringType).add("created_at", DataTypes.TimestampType);
    StructType leadSchema = new StructType().add("id", DataTypes.StringType).add("email", DataTypes.StringType)
        .add("website", DataTypes.StringType).add("is_converted", DataTypes.BooleanType).add("created_at", DataTypes.TimestampType);
    StructType accountSchema = new StructType().add("id", DataTypes.StringType).add("website", DataTypes.StringType);
    Dataset<Row> contacts = frame(contactSchema)
        .row("id", "003A", "account_id", "001A", "email", "Fay.Smith@GMAIL.com", "created_at", at("2026-05-01T00:00:00Z"))
        .row("id", "003B", "account_id", "001X", "email", "nobody@gmail.com", "created_at", at("2026-05-01T00:00:00Z")).build();
    Dataset<Row> leads = frame(leadSchema)
        .row("id", "00QA", "email", "faysmith@gmail.com", "website", "https://www.other.io", "is_converted", false,
            "created_at", at("2026-06-01T00:00:00Z"))
        .row("id", "00QB", "email", "bo@yahoo.com", "website", "https://eu.bo-corp.co.uk/about", "is_converted", false,
            "created_at", at("2026-05-01T00:00:00Z"))
        .row("id", "00QC", "email", "cy@hotmail.com", "website", "gmail.com", "is_converted", false,
            "created_at", at("2026-05-01T00:00:00Z"))
        .row("id", "00QD", "email", "di@gmail.com", "website", "dunder.io", "is_converted", true,
            "created_at", at("2026-05-01T00:00:00Z")).build();
    Dataset<Row> accounts = frame(accountSchema).row("id", "001A", "website", "initech.com").build();
    Map<String, String> byEmail = new HashMap<>();
    for (Row r : ResolveTransforms.crmDomainsByEmail(contacts, leads, accounts).collectAsList()) {
      byEmail.put(r.getString(0), r.getString(1));
    }
    assertEquals(Map.of("faysmith@gmail.com", "initech.com", "bo@yahoo.com", "bo-corp.co.uk"), byEmail,
        "the Contact's Account before a Lead's Website (Gmail's dots and case fold); a free-mail Website, a converted "
            + "Lead and a Contact whose Account is unknown name no company");
  }

  @Test
  void peopleTakeTheirBusinessDomainElseTheirMainWorkspacesAccount() {
    Map<String, Row> ws = workspaces();
    Dataset<Row> workspaces = frame(new StructType().add("workspace_id", DataTypes.StringType)
        .add("account_id", DataTypes.StringType).add("is_personal", DataTypes.BooleanType))
        .row("workspace_id", "ws_major", "account_id", ws.get("ws_major").getAs("account_id"), "is_personal", false)
        .row("workspace_id", "ws_free", "account_id", ws.get("ws_free").getAs("account_id"), "is_personal", true)
        .row("workspace_id", "ws_acme2", "account_id", "acme.io", "is_personal", false).build();
    // a2 works in two workspaces of acme.io's and globex's; the main one is where she is most active.
    FrameBuilder m = frame(MEMBERS);
    member(m, "ws_major", "a2", 1, "2026-05-01T09:00:00Z");
    member(m, "ws_acme2", "a2", 7, "2026-05-06T09:00:00Z");
    member(m, "ws_major", "f1", 9, "2026-05-01T08:00:00Z");
    member(m, "ws_free", "f1", 2, "2026-04-01T08:00:00Z");
    member(m, "ws_free", "f2", 3, "2026-05-05T09:00:00Z");
    Map<String, String> main = new HashMap<>();
    for (Row r : ResolveTransforms.mainWorkspace(m.build()).collectAsList()) {
      main.put(r.getString(0), r.getString(1));
    }
    assertEquals(Map.of("a2", "ws_acme2", "f1", "ws_major", "f2", "ws_free"), main, "most active wins, not first joined");

    FrameBuilder people = frame(new StructType().add("person_id", DataTypes.StringType).add("domain", DataTypes.StringType)
        .add("business", DataTypes.BooleanType).add("main_workspace_id", DataTypes.StringType));
    people.row("person_id", "ana@acme.io", "domain", "acme.io", "business", true, "main_workspace_id", main.get("a2"));
    people.row("person_id", "fay@gmail.com", "domain", "gmail.com", "business", false, "main_workspace_id", main.get("f1"));
    people.row("person_id", "fred@gmail.com", "domain", "gmail.com", "business", false, "main_workspace_id", main.get("f2"));
    people.row("person_id", "lead@yahoo.com", "domain", "yahoo.com", "business", false);
    Map<String, List<Object>> assigned = new HashMap<>();
    for (Row r : ResolveTransforms.assignPeople(people.build(), workspaces).collectAsList()) {
      assigned.put(r.getAs("person_id"), java.util.Arrays.asList(r.getAs("account_id"), r.getAs("account_rule")));
    }
    assertEquals(List.of("acme.io", "EMAIL_DOMAIN"), assigned.get("ana@acme.io"));
    assertEquals(List.of("globex.com", "WORKSPACE_MEMBERSHIP"), assigned.get("fay@gmail.com"),
        "a gmail user in a business workspace belongs to its company");
    assertEquals(List.of("personal:ws_free", "PERSONAL_WORKSPACE"), assigned.get("fred@gmail.com"));
    assertEquals(java.util.Arrays.asList(null, null), assigned.get("lead@yahoo.com"), "free mail and no workspace: no company");
  }

  /**
   * A gmail user's company from the work address they wrote to support or a form from, by full name: only where no
   * other product user has the name and every business address sent under it is of one company.
   */
  @Test
  void aFreeMailUsersWorkAddressInATicketOrFormNamesTheirCompany() {
    IdentityRules.registerUdfs(spark());
    StructType userSchema = new StructType().add("user_id", DataTypes.StringType).add("name", DataTypes.StringType)
        .add("business", DataTypes.BooleanType);
    FrameBuilder users = frame(userSchema)
        .row("user_id", "u1", "name", "Jane Roe", "business", false)
        .row("user_id", "u2", "name", "John Smith", "business", false)
        .row("user_id", "u3", "name", "john  smith", "business", false) // the same name: which John wrote?
        .row("user_id", "u4", "name", "Ann Lee", "business", false)
        .row("user_id", "u5", "name", "Bo", "business", false) // one word: too common to tell people apart
        .row("user_id", "u6", "name", "Kim Park", "business", true); // a business email says it already
    StructType sentSchema = new StructType().add("email", DataTypes.StringType).add("name", DataTypes.StringType);
    FrameBuilder sent = frame(sentSchema)
        .row("email", "jane.roe@Acme.io", "name", " Jane   ROE ")
        .row("email", "jane@gmail.com", "name", "Jane Roe") // her product address: says nothing of her company
        .row("email", "john@globex.com", "name", "John Smith")
        .row("email", "ann@initech.com", "name", "Ann Lee")
        .row("email", "ann.lee@umbrella.com", "name", "Ann Lee") // two companies under one name: neither
        .row("email", "bo@acme.io", "name", "Bo")
        .row("email", "kim@hooli.com", "name", "Kim Park");
    List<String> found = ResolveTransforms.workDomainsByName(users.build(), sent.build(), java.util.Set.of()).orderBy("user_id")
        .selectExpr("concat(user_id, ' ', crm_domain)").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(List.of("u1 acme.io"), found);
  }

  /**
   * Invitations, from the product's events to the company they name: a free-mail user a business-domain colleague
   * invited is that colleague's company's; of two inviters, the first invitation's; an invitation by a free-mail user,
   * or of a business address, names nothing.
   */
  @Test
  void aFreeMailUserInvitedByABusinessColleagueIsOfTheColleaguesCompany() {
    IdentityRules.registerUdfs(spark());
    FrameBuilder events = frame(EVENTS);
    invite(events, "a1", "ws_1", "2026-05-01T10:00:00Z", " Carla.M@GMAIL.com ");   // dots and case fold: carlam@gmail.com
    invite(events, "h1", "ws_9", "2026-05-02T10:00:00Z", "carlam@gmail.com");     // a later inviter from hooli.com
    invite(events, "f9", "ws_5", "2026-05-01T09:00:00Z", "dan@icloud.com");       // a free-mail inviter says nothing
    invite(events, "a1", "ws_1", "2026-05-01T11:00:00Z", "kim@hooli.com");        // a business address needs no help
    events.row("event_date", java.sql.Date.valueOf("2026-05-01"), "event_type", "track", "event_name", "Feature Used",
        "user_id", "a1", "workspace_id", "ws_1", "event_ts", at("2026-05-01T12:00:00Z"),
        "_ingested_at", at("2026-05-02T00:00:00Z"), "properties", Map.of("invitee_email", "eve@gmail.com"));
    Dataset<Row> facts = ResolveTransforms.identityFacts(events.build(),
        new ResolveTransforms.Invitations("User Invited", "invitee_email"));
    assertEquals(List.of("a1 ws_1 carla.m@gmail.com", "a1 ws_1 kim@hooli.com", "f9 ws_5 dan@icloud.com",
        "h1 ws_9 carlam@gmail.com"), facts.where("fact = 'INVITE'").orderBy("user_id", "email")
        .selectExpr("concat_ws(' ', user_id, workspace_id, email)").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList(), "one fact per inviter, workspace and address; a track call of another event is none");

    StructType profileSchema = new StructType().add("user_id", DataTypes.StringType).add("email_norm", DataTypes.StringType)
        .add("domain", DataTypes.StringType).add("business", DataTypes.BooleanType);
    Dataset<Row> profiles = frame(profileSchema)
        .row("user_id", "a1", "email_norm", "ana@acme.io", "domain", "acme.io", "business", true)
        .row("user_id", "h1", "email_norm", "hal@hooli.com", "domain", "hooli.com", "business", true)
        .row("user_id", "f9", "email_norm", "fay@gmail.com", "domain", "gmail.com", "business", false)
        .row("user_id", "c1", "email_norm", "carlam@gmail.com", "domain", "gmail.com", "business", false)
        .row("user_id", "d1", "email_norm", "dan@icloud.com", "domain", "icloud.com", "business", false)
        .row("user_id", "k1", "email_norm", "kim@hooli.com", "domain", "hooli.com", "business", true).build();
    assertEquals(List.of("c1 acme.io"), ResolveTransforms.invitedBy(facts, profiles).orderBy("user_id")
        .selectExpr("concat(user_id, ' ', crm_domain)").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  /**
   * A workspace named after a company: the longest run of its name's first words that one company's name is, as
   * names compare (case, punctuation and a legal form aside): "Wayne Enterprises 2" is Wayne Enterprises', not Wayne
   * AG's; a name two companies have, or part of a word, is none.
   */
  @Test
  void aWorkspaceIsNamedAfterTheCompanyWhoseNameItStartsWith() {
    StructType nameSchema = new StructType().add("account_id", DataTypes.StringType).add("name", DataTypes.StringType);
    Dataset<Row> companies = ResolveTransforms.companyNames(frame(nameSchema)
        .row("account_id", "acme.io", "name", "ACME Inc.").row("account_id", "acme.io", "name", "Acme")
        .row("account_id", "globex.com", "name", "Globex").row("account_id", "globex.net", "name", "Globex Corp")
        .row("account_id", "wayne.com", "name", "Wayne Enterprises").row("account_id", "wayne-ag.de", "name", "Wayne AG")
        .row("account_id", "xy.io", "name", "Xy").row("account_id", "müller.de", "name", "Müller & Söhne GmbH").build());
    assertEquals(List.of("acme acme.io", "müller söhne müller.de", "wayne wayne-ag.de", "wayne enterprises wayne.com"),
        companies.orderBy("company_name").selectExpr("concat(company_name, ' ', name_domain)")
            .as(org.apache.spark.sql.Encoders.STRING()).collectAsList(),
        "Globex names two companies; two letters are too few");
    StructType knownSchema = new StructType().add("workspace_id", DataTypes.StringType).add("name", DataTypes.StringType);
    Dataset<Row> known = frame(knownSchema)
        .row("workspace_id", "w1", "name", "Acme - Marketing").row("workspace_id", "w2", "name", "Globex")
        .row("workspace_id", "w3", "name", "Wayne Enterprises 2").row("workspace_id", "w4", "name", "Julia's workspace")
        .row("workspace_id", "w5", "name", "Acmeville").row("workspace_id", "w6", "name", "Wayne")
        .row("workspace_id", "w7", "name", "xy").row("workspace_id", "w8", "name", "MÜLLER + SÖHNE")
        .row("workspace_id", "w9", "name", null).build();
    assertEquals(List.of("w1 acme.io", "w3 wayne.com", "w6 wayne-ag.de", "w8 müller.de"),
        ResolveTransforms.namedAfter(known, companies).orderBy("workspace_id")
            .selectExpr("concat(workspace_id, ' ', name_domain)").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  /**
   * A free-mail user who invites colleagues at work addresses is of their company: the business domain most of the
   * addresses are at; invitations of free-mail addresses, and by a business-domain user, say nothing.
   */
  @Test
  void aFreeMailUserWhoInvitesWorkAddressesIsOfTheirCompany() {
    IdentityRules.registerUdfs(spark());
    FrameBuilder events = frame(EVENTS);
    invite(events, "f1", "ws_1", "2026-05-01T10:00:00Z", "kim@hooli.com");      // first, but outnumbered
    invite(events, "f1", "ws_1", "2026-05-01T11:00:00Z", "lee@Umbrella.com");
    invite(events, "f1", "ws_1", "2026-05-02T11:00:00Z", "max@eu.umbrella.com"); // a subdomain is the company's
    invite(events, "f1", "ws_1", "2026-05-02T12:00:00Z", "ann@gmail.com");
    invite(events, "f2", "ws_2", "2026-05-01T10:00:00Z", "bo@icloud.com");       // free-mail invitees only
    invite(events, "a1", "ws_3", "2026-05-01T10:00:00Z", "cy@initech.com");      // a business inviter needs no help
    Dataset<Row> facts = ResolveTransforms.identityFacts(events.build(),
        new ResolveTransforms.Invitations("User Invited", "invitee_email"));
    StructType profileSchema = new StructType().add("user_id", DataTypes.StringType).add("business", DataTypes.BooleanType);
    Dataset<Row> profiles = frame(profileSchema).row("user_id", "f1", "business", false).row("user_id", "f2", "business", false)
        .row("user_id", "a1", "business", true).build();
    assertEquals(List.of("f1 umbrella.com"), ResolveTransforms.invitedColleagues(facts, profiles, java.util.Set.of())
        .orderBy("user_id").selectExpr("concat(user_id, ' ', crm_domain)").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList());
  }

  private static void invite(FrameBuilder events, String inviter, String workspace, String ts, String invitee) {
    events.row("event_date", java.sql.Date.valueOf(ts.substring(0, 10)), "event_type", "track",
        "event_name", "User Invited", "user_id", inviter, "workspace_id", workspace, "event_ts", at(ts),
        "_ingested_at", at("2026-05-03T00:00:00Z"), "properties", Map.of("invitee_email", invitee));
  }
}
