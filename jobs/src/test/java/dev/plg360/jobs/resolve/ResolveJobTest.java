package dev.plg360.jobs.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.Accounts;
import dev.plg360.common.tables.Tables.IdentityDaily;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.ProductDaily;
import dev.plg360.common.tables.Tables.ProductEvents;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.common.tables.Tables.Workspaces;
import dev.plg360.jobs.LakeHash;
import dev.plg360.jobs.ingest.IngestJob;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resolve on the sample landing zone, whose tricky identities are listed in samples/landing/README.md, with a mail
 * provider's users beside them ({@link #MAIL_PROVIDER}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// Among the longest classes: at the end of the order, which one test thread takes first (jobs/pom.xml).
@Order(Order.DEFAULT + 5)
class ResolveJobTest extends SparkTestBase {

  private static final Path SAMPLES = Path.of("..", "samples", "landing");

  @TempDir
  static Path dir;

  private Lake lake;
  private JobContext resolved;

  @BeforeAll
  void ingestAndResolveTheSamples() throws Exception {
    startSpark();
    land(dir, p -> true);
    Settings settings = settings(dir);
    runJob(new IngestJob(), settings, date("2026-05-02"));
    resolved = runJob(new ResolveJob(), settings, date("2026-05-02"));
    lake = resolved.lake();
  }

  /**
   * Beside the samples: a mail provider that no free-mail list has yet, which Clearbit knows as one (emailProvider), a
   * workspace whose only member writes from it, and a workspace of a company's address that Clearbit knows too; a
   * gmail founder's workspace, alone the first day, joined the second by a colleague writing from the company's domain.
   */
  private static final Map<String, String> EXTRA = Map.of(
      "segment/2026-05-01/events-founder.jsonl", String.join("\n",
          "{\"messageId\":\"m81\",\"type\":\"identify\",\"userId\":\"u81\",\"timestamp\":\"2026-05-01T09:00:00Z\","
              + "\"traits\":{\"email\":\"hans.berg@gmail.com\",\"name\":\"Hans Berg\"}}",
          "{\"messageId\":\"m82\",\"type\":\"group\",\"userId\":\"u81\",\"groupId\":\"ws_81\",\"timestamp\":\"2026-05-01T09:01:00Z\","
              + "\"traits\":{\"name\":\"Kistenbau\"}}", ""),
      "segment/2026-05-02/events-colleague.jsonl", String.join("\n",
          "{\"messageId\":\"m83\",\"type\":\"identify\",\"userId\":\"u82\",\"timestamp\":\"2026-05-02T09:00:00Z\","
              + "\"traits\":{\"email\":\"ida.lind@kistenbau.de\",\"name\":\"Ida Lind\"}}",
          "{\"messageId\":\"m84\",\"type\":\"group\",\"userId\":\"u82\",\"groupId\":\"ws_81\",\"timestamp\":\"2026-05-02T09:01:00Z\","
              + "\"traits\":{\"name\":\"Kistenbau\"}}", ""),
      "segment/2026-05-01/events-mail-provider.jsonl", String.join("\n",
          "{\"messageId\":\"m71\",\"type\":\"identify\",\"userId\":\"u71\",\"timestamp\":\"2026-05-01T08:00:00Z\","
              + "\"traits\":{\"email\":\"dora@mailkiste.de\",\"name\":\"Dora Vogel\"}}",
          "{\"messageId\":\"m72\",\"type\":\"group\",\"userId\":\"u71\",\"groupId\":\"ws_71\",\"timestamp\":\"2026-05-01T08:01:00Z\","
              + "\"traits\":{\"name\":\"Dora's workspace\"}}",
          "{\"messageId\":\"m73\",\"type\":\"identify\",\"userId\":\"u72\",\"timestamp\":\"2026-05-01T08:02:00Z\","
              + "\"traits\":{\"email\":\"eli@stahlwerk-nord.de\",\"name\":\"Eli Brandt\"}}",
          "{\"messageId\":\"m74\",\"type\":\"group\",\"userId\":\"u72\",\"groupId\":\"ws_72\",\"timestamp\":\"2026-05-01T08:03:00Z\","
              + "\"traits\":{\"name\":\"Stahlwerk\"}}", ""),
      "clearbit/companies-mail-provider.jsonl", String.join("\n",
          "{\"id\":\"cb-mk\",\"name\":\"Mailkiste\",\"domain\":\"mailkiste.de\",\"emailProvider\":true,"
              + "\"metrics\":{\"employees\":40},\"indexedAt\":\"2026-04-30T00:00:00Z\"}",
          "{\"id\":\"cb-sn\",\"name\":\"Stahlwerk Nord\",\"domain\":\"stahlwerk-nord.de\",\"emailProvider\":false,"
              + "\"metrics\":{\"employees\":900},\"indexedAt\":\"2026-04-30T00:00:00Z\"}", ""));

