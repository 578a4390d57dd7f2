package dev.plg360.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.testkit.SparkTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's realistic shapes (docs/GENERATOR.md), checked on the files themselves against the truth: a
 * realistic world of 600 workspaces over 120 days (enough for the rarer shapes: unsubscribes, tickets) without
 * planted defects, generated with conf/real-exports.conf.
 * Tidy shapes stay the default, and setting them changes no byte.
 */
class RealisticShapesTest extends SparkTestBase {

  /** The configuration file a user with real exports adds; tests run in the module's folder. */
  static final Path REAL_EXPORTS = Path.of("..", "conf", "real-exports.conf");

  static final Map<String, String> WORLD = Map.of(
      "plg360.generate.shapes", "realistic",
      "plg360.generate.workspaces", "600",
      "plg360.generate.days", "120",
      "plg360.generate.workspaces-per-partition", "300",
      "plg360.generate.seed", "23");

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private static Path world;

  /** Settings with conf/real-exports.conf, the lake under {@code lake}, and the given overrides. */
  static Settings realExports(Path lake, Map<String, String> overrides) {
    Map<String, String> m = new HashMap<>(overrides);
    m.put("plg360.lake.root", lake.resolve("lake").toString());
    m.put("plg360.spark.shuffle-partitions", "2");
    m.putIfAbsent("plg360.landing.dir", lake.resolve("landing").toString());
    return Settings.load(Optional.of(REAL_EXPORTS), m);
  }

  private Path world() {
    if (world == null) {
      Map<String, String> m = new HashMap<>(WORLD);
      m.put("plg360.generate.bad-rate", "0");
      world = Path.of(java.net.URI.create(
          Generator.run(spark(), realExports(dir, m), dir.resolve("realistic").toString(), false).out()));
    }
    return world;
  }

  @Test
  void aWorkspaceThatNeverLeftFreeHasNoStripeRecordAndATrialLapsesWithoutPaying() throws Exception {
    Map<String, List<JsonNode>> byWorkspace = new HashMap<>();
    for (JsonNode e : json("stripe")) {
      byWorkspace.computeIfAbsent(e.at("/data/object/metadata/workspace_id").asText(), k -> new ArrayList<>()).add(e);
    }
    int neverPaidFree = 0;
    int lapsed = 0;
    for (Map<String, String> w : truth("workspaces")) {
      List<JsonNode> events = byWorkspace.getOrDefault(w.get("workspace_id"), List.of());
      boolean everPaid = "true".equals(w.get("paid_at_end"));
      if (w.get("plan_start").equals("free") && !everPaid) {
        neverPaidFree++;
        assertEquals(List.of(), events, w.get("workspace_id") + " stayed free: no customer, no subscription");
        continue;
      }
      if (w.get("plan_start").equals("trial")) {
        assertEquals("trialing", events.get(0).at("/data/object/status").asText(), "a trial's first subscription");
      }
      if (!everPaid) {
        List<String> statuses = events.stream().map(e -> e.at("/data/object/status").asText()).toList();
        assertFalse(statuses.contains("active"), w.get("workspace_id") + " never paid: " + statuses);
        for (JsonNode e : events) {
          assertTrue(e.at("/data/object/default_payment_method").isNull(), "a lapsing trial has no payment method");
        }
        if (statuses.contains("past_due")) {
          lapsed++;
          int pastDue = statuses.indexOf("past_due");
          assertEquals(List.of("trialing", "past_due"), statuses.subList(pastDue - 1, pastDue + 1));
          if (statuses.contains("canceled")) {
            JsonNode canceled = events.get(statuses.indexOf("canceled"));
            assertEquals("customer.subscription.deleted", canceled.path("type").asText());
            assertEquals(canceled.path("created").asLong(), canceled.at("/data/object/canceled_at").asLong());
          }
        }
      }
    }
    assertTrue(neverPaidFree > 100, "free workspaces that never paid: " + neverPaidFree);
    assertTrue(lapsed > 30, "trials that lapsed to past_due: " + lapsed);
  }

  @Test
  void aSubscriptionsPriceAndSeatsAreInItsItem() throws Exception {
    Map<String, Plan> plans = new HashMap<>();
    GenerateSettings.plans(Settings.defaults().config()).values().forEach(p -> plans.put(p.stripePlanId(), p));
    List<JsonNode> events = json("stripe");
    assertTrue(events.size() > 50, "Stripe events: " + events.size());
    for (JsonNode e : events) {
      JsonNode sub = e.at("/data/object");
      assertTrue(sub.path("plan").isMissingNode() && sub.path("quantity").isMissingNode(), "no top-level plan: " + e);
      assertEquals(1, sub.at("/items/data").size());
      JsonNode price = sub.at("/items/data/0/price");
      Plan plan = plans.get(price.path("id").asText());
      assertEquals(plan.amountCents(), price.path("unit_amount").asLong());
      assertEquals(plan.interval(), price.at("/recurring/interval").asText());
      assertTrue(price.path("nickname").asText().equalsIgnoreCase(plan.name()));
      assertTrue(sub.at("/items/data/0/quantity").asLong() >= 1);
    }
  }

  /**
   * Teams of the size of their company and plan: a workspace has no more members than the seats of the largest plan
   * it was on (free: 3, until a trial or a subscription), and a company no more product users than its employees,
   * but for the addresses a planted invite spike brought in.
   */
  @Test
  void teamsFitTheirCompanyAndThePlansTheyAreOn() throws Exception {
    Map<String, Plan> plans = new HashMap<>();
    GenerateSettings.plans(Settings.defaults().config()).values().forEach(p -> plans.put(p.stripePlanId(), p));
    Map<String, Long> seats = new HashMap<>();
    for (JsonNode e : json("stripe")) {
      seats.merge(e.at("/data/object/metadata/workspace_id").asText(),
          plans.get(e.at("/data/object/items/data/0/price/id").asText()).seats(), Math::max);
    }
    long freeSeats = GenerateSettings.plans(Settings.defaults().config()).get("free").seats();
    Map<String, Long> spiked = new HashMap<>();
    for (Map<String, String> s : truth("invite_spikes")) {
      spiked.merge(s.get("workspace_id"), Long.parseLong(s.get("count")), Long::sum);
    }
    Map<String, Long> allowed = new HashMap<>();
    Map<String, Long> users = new HashMap<>();
    int atFreeCap = 0;
    for (Map<String, String> w : truth("workspaces")) {
      long members = Long.parseLong(w.get("users"));
      long cap = seats.getOrDefault(w.get("workspace_id"), freeSeats);
      assertTrue(members <= cap, w.get("workspace_id") + " has " + members + " members on at most " + cap + " seats");
      atFreeCap += cap == freeSeats && members == cap ? 1 : 0;
      if (!"true".equals(w.get("is_personal"))) {
        allowed.merge(w.get("company_domain"), spiked.getOrDefault(w.get("workspace_id"), 0L), Long::sum);
      }
    }
    for (Map<String, String> u : truth("users")) {
      if (!"true".equals(u.get("is_personal"))) {
        users.merge(u.get("company_domain"), 1L, Long::sum);
      }
    }
    int checked = 0;
    for (Map<String, String> c : truth("companies")) {
      long employees = Long.parseLong(c.get("employees"));
      long n = users.getOrDefault(c.get("domain"), 0L);
      assertTrue(n <= employees + allowed.getOrDefault(c.get("domain"), 0L),
          c.get("domain") + ": " + n + " product users, " + employees + " employees");
      checked += n > 0 ? 1 : 0;
    }
    assertTrue(atFreeCap >= 10, "free workspaces whose seats are all taken: " + atFreeCap);
    assertTrue(checked > 100, "companies with product users: " + checked);
  }

  @Test
  void analyticsJsCallsCarryTheWorkspaceInTheirContextAndServerCallsNoAnonymousId() throws Exception {
    Map<String, Integer> seen = new TreeMap<>();
    for (JsonNode c : json("segment")) {
      String type = c.path("type").asText();
      boolean server = c.at("/context/library/name").asText().equals("analytics-node");
      if (type.equals("group")) {
        assertTrue(c.path("groupId").isTextual() && c.at("/context/groupId").isMissingNode(), "group: " + c);
      } else if (c.has("userId")) {
        assertTrue(c.path("groupId").isMissingNode(), "no top-level groupId on a " + type + " call: " + c);
        if (!type.equals("identify")) {
          assertTrue(c.at("/context/groupId").asText().startsWith("ws_"), "context.groupId: " + c);
        }
      } else {
        // Before sign-up: a page view with only the browser's anonymous id.
        assertEquals("page", type, "a call without a userId: " + c);
        assertTrue(c.path("anonymousId").isTextual() && c.at("/context/groupId").isMissingNode());
      }
      if (server) {
        assertTrue(c.path("anonymousId").isMissingNode(), "a server-side call has no anonymousId: " + c);
      } else {
        assertTrue(c.path("anonymousId").isTextual(), "analytics.js sends an anonymousId: " + c);
      }
      seen.merge(type + (server ? " (server)" : "") + (c.has("userId") ? "" : " (anonymous)"), 1, Integer::sum);
    }
    assertEquals(Set.of("group", "identify", "page", "page (anonymous)", "track", "track (server)"), seen.keySet(),
        "every kind of call is there: " + seen);
  }