  /**
   * Copies the landing files the filter takes (by their path under the landing folder) to dir/landing: the samples'
   * (samples/landing) and {@link #EXTRA}'s.
   */
  private static void land(Path dir, Predicate<String> take) throws Exception {
    try (Stream<Path> files = Files.walk(SAMPLES)) {
      for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".md")).toList()) {
        String name = SAMPLES.relativize(p).toString();
        Path target = dir.resolve("landing").resolve(name);
        if (take.test(name) && !Files.exists(target)) {
          Files.createDirectories(target.getParent());
          Files.copy(p, target);
        }
      }
    }
    for (Map.Entry<String, String> f : EXTRA.entrySet()) {
      Path target = dir.resolve("landing").resolve(f.getKey());
      if (take.test(f.getKey()) && !Files.exists(target)) {
        Files.createDirectories(target.getParent());
        Files.writeString(target, f.getValue());
      }
    }
  }

  private Row person(String id) {
    return lake.read(People.TABLE).where(People.PERSON_ID.col().equalTo(id)).first();
  }

  @Test
  void plusAddressingCaseAndSubdomainsFoldIntoTheCompany() {
    Row ben = person("ben.otto@acme.io");
    assertEquals("acme.io", ben.getAs(People.ACCOUNT_ID.name()));
    assertEquals("EMAIL_DOMAIN", ben.getAs(People.ACCOUNT_RULE.name()));
    assertEquals(List.of("u2"), ben.getList(ben.fieldIndex(People.USER_IDS.name())));
    assertEquals(List.of("00Q5g00000L1AAA"), ben.getList(ben.fieldIndex(People.LEAD_IDS.name())), "the lead's email folds to the same person");
    assertEquals("globex.co.uk", person("eve@eu.globex.co.uk").getAs(People.ACCOUNT_ID.name()));
  }

  @Test
  void aFreeMailUserBelongsToTheCompanyOfHerWorkspace() {
    Row carla = person("carlam@gmail.com");
    assertEquals("acme.io", carla.getAs(People.ACCOUNT_ID.name()));
    assertEquals("WORKSPACE_MEMBERSHIP", carla.getAs(People.ACCOUNT_RULE.name()));
    assertEquals(Boolean.TRUE, carla.getAs(People.IS_FREE_MAIL.name()));
    Row ws = lake.read(Workspaces.TABLE).where(Workspaces.WORKSPACE_ID.col().equalTo("ws_1")).first();
    assertEquals("acme.io", ws.getAs(Workspaces.ACCOUNT_ID.name()));
    assertTrue(((String) ws.getAs(Workspaces.EVIDENCE.name())).contains("acme.io: 2"), (String) ws.getAs(Workspaces.EVIDENCE.name()));
  }

  /**
   * A mail provider that no free-mail list has yet, which Clearbit knows as one (emailProvider): its users are people
   * of their workspace, never the provider's staff; a company's address beside it (no such record) still is.
   */
  @Test
  void aDomainClearbitKnowsAsAMailProviderMakesNoCompany() {
    Row dora = person("dora@mailkiste.de");
    assertEquals(Boolean.TRUE, dora.getAs(People.IS_FREE_MAIL.name()), "an address at a mail provider is free-mail");
    assertEquals("personal:ws_71", lake.read(Workspaces.TABLE).where(Workspaces.WORKSPACE_ID.col().equalTo("ws_71")).first()
        .getAs(Workspaces.ACCOUNT_ID.name()), "a workspace whose only member writes from a provider is nobody's company");
    assertEquals("stahlwerk-nord.de", lake.read(Workspaces.TABLE).where(Workspaces.WORKSPACE_ID.col().equalTo("ws_72"))
        .first().getAs(Workspaces.ACCOUNT_ID.name()));
    assertEquals(List.of("personal:ws_71"), lake.read(Accounts.TABLE)
        .where(functions.array_contains(Accounts.WORKSPACE_IDS.col(), "ws_71")).select(Accounts.ACCOUNT_ID.name())
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList(), "Dora's workspace is an account of its own");
    assertEquals(0, lake.read(Accounts.TABLE).where(Accounts.ACCOUNT_ID.col().equalTo("mailkiste.de")).count(),
        "no account for the provider");
    assertEquals(900L, (long) lake.read(Accounts.TABLE).where(Accounts.ACCOUNT_ID.col().equalTo("stahlwerk-nord.de"))
        .first().<Long>getAs(Accounts.EMPLOYEES.name()));
  }

  @Test
  void anonymousBrowsingIsStitchedByIdentify() {
    Row ana = person("ana@acme.io");
    assertEquals(List.of("a-77"), ana.getList(ana.fieldIndex(People.ANONYMOUS_IDS.name())));
    Row link = lake.read(IdentityLinks.TABLE).where("from_type = 'anonymous' AND from_id = 'a-77'").first();
    assertEquals("u1", link.getAs(IdentityLinks.TO_ID.name()));
    assertEquals("IDENTIFY", link.getAs(IdentityLinks.RULE.name()));
  }

  @Test
  void crmWebsitesAndFirmographicsJoinByRegistrableDomain() {
    Row initech = lake.read(Accounts.TABLE).where(Accounts.ACCOUNT_ID.col().equalTo("initech.de")).first();
    assertEquals(List.of("0015g00000InitAAA"), initech.getList(initech.fieldIndex(Accounts.CRM_ACCOUNT_IDS.name())),
        "http://eu.initech.de is initech.de");
    Row acme = lake.read(Accounts.TABLE).where(Accounts.ACCOUNT_ID.col().equalTo("acme.io")).first();
    assertEquals(250L, (long) acme.getAs(Accounts.EMPLOYEES.name()));
    assertEquals(Boolean.TRUE, acme.getAs(Accounts.HAS_FIRMOGRAPHICS.name()));
    assertEquals(List.of("ws_1"), acme.getList(acme.fieldIndex(Accounts.WORKSPACE_IDS.name())));
  }

  @Test
  void eventsForAnUnknownWorkspaceAreQuarantinedNotRolledUp() {
    List<Row> q = lake.read(Quarantine.TABLE).where("reason = 'UNKNOWN_WORKSPACE'").collectAsList();
    assertEquals(1, q.size());
    assertTrue(((String) q.get(0).getAs(Quarantine.DETAIL.name())).contains("ws_999"));
    assertEquals(0, lake.read(ProductDaily.TABLE).where("workspace_id = 'ws_999'").count());
  }

  @Test
  void anEmailThatIsNotAnAddressAndAnAccountWithoutAWebsiteAreQuarantined() {
    List<Row> email = lake.read(Quarantine.TABLE).where("reason = 'INVALID_EMAIL'").collectAsList();
    assertEquals(1, email.size(), email.toString());
    assertEquals(List.of("salesforce-lead", "salesforce/Lead.csv", 6L,
            "email 'testtest' is not an address (local@host.tld): no person is made of it"),
        List.of(email.get(0).getAs(Quarantine.SOURCE.name()), email.get(0).getAs(Quarantine.SOURCE_FILE.name()),
            email.get(0).getAs(Quarantine.LINE.name()), email.get(0).getAs(Quarantine.DETAIL.name())));
    assertEquals(0, lake.read(People.TABLE).where("lead_ids IS NOT NULL AND array_contains(lead_ids, '00Q5g00000L5AAA')")
        .count(), "no person of it");
    List<Row> domain = lake.read(Quarantine.TABLE).where("reason = 'NO_DOMAIN'").collectAsList();
    assertEquals(1, domain.size(), domain.toString());
    assertEquals(List.of("salesforce-account", "salesforce/Account.csv", 9L),
        List.of(domain.get(0).getAs(Quarantine.SOURCE.name()), domain.get(0).getAs(Quarantine.SOURCE_FILE.name()),
            domain.get(0).getAs(Quarantine.LINE.name())));
    assertTrue(domain.get(0).<String>getAs(Quarantine.RAW.name()).contains("0015g00000NoWebAA"));
  }

  @Test
  void theDailyRollupCountsEveryOtherEvent() {
    long events = lake.read(ProductEvents.TABLE).where("workspace_id IS NULL OR workspace_id <> 'ws_999'").count();
    long rolled = lake.read(ProductDaily.TABLE).agg(org.apache.spark.sql.functions.sum(ProductDaily.EVENTS.name())).first().getLong(0);
    assertEquals(events, rolled);
  }

  @Test
  void aReRunKeepsEveryLinkAndOpensNone() throws Exception {
    long links = lake.read(IdentityLinks.TABLE).count();
    long dailyVersion = lake.version(ProductDaily.TABLE);
    JobContext again = runJob(new ResolveJob(), settings(dir), date("2026-05-02"));
    assertEquals(links, again.lake().read(IdentityLinks.TABLE).count());
    assertEquals(links, again.lake().read(IdentityLinks.TABLE).where(IdentityLinks.IS_CURRENT.col()).count());
    assertEquals(dailyVersion, again.lake().version(ProductDaily.TABLE), "no day needed rolling up again");
  }

  @Test
  void aDayAtATimeResolvesWhatAllTheDaysAtOnceDo(@TempDir Path daily) throws Exception {
    Settings settings = settings(daily);
    land(daily, name -> !name.startsWith("segment/2026-05-02"));
    runJob(new IngestJob(), settings, date("2026-05-01"));
    runJob(new ResolveJob(), settings, date("2026-05-01"));
    land(daily, name -> true);
    runJob(new IngestJob(), settings, date("2026-05-02"));
    Lake dayByDay = runJob(new ResolveJob(), settings, date("2026-05-02")).lake();

    assertTrue(dayByDay.read(IdentityDaily.TABLE).select(IdentityDaily.EVENT_DATE.col()).distinct().count() >= 2,
        "the second run summed up the second day beside the first");
    for (TableDef t : List.of(IdentityDaily.TABLE, ProductDaily.TABLE, People.TABLE, Workspaces.TABLE, Accounts.TABLE)) {
      assertEquals(content(lake.read(t), t), content(dayByDay.read(t), t), t.qualifiedName());
    }
    Column[] link = Stream.of(IdentityLinks.FROM_TYPE, IdentityLinks.FROM_ID, IdentityLinks.TO_TYPE, IdentityLinks.TO_ID,
        IdentityLinks.RULE).map(Col::col).toArray(Column[]::new);
    assertEquals(content(lake.read(IdentityLinks.TABLE).where(IdentityLinks.IS_CURRENT.col()).select(link), IdentityLinks.TABLE),
        content(dayByDay.read(IdentityLinks.TABLE).where(IdentityLinks.IS_CURRENT.col()).select(link), IdentityLinks.TABLE));
    Column unknown = Quarantine.REASON.col().equalTo("UNKNOWN_WORKSPACE");
    assertEquals(lake.read(Quarantine.TABLE).where(unknown).select(Quarantine.RAW.col()).collectAsList(),
        dayByDay.read(Quarantine.TABLE).where(unknown).select(Quarantine.RAW.col()).collectAsList());

    // The gmail founder (his address folds to hansberg@gmail.com) had a workspace of his own the first day; the
    // colleague of the second day made it the company's. The first day's links were closed, not overwritten: each
    // day keeps the account it had.
    assertEquals(List.of(
            "person hansberg@gmail.com -> personal:ws_81 PERSONAL_WORKSPACE 2026-05-01..2026-05-02",
            "person hansberg@gmail.com -> kistenbau.de WORKSPACE_MEMBERSHIP 2026-05-02..",
            "workspace ws_81 -> personal:ws_81 PERSONAL_WORKSPACE 2026-05-01..2026-05-02",
            "workspace ws_81 -> kistenbau.de MEMBER_DOMAIN_MAJORITY 2026-05-02.."),
        links(dayByDay, "hansberg@gmail.com", "ws_81"));
    assertEquals(List.of(
            "person hansberg@gmail.com -> kistenbau.de WORKSPACE_MEMBERSHIP 2026-05-02..",
            "workspace ws_81 -> kistenbau.de MEMBER_DOMAIN_MAJORITY 2026-05-02.."),
        links(lake, "hansberg@gmail.com", "ws_81"), "both days at once: the company from the start of what was seen");
  }

  /** The account links of the given people and workspaces, oldest first, as "type id -> account RULE from..to". */
  private static List<String> links(Lake lake, String... ids) {
    return lake.read(IdentityLinks.TABLE).where(IdentityLinks.FROM_ID.col().isin((Object[]) ids)
            .and(IdentityLinks.TO_TYPE.col().equalTo("account")))
        .orderBy(IdentityLinks.FROM_TYPE.col(), IdentityLinks.AS_OF_FROM.col()).collectAsList().stream()
        .map(r -> r.getAs(IdentityLinks.FROM_TYPE.name()) + " " + r.getAs(IdentityLinks.FROM_ID.name()) + " -> "
            + r.getAs(IdentityLinks.TO_ID.name()) + " " + r.getAs(IdentityLinks.RULE.name()) + " "
            + r.getAs(IdentityLinks.AS_OF_FROM.name()) + ".." + (r.isNullAt(r.fieldIndex(IdentityLinks.AS_OF_TO.name()))
            ? "" : r.getAs(IdentityLinks.AS_OF_TO.name())))
        .toList();
  }

  private static String content(Dataset<Row> rows, TableDef t) {
    return LakeHash.hash(LakeHash.comparableRows(rows, t));
  }
}