  @Test
  void salesforceFilesAreSnapshotsWithEveryFieldQuoted() throws Exception {
    CsvParserSettings keepQuotes = new CsvParserSettings();
    keepQuotes.setKeepQuotes(true);
    keepQuotes.setMaxCharsPerColumn(-1);
    keepQuotes.getFormat().setLineSeparator("\n");
    List<Path> files = files("salesforce");
    assertTrue(files.size() > 30, "Salesforce files: " + files.size());
    Set<String> objects = new HashSet<>();
    for (Path f : files) {
      List<String[]> rows = new CsvParser(keepQuotes).parseAll(Files.newBufferedReader(f));
      List<String> header = List.of(rows.get(0)).stream().map(RealisticShapesTest::unquote).toList();
      objects.add(f.getFileName().toString().replaceAll("-p\\d+\\.csv$", ""));
      assertFalse(header.contains("LastModifiedDate") || header.contains("IsDeleted"), f + ": " + header);
      assertTrue(header.contains("Id") && header.contains("CreatedDate"), f + ": " + header);
      Set<String> ids = new HashSet<>();
      for (String[] row : rows) {
        for (String v : row) {
          assertTrue(v != null && v.length() >= 2 && v.startsWith("\"") && v.endsWith("\""), f + ": unquoted " + v);
        }
      }
      for (String[] row : rows.subList(1, rows.size())) {
        assertTrue(ids.add(unquote(row[header.indexOf("Id")])), f + ": a record once per export");
        assertTrue(unquote(row[header.indexOf("CreatedDate")]).endsWith("+0000"));
        for (String bool : List.of("IsConverted", "IsClosed", "IsWon")) {
          if (header.contains(bool)) {
            assertTrue(Set.of("TRUE", "FALSE").contains(unquote(row[header.indexOf(bool)])), f + " " + bool);
          }
        }
      }
      // One export a day: the folder names the day, the file's time is the end of it.
      LocalDate day = LocalDate.parse(f.getParent().getFileName().toString());
      assertEquals(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(1),
          Files.getLastModifiedTime(f).toInstant(), f.toString());
    }
    assertEquals(Set.of("Account", "Contact", "Lead", "Opportunity", "Task"), objects);
  }

  @Test
  void hubspotUnsubscribesAreStatusChangesAndFormEmailsAreOnlyInValues() throws Exception {
    List<JsonNode> email = json("hubspot", "email_events");
    long changes = email.stream().filter(e -> e.path("type").asText().equals("STATUSCHANGE")
        && e.path("portalSubscriptionStatus").asText().equals("UNSUBSCRIBED")).count();
    assertTrue(changes > 0, "unsubscribes as STATUSCHANGE: " + changes);
    assertEquals(0, email.stream().filter(e -> e.path("type").asText().equals("UNSUBSCRIBED")).count());
    List<JsonNode> forms = json("hubspot", "form_submissions");
    assertFalse(forms.isEmpty());
    for (JsonNode f : forms) {
      assertTrue(f.path("email").isMissingNode(), "no top-level email: " + f);
      assertTrue(f.path("values").findValuesAsText("name").contains("email"), "email in values[]: " + f);
    }
  }

  @Test
  void clearbitHasTheFreeMailProvidersThemselvesOnceEach() throws Exception {
    Map<String, Integer> providers = new TreeMap<>();
    for (JsonNode c : json("clearbit")) {
      assertTrue(c.path("emailProvider").isBoolean(), "every record says whether it is an email provider: " + c);
      if (c.path("emailProvider").asBoolean()) {
        providers.merge(c.path("domain").asText(), 1, Integer::sum);
      }
    }
    Map<String, Integer> once = new TreeMap<>();
    Vocabulary.FREE_MAIL.forEach(d -> once.put(d, 1));
    assertEquals(once, providers, "each free-mail provider once, whatever the number of partitions");
  }

  @Test
  void aFreeMailUserWritesToSupportFromWorkUnderTheSameName() throws Exception {
    // Product logins and names, from the identify calls; each free-mail user's company, from the truth.
    Map<String, String> nameByLogin = new HashMap<>();
    for (JsonNode c : json("segment")) {
      if (c.path("type").asText().equals("identify")) {
        nameByLogin.put(c.at("/traits/email").asText(), c.at("/traits/name").asText());
      }
    }
    Map<String, Set<String>> companiesByName = new HashMap<>();
    Set<String> freeMailLogins = new HashSet<>();
    for (Map<String, String> u : truth("users")) {
      String domain = u.get("email").substring(u.get("email").indexOf('@') + 1);
      if (u.get("company_domain") != null && Vocabulary.FREE_MAIL.contains(domain)) {
        freeMailLogins.add(u.get("email"));
        companiesByName.computeIfAbsent(nameByLogin.get(u.get("email")), k -> new HashSet<>()).add(u.get("company_domain"));
      }
    }
    long fromWork = 0;
    for (JsonNode t : json("zendesk")) {
      String requester = t.at("/requester/email").asText();
      assertFalse(freeMailLogins.contains(requester), "a free-mail user's ticket carries their work address: " + t);
      String domain = requester.substring(requester.indexOf('@') + 1);
      if (companiesByName.getOrDefault(t.at("/requester/name").asText(), Set.of()).contains(domain)) {
        fromWork++;
      }
    }
    assertTrue(fromWork > 0, "tickets from a free-mail user's work address: " + fromWork);
  }

  @Test
  void tidyIsTheDefaultAndNamingItChangesNoByte() throws Exception {
    Map<String, String> tiny = Map.of("plg360.generate.workspaces", "40", "plg360.generate.days", "20",
        "plg360.generate.workspaces-per-partition", "20", "plg360.generate.seed", "5");
    Map<String, String> named = new HashMap<>(tiny);
    named.put("plg360.generate.shapes", "tidy");
    Path unset = Path.of(java.net.URI.create(Generator.run(spark(), settings(dir, flat(tiny)), dir.resolve("unset").toString(),
        false).out()));
    Path tidy = Path.of(java.net.URI.create(Generator.run(spark(), settings(dir, flat(named)), dir.resolve("tidy").toString(),
        false).out()));
    assertEquals(GenerateTest.hashes(unset), GenerateTest.hashes(tidy));
    assertTrue(Files.readString(files(unset, "salesforce").get(0)).startsWith("Id,"), "tidy CSV quotes only where needed");

    Map<String, String> real = new HashMap<>(tiny);
    real.put("plg360.generate.shapes", "realistic");
    Path realistic = Path.of(java.net.URI.create(Generator.run(spark(), realExports(dir.resolve("r"), real),
        dir.resolve("tiny-realistic").toString(), false).out()));
    assertNotEquals(GenerateTest.hashes(unset).get("landing/clearbit/companies-p000.jsonl"),
        GenerateTest.hashes(realistic).get("landing/clearbit/companies-p000.jsonl"));
  }

  @Test
  void realisticSalesforceWithoutTheSnapshotMappingFailsAtStart() {
    Map<String, String> m = new HashMap<>(WORLD);
    SettingsException e = assertThrows(SettingsException.class, () -> Generator.run(spark(),
        settings(dir, flat(m)), dir.resolve("unmapped").toString(), false));
    assertTrue(e.getMessage().contains("conf/real-exports.conf"), e.getMessage());
  }

  // ------------------------------------------------------------------------------------------- helpers

  private static String[] flat(Map<String, String> m) {
    return m.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray(String[]::new);
  }

  private static String unquote(String v) {
    return v.substring(1, v.length() - 1).replace("\"\"", "\"");
  }

  private List<Path> files(String folder) throws IOException {
    return files(world(), folder);
  }

  private static List<Path> files(Path root, String folder) throws IOException {
    try (Stream<Path> s = Files.walk(root.resolve("landing").resolve(folder))) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** Every record of a JSON-lines folder (the world has no planted defects: each line parses). */
  private List<JsonNode> json(String folder) throws IOException {
    return json(folder, "");
  }

  private List<JsonNode> json(String folder, String prefix) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Path f : files(folder)) {
      if (f.getFileName().toString().startsWith(prefix)) {
        for (String line : Files.readAllLines(f)) {
          out.add(JSON.readTree(line));
        }
      }
    }
    return out;
  }

  /** The rows of a truth table, by column name (an empty value is null). */
  private List<Map<String, String>> truth(String table) throws IOException {
    CsvParserSettings cs = new CsvParserSettings();
    cs.getFormat().setLineSeparator("\n");
    cs.setMaxCharsPerColumn(-1);
    List<Map<String, String>> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(world().resolve("truth").resolve(table))) {
      for (Path f : s.sorted().toList()) {
        List<String[]> rows = new CsvParser(cs).parseAll(Files.newBufferedReader(f));
        for (String[] r : rows.subList(1, rows.size())) {
          Map<String, String> m = new LinkedHashMap<>();
          for (int i = 0; i < r.length; i++) {
            m.put(rows.get(0)[i], r[i]);
          }
          out.add(m);
        }
      }
    }
    return out;
  }
}
