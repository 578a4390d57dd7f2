package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plg360.common.asof.AsOf;
import dev.plg360.common.config.Settings;
import dev.plg360.common.identity.EmailRules;
import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
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
import dev.plg360.common.tables.Tables.Opportunities;
import dev.plg360.common.tables.Tables.SfCommon;
import dev.plg360.common.tables.Tables.SfTasks;
import dev.plg360.jobs.c360.Build360Settings;
import dev.plg360.jobs.c360.SignalTransforms;
import dev.plg360.jobs.c360.TimelineTransforms;
import dev.plg360.testkit.SparkTestBase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Isolated;
import picocli.CommandLine;

/**
 * The documented customer-360 queries (docs/queries/*.sql) give the answers their header comments promise, on the
 * story's lake ({@link StoryWorld}). Each file runs through the real {@code plg360 sql} command in this JVM, as a
 * user runs it ({@code -f FILE --param account_id=... --format json}), and its printed answer is compared row by row
 * and value by value, in the order the file documents, with an answer this class derives on its own from the lake's
 * tables with the Dataset API and plain Java, never by running the query's SQL. So a query that still parses and
 * returns rows but answers wrongly (a lost filter, a join on the wrong key, a window a day off, a broken order)
 * fails here, and the failure names the query. What a query only passes on from a gold table (a person's name, the
 * account's plan) is compared with that table's value; what it works out (which rows, counts, shares, windows,
 * thresholds, joins, the order) is worked out here another way, from the same tables or from their sources.
 *
 * <p>Where the query's answer is not determined (a {@code max_by} over a tie, {@code collect_list}'s order, the
 * rows cut by a {@code LIMIT} among equal timestamps) the test accepts any of the values the documentation allows
 * and says so. The lake is read in place and never written: tables are read by path, not through
 * {@link Lake#read} (which may evolve a table), and the sql command only reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// Reads the lake's tables by name, in the session catalog every test class shares: alone.
@Isolated
class DocumentedQueriesTest extends SparkTestBase {

  private static final Path QUERIES = Path.of("..", "docs", "queries");
  private static final String Q01 = "01-features-of-users.sql";
  private static final String Q02 = "02-emails-sent.sql";
  private static final String Q03 = "03-sales-engagement.sql";
  private static final String Q04 = "04-approaching-caps.sql";
  private static final String Q05 = "05-interest-surges.sql";
  private static final String Q06 = "06-milestones.sql";
  private static final String Q07 = "07-drill-down.sql";

  /** The queries' windows: "the 30 days up to the latest snapshot", that day included. */
  private static final int WINDOW_DAYS = 30;
  /** What 04 and 06 document as mirroring the configuration (checked against reference.conf below). */
  private static final double CAP_MIN_USAGE = 0.8;
  private static final double CAP_MAX_DAYS = 14;
  private static final String FIRST_VALUE_MILESTONE = "first_integration";
  /** gold.customer_timeline's types of sales touches (its column comment). */
  private static final String TASK = "task";
  private static final String OPPORTUNITY_STAGE = "opportunity_stage";
  /** The touches 07 shows: "the 500 most recent". */
  private static final int DRILL_DOWN_TOUCHES = 500;

  /**
   * Per account, in choosing the accounts: its touches, sales tasks and opportunity stage changes, and the most days
   * one of its people had sales tasks on.
   */
  private static final String TOUCHES = "touches";
  private static final String TASKS = "tasks";
  private static final String CHANGES = "opportunity_changes";
  private static final String TASK_DAYS = "most_task_days_of_a_person";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** How Spark's JSON writer prints a timestamp (its default timestampFormat) in the sessions' time zone, UTC. */
  private static final DateTimeFormatter JSON_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

  private Lake lake;
  /** The newest snapshot's date: the date the queries' windows end on. */
  private LocalDate asOf;
  /** The account 01 (features) and 02 (emails) are asked about. */
  private String account;
  /** The accounts 03 (sales engagement) is asked about. */
  private Set<String> salesAccounts;
  /** The account 07 (drill-down) is asked about. */
  private String drillAccount;

  @BeforeAll
  void readTheStory() {
    startSpark();
    lake = new Lake(spark(), StoryWorld.get(spark()).lake().toString());
    // Every query reads the newest snapshot of each table it reads; in the story that is the last day's for all.
    for (TableDef t : List.of(Account360.TABLE, Workspace360.TABLE, User360.TABLE)) {
      Object newest = table(t).agg(functions.max(Snapshot.AS_OF.col())).first().get(0);
      assertEquals(StoryWorld.END, day(newest), t + ": the newest snapshot");
    }
    asOf = StoryWorld.END;
    // The accounts the per-account queries are asked about: ones whose answers have many rows and every part
    // filled, so that a wrong value has somewhere to show. The timeline's touches, tasks and opportunity stage
    // changes per account help choose.
    Dataset<Row> timeline = table(CustomerTimeline.TABLE);
    Column isTask = CustomerTimeline.TYPE.col().equalTo(TASK);
    Dataset<Row> perAccount = timeline.groupBy(CustomerTimeline.ACCOUNT_ID.col()).agg(
        functions.count(functions.lit(1)).as(TOUCHES),
        functions.count(functions.when(isTask, true)).as(TASKS),
        functions.count(functions.when(CustomerTimeline.TYPE.col().equalTo(OPPORTUNITY_STAGE), true)).as(CHANGES));
    Dataset<Row> taskDays = timeline.where(isTask.and(CustomerTimeline.PERSON_ID.col().isNotNull()))
        .groupBy(CustomerTimeline.ACCOUNT_ID.col(), CustomerTimeline.PERSON_ID.col())
        .agg(functions.countDistinct(CustomerTimeline.EVENT_DATE.col()).as(TASK_DAYS))
        .groupBy(CustomerTimeline.ACCOUNT_ID.col()).agg(functions.max(TASK_DAYS).as(TASK_DAYS));
    String[] id = {Account360.ACCOUNT_ID.name()};
    Dataset<Row> accounts = latest(Account360.TABLE).join(perAccount, id, "left").join(taskDays, id, "left");
    // 01 and 02: feature use by several people, emails and sales tasks; the most people.
    account = pick(accounts, flag(Activity.ACTIVE_USERS_28D.col().geq(2))
        .plus(flag(Engagement.EMAILS_SENT_30D.col().gt(0)))
        .plus(flag(Engagement.LAST_SALES_TOUCH_DATE.col().isNotNull())).desc(), Account360.PEOPLE.col().desc());
    // 03: of accounts with two people or more (its answer is per person), open opportunities first; then one account
    // with opportunity stage changes and one with a person who had sales tasks on several days (which one is the
    // latest matters), the most sales tasks first.
    Column several = flag(Account360.PEOPLE.col().geq(2)).desc();
    Column open = flag(Account360.OPEN_OPPORTUNITIES.col().gt(0)).desc();
    salesAccounts = new LinkedHashSet<>(List.of(
        pick(accounts, several, open, flag(functions.col(CHANGES).gt(0)).desc(), functions.col(TASKS).desc()),
        pick(accounts, several, open, flag(functions.col(TASK_DAYS).geq(2)).desc(), functions.col(TASKS).desc())));
    // 07: the most touches, so that "the 500 most recent" leaves some out where an account has more.
    drillAccount = pick(accounts, functions.col(TOUCHES).desc());
  }

  /** The first account in an order (then by id). */
  private static String pick(Dataset<Row> accounts, Column... order) {
    List<Column> by = new ArrayList<>(List.of(order));
    by.add(Account360.ACCOUNT_ID.col());
    Row chosen = accounts.orderBy(by.toArray(Column[]::new)).first();
    System.out.printf("documented queries ask about %s: %s people, %s active in 28 days, %s emails sent in 30 days, "
            + "%s touches, %s sales tasks (one person's on up to %s days), %s opportunity stage changes, "
            + "%s open opportunities%n",
        chosen.getAs(Account360.ACCOUNT_ID.name()), chosen.getAs(Account360.PEOPLE.name()),
        chosen.getAs(Activity.ACTIVE_USERS_28D.name()), chosen.getAs(Engagement.EMAILS_SENT_30D.name()),
        chosen.getAs(TOUCHES), chosen.getAs(TASKS), chosen.getAs(TASK_DAYS), chosen.getAs(CHANGES),
        chosen.getAs(Account360.OPEN_OPPORTUNITIES.name()));
    return chosen.getAs(Account360.ACCOUNT_ID.name());
  }

  /** A new query in docs/queries needs its check here: the folder holds exactly the seven this class knows. */
  @Test
  void everyDocumentedQueryIsCheckedHere() throws IOException {
    List<String> files;
    try (Stream<Path> all = Files.list(QUERIES)) {
      files = all.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".sql")).sorted().toList();
    }
    assertEquals(List.of(Q01, Q02, Q03, Q04, Q05, Q06, Q07), files);
  }

  /**
   * 01: one row per person of the account and feature, recomputed from each person's feature_uses_28d in
   * gold.user_360 (a person with none: one row without a feature), with the account's uses of the feature from
   * gold.account_360 and the person's share of them; heaviest users first, then their most used features.
   */
  @Test
  void q01FeaturesOfUsers() {
    String feature = "feature";
    String uses28d = "uses_28d";
    String accountUses28d = "account_uses_28d";
    String share = "share_of_account_uses";
    Map<String, Long> accountUses = map(accountRow(account), Activity.FEATURE_USES_28D);
    record Line(Long personUses, String person, Long uses, String feature, Map<String, Object> json) {}
    List<Line> lines = new ArrayList<>();
    for (Row p : peopleOf(account)) {
      Map<String, Long> uses = map(p, Activity.FEATURE_USES_28D);
      Long total = uses.isEmpty() ? null : uses.values().stream().mapToLong(Long::longValue).sum();
      List<String> features = uses.isEmpty() ? Collections.<String>singletonList(null) : new ArrayList<>(uses.keySet());
      for (String f : features) {
        Long n = f == null ? null : uses.get(f);
        Long ofAccount = f == null ? null : accountUses.get(f);
        // Long over long in Spark SQL is a double division; rounded as round(x, 3) rounds.
        Double shareOf = n == null || ofAccount == null || ofAccount == 0 ? null : round((double) n / ofAccount, 3);
        lines.add(new Line(total, p.getAs(User360.PERSON_ID.name()), n, f, new Expected()
            .from(User360.PERSON_ID, p).from(User360.NAME, p).from(User360.TITLE, p).from(User360.IS_CHAMPION, p)
            .from(Activity.ACTIVE_DAYS_28D, p).from(Activity.LAST_ACTIVE_DATE, p)
            .with(feature, f).with(uses28d, n).with(accountUses28d, ofAccount).with(share, shareOf).row()));
      }
    }
    lines.sort(Comparator.comparing(Line::personUses, desc()).thenComparing(Line::person, asc())
        .thenComparing(Line::uses, desc()).thenComparing(Line::feature, asc()));

    List<Map<String, Object>> answer = answer(Q01, account);
    assertSameRows(Q01, lines.stream().map(Line::json).toList(), answer);
    long users = answer.stream().filter(r -> r.containsKey(feature)).map(r -> r.get(User360.PERSON_ID.name()))
        .distinct().count();
    assertTrue(users >= 2 && answer.size() >= 4, "a non-trivial answer: " + users + " people using features, "
        + answer.size() + " rows");
  }

  /**
   * 02: one row per person of the account with the HubSpot emails (campaigns) sent to them and what they did with
   * them. The events are taken straight from bronze.email_events by the resolve rule's normalised recipient, not
   * through gold.customer_timeline as the query does; "emails" are campaigns with a SENT event, and opened, clicked
   * and bounced count "of those". The 30-day counts are gold.user_360's. Most emails first.
   */
  @Test
  void q02EmailsSent() {
    List<Row> people = peopleOf(account);
    Set<String> ids = people.stream().map(p -> p.<String>getAs(User360.PERSON_ID.name())).collect(Collectors.toSet());
    Column person = EmailRules.normalize(EmailEvents.RECIPIENT.col());
    List<Row> events = table(EmailEvents.TABLE)
        .where(person.isin(ids.toArray()).and(EmailEvents.EVENT_TS.col().lt(AsOf.endOf(asOf))))
        .select(person.as(User360.PERSON_ID.name()), EmailEvents.CAMPAIGN_ID.col(), EmailEvents.EVENT_TYPE.col(),
            EmailEvents.URL.col(), EmailEvents.EVENT_TS.col())
        .collectAsList();
    Map<String, Map<String, List<Row>>> byPersonAndCampaign = new HashMap<>();
    for (Row e : events) {
      byPersonAndCampaign.computeIfAbsent(e.getAs(User360.PERSON_ID.name()), k -> new HashMap<>())
          .computeIfAbsent(e.getAs(EmailEvents.CAMPAIGN_ID.name()), k -> new ArrayList<>()).add(e);
    }
    record Line(long sent, Instant lastSent, String person, Map<String, Object> json) {}
    List<Line> lines = new ArrayList<>();
    for (Row p : people) {
      String id = p.getAs(User360.PERSON_ID.name());
      long sent = 0;
      long opened = 0;
      long clicked = 0;
      long bounced = 0;
      Instant firstSent = null;
      Instant lastSent = null;
      List<Row> all = new ArrayList<>();
      for (List<Row> campaign : byPersonAndCampaign.getOrDefault(id, Map.of()).values()) {
        all.addAll(campaign);
        // An email is sent when its campaign's first SENT event is.
        Instant sentAt = earliest(campaign, "SENT");
        if (sentAt == null) {
          continue;
        }
        sent++;
        opened += earliest(campaign, "OPEN") != null ? 1 : 0;
        clicked += earliest(campaign, "CLICK") != null ? 1 : 0;
        bounced += earliest(campaign, "BOUNCE") != null ? 1 : 0;
        firstSent = firstSent == null || sentAt.isBefore(firstSent) ? sentAt : firstSent;
        lastSent = lastSent == null || sentAt.isAfter(lastSent) ? sentAt : lastSent;
      }
      Row lastClick = latest(all, "CLICK");
      Row lastOpen = latest(all, "OPEN");
      lines.add(new Line(sent, lastSent, id, new Expected()
          .from(User360.PERSON_ID, p).from(User360.NAME, p).from(User360.TITLE, p)
          .with("emails_sent", sent).with("emails_opened", opened).with("emails_clicked", clicked)
          .with("emails_bounced", bounced).with("unsubscribed_at", earliest(all, "UNSUBSCRIBED"))
          .with("first_sent_at", firstSent).with("last_sent_at", lastSent)
          .with("last_opened_at", lastOpen == null ? null : lastOpen.getAs(EmailEvents.EVENT_TS.name()))
          .with("last_clicked_at", lastClick == null ? null : lastClick.getAs(EmailEvents.EVENT_TS.name()))
          .with("last_clicked_url", lastClick == null ? null : lastClick.getAs(EmailEvents.URL.name()))
          .from(Engagement.EMAILS_SENT_30D, p).from(Engagement.EMAILS_OPENED_30D, p)
          .from(Engagement.EMAILS_CLICKED_30D, p).row()));
    }
    lines.sort(Comparator.comparing(Line::sent, Comparator.reverseOrder()).thenComparing(Line::lastSent, desc())
        .thenComparing(Line::person, asc()));

    List<Map<String, Object>> answer = answer(Q02, account);
    assertSameRows(Q02, lines.stream().map(Line::json).toList(), answer);
    long mailed = answer.stream().filter(r -> ((Long) r.get("emails_sent")) > 0).count();
    assertTrue(answer.size() >= 2 && mailed >= 1, "a non-trivial answer: " + answer.size() + " people, " + mailed
        + " of them sent emails");
  }

  /**
   * 03: one row per person of the account with the Salesforce tasks on them (from the whole timeline: "tasks on
   * the person, all history"), the latest one in words and its owner (from the task's latest version in
   * bronze.sf_tasks), next to the account's sales picture: gold.account_360's owner, tasks and pipeline, each open
   * opportunity of silver.opportunities (duplicates left out; listed in any order, as collect_list lists them) and
   * the latest opportunity stage change. Latest touched first, untouched people last. Asked about an account with
   * opportunities and one whose people had tasks on several days, where those differ.
   */
  @Test
  void q03SalesEngagement() {
    for (String a : salesAccounts) {
      checkSalesEngagement(a);
    }
  }

  /** 03's answer for one account against the one derived here. */
  private void checkSalesEngagement(String account) {
    String query = Q03 + " for " + account;
    List<Row> people = peopleOf(account);
    Row acc = accountRow(account);
    Set<String> ids = people.stream().map(p -> p.<String>getAs(User360.PERSON_ID.name())).collect(Collectors.toSet());
    List<Row> tasks = table(CustomerTimeline.TABLE)
        .where(CustomerTimeline.SOURCE.col().equalTo(TimelineTransforms.SALES)
            .and(CustomerTimeline.TYPE.col().equalTo(TASK))
            .and(CustomerTimeline.PERSON_ID.col().isin(ids.toArray())))
        .select(CustomerTimeline.PERSON_ID.col(), CustomerTimeline.EVENT_DATE.col(), CustomerTimeline.DETAIL.col(),
            CustomerTimeline.REF_ID.col())
        .collectAsList();
    Set<String> taskIds = tasks.stream().map(t -> t.<String>getAs(CustomerTimeline.REF_ID.name()))
        .collect(Collectors.toSet());
    // A task's owner is that of its latest version.
    Map<String, Row> latestVersion = new HashMap<>();
    for (Row v : table(SfTasks.TABLE).where(SfCommon.ID.col().isin(taskIds.toArray()))
        .select(SfCommon.ID.col(), SfCommon.OWNER_ID.col(), SfCommon.LAST_MODIFIED_AT.col()).collectAsList()) {
      latestVersion.merge(v.getAs(SfCommon.ID.name()), v, (a, b) -> timeOf(b.getAs(SfCommon.LAST_MODIFIED_AT.name()))
          .isAfter(timeOf(a.getAs(SfCommon.LAST_MODIFIED_AT.name()))) ? b : a);
    }
    Map<String, List<Row>> tasksOf = tasks.stream()
        .collect(Collectors.groupingBy(t -> t.<String>getAs(CustomerTimeline.PERSON_ID.name())));

    // The account's columns, the same on every row.
    LocalDate lastTouch = day(acc.getAs(Engagement.LAST_SALES_TOUCH_DATE.name()));
    // The open opportunities as the file formats them. (The story's are all closed by its last day, so there the
    // list is null and open_opportunities 0: the comparison stands for a lake that has open ones.)
    List<String> open = new ArrayList<>();
    DecimalFormat wholeNumber = new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.US));
    for (Row o : table(Opportunities.TABLE).where(Opportunities.ACCOUNT_ID.col().equalTo(account)).collectAsList()) {
      // Open: not closed (an unknown IsClosed counts as open, as gold.account_360 counts it); duplicates left out.
      if (!Boolean.TRUE.equals(o.getAs(Opportunities.IS_CLOSED.name()))
          && o.getAs(Opportunities.DUPLICATE_OF.name()) == null) {
        Double amount = o.getAs(Opportunities.AMOUNT.name());
        open.add(o.getAs(Opportunities.NAME.name()) + " (" + o.getAs(Opportunities.STAGE_NAME.name()) + ", "
            + (amount == null ? null : wholeNumber.format(amount)) + ")");
      }
    }
    // The latest stage change as "date: detail"; max_by over changes at the same time picks any of them.
    List<Row> changes = table(CustomerTimeline.TABLE)
        .where(CustomerTimeline.ACCOUNT_ID.col().equalTo(account)
            .and(CustomerTimeline.SOURCE.col().equalTo(TimelineTransforms.SALES))
            .and(CustomerTimeline.TYPE.col().equalTo(OPPORTUNITY_STAGE)))
        .collectAsList();
    Instant lastChangeAt = changes.stream().map(c -> timeOf(c.getAs(CustomerTimeline.TS.name())))
        .max(Comparator.naturalOrder()).orElse(null);
    Set<Object> lastChanges = changes.stream()
        .filter(c -> timeOf(c.getAs(CustomerTimeline.TS.name())).equals(lastChangeAt))
        .map(c -> (Object) (day(c.getAs(CustomerTimeline.EVENT_DATE.name())) + ": "
            + c.getAs(CustomerTimeline.DETAIL.name())))
        .collect(Collectors.toSet());
    String lastOpportunityChange = lastChanges.isEmpty() ? null : (String) lastChanges.iterator().next();

    String total = "sales_tasks_total";
    String touch = "last_sales_touch";
    String owner = "last_sales_touch_owner_id";
    String openList = "open_opportunity_list";
    record Line(LocalDate lastTouch, long total, String person, Map<String, Object> json) {}
    List<Line> lines = new ArrayList<>();
    Map<Object, Set<Object>> tiedTouches = new HashMap<>();
    Map<Object, Set<Object>> tiedOwners = new HashMap<>();
    Map<Object, Set<Object>> tiedChanges = new HashMap<>();
    for (Row p : people) {
      String id = p.getAs(User360.PERSON_ID.name());
      if (lastChanges.size() > 1) {
        tiedChanges.put(id, lastChanges);
      }
      List<Row> own = tasksOf.getOrDefault(id, List.of());
      LocalDate latestDate = own.stream().map(t -> day(t.getAs(CustomerTimeline.EVENT_DATE.name())))
          .max(Comparator.naturalOrder()).orElse(null);
      // "that task": the task shown is one of the person's latest by the date gold.user_360 shows.
      assertEquals(day(p.getAs(Engagement.LAST_SALES_TOUCH_DATE.name())), latestDate,
          query + ": " + id + ": gold.user_360's last sales touch is the date of the person's latest task");
      List<Row> latestTasks = own.stream()
          .filter(t -> day(t.getAs(CustomerTimeline.EVENT_DATE.name())).equals(latestDate)).toList();
      Row shown = latestTasks.isEmpty() ? null : latestTasks.get(0);
      if (latestTasks.size() > 1) {
        // max_by over tasks of the same day picks any of them.
        tiedTouches.put(id, latestTasks.stream().map(t -> jsonValue(t.getAs(CustomerTimeline.DETAIL.name())))
            .collect(Collectors.toSet()));
        tiedOwners.put(id, latestTasks.stream().map(t -> jsonValue(ownerOf(latestVersion, t)))
            .collect(Collectors.toSet()));
      }
      String crmRecord = !list(p, User360.CONTACT_IDS).isEmpty() ? "contact"
          : !list(p, User360.LEAD_IDS).isEmpty() ? "lead" : null;
      lines.add(new Line(latestDate, own.size(), id, new Expected()
          .from(User360.PERSON_ID, p).from(User360.NAME, p).from(User360.TITLE, p).from(User360.IS_CHAMPION, p)
          .with("crm_record", crmRecord).with(total, (long) own.size())
          .from(Engagement.SALES_TASKS_30D, p).from(Engagement.LAST_SALES_TOUCH_DATE, p)
          .with(touch, shown == null ? null : shown.getAs(CustomerTimeline.DETAIL.name()))
          .with(owner, shown == null ? null : ownerOf(latestVersion, shown))
          .from(Account360.CRM_OWNER_ID, acc)
          .with("account_sales_tasks_30d", acc.getAs(Engagement.SALES_TASKS_30D.name()))
          .with("days_since_last_sales_touch", lastTouch == null ? null : ChronoUnit.DAYS.between(lastTouch, asOf))
          .from(Account360.OPEN_OPPORTUNITIES, acc).from(Account360.OPEN_PIPELINE_AMOUNT, acc)
          .with(openList, open.isEmpty() ? null : sortedItems(String.join("; ", open)))
          .with("last_opportunity_change", lastOpportunityChange).row()));
    }
    lines.sort(Comparator.comparing(Line::lastTouch, desc()).thenComparing(Line::total, Comparator.reverseOrder())
        .thenComparing(Line::person, asc()));
    List<Map<String, Object>> expected = lines.stream().map(Line::json).toList();

    List<Map<String, Object>> answer = answer(Q03, account);
    for (Map<String, Object> r : answer) {
      if (r.get(openList) instanceof String list) {
        r.put(openList, sortedItems(list));
        assertEquals(r.get(Account360.OPEN_OPPORTUNITIES.name()), (long) list.split("; ").length,
            query + ": open_opportunity_list lists each open opportunity open_opportunities counts: " + list);
      }
    }
    acceptAnyOf(expected, answer, User360.PERSON_ID.name(), touch, tiedTouches);
    acceptAnyOf(expected, answer, User360.PERSON_ID.name(), owner, tiedOwners);
    acceptAnyOf(expected, answer, User360.PERSON_ID.name(), "last_opportunity_change", tiedChanges);
    assertSameRows(query, expected, answer);
    long touched = answer.stream().filter(r -> ((Long) r.get(total)) > 0).count();
    assertTrue(answer.size() >= 2 && touched >= 1, query + ": a non-trivial answer: " + answer.size() + " people, "
        + touched + " of them touched by sales");
  }

  /**
   * 04: one row per workspace and capped meter of the newest gold.workspace_360 at 80% or more of its plan's cap
   * (usage / cap computed here from the usage and caps maps) or, by days_to_cap, within 14 days of it; with the
   * account's name, the cap status the file documents and the latest CAP_APPROACHING signal of the workspace and
   * meter in the 30 days. Soonest to the cap first, then by share of the cap.
   */
  @Test
  void q04ApproachingCaps() {
    Build360Settings configured = Build360Settings.from(Settings.defaults());
    // The file hard-codes the signal's thresholds; it documents them as the configuration's.
    assertEquals(CAP_MIN_USAGE, configured.signals().capMinUsage(), "plg360.build360.signals.cap-min-usage");
    assertEquals(CAP_MAX_DAYS, configured.signals().capMaxDays(), "plg360.build360.signals.cap-max-days");
    Map<String, String> accountNames = new HashMap<>();
    for (Row a : latest(Account360.TABLE).select(Account360.ACCOUNT_ID.col(), Account360.NAME.col()).collectAsList()) {
      accountNames.put(a.getString(0), a.getString(1));
    }
    Map<String, Row> signalOf = new HashMap<>();
    for (Row s : signalsInWindow(SignalTransforms.CAP_APPROACHING)) {
      signalOf.merge(s.getAs(Signals.WORKSPACE_ID.name()) + "|" + s.getAs(Signals.SUBJECT.name()), s,
          (a, b) -> day(b.getAs(Signals.SIGNAL_DATE.name())).isAfter(day(a.getAs(Signals.SIGNAL_DATE.name()))) ? b : a);
    }
    record Line(Double days, double share, String account, String workspace, String meter,
                Map<String, Object> json) {}
    List<Line> lines = new ArrayList<>();
    for (Row w : latest(Workspace360.TABLE).collectAsList()) {
      Map<String, Long> usage = map(w, Billing.USAGE);
      Map<String, Long> caps = map(w, Billing.CAPS);
      Map<String, Double> daysToCap = map(w, Billing.DAYS_TO_CAP);
      for (String meter : caps.keySet()) {
        Long used = usage.get(meter);
        Long cap = caps.get(meter);
        if (used == null || cap == null || cap == 0) {
          continue;
        }
        double share = (double) used / cap;
        Double days = daysToCap.get(meter);
        if (share < CAP_MIN_USAGE && (days == null || days > CAP_MAX_DAYS)) {
          continue;
        }
        String status = used > cap ? "over cap" : used.equals(cap) ? "at cap"
            : share >= CAP_MIN_USAGE ? "near cap" : "growing to cap";
        String ws = w.getAs(Workspace360.WORKSPACE_ID.name());
        String acc = w.getAs(Workspace360.ACCOUNT_ID.name());
        Row signal = signalOf.get(ws + "|" + meter);
        lines.add(new Line(days, share, acc, ws, meter, new Expected()
            .from(Workspace360.ACCOUNT_ID, w).with("account_name", accountNames.get(acc))
            .from(Workspace360.WORKSPACE_ID, w).with("workspace_name", w.getAs(Workspace360.NAME.name()))
            .from(Billing.PLAN, w).from(Billing.BILLING_STATUS, w).from(Billing.IS_PAID, w)
            .with("meter", meter).with(Billing.USAGE, used).with("cap", cap)
            .with(Billing.CAP_USAGE, round(share, 3)).with(Billing.DAYS_TO_CAP, round(days, 1))
            .with("cap_status", status)
            .with(Signals.SIGNAL_DATE, signal == null ? null : signal.getAs(Signals.SIGNAL_DATE.name()))
            .with("signal_evidence", signal == null ? null : signal.getAs(Signals.EVIDENCE.name())).row()));
      }
    }
    lines.sort(Comparator.comparing(Line::days, Comparator.nullsLast(Comparator.<Double>naturalOrder()))
        .thenComparing(Line::share, Comparator.reverseOrder()).thenComparing(Line::account, asc())
        .thenComparing(Line::workspace, asc()).thenComparing(Line::meter, asc()));
    List<Map<String, Object>> expected = lines.stream().limit(500).map(Line::json).toList();

    List<Map<String, Object>> answer = answer(Q04, null);
    assertSameRows(Q04, expected, answer);
    assertTrue(configured.meters().keySet().containsAll(answer.stream().map(r -> r.get("meter")).toList()),
        "only the configured meters: " + configured.meters().keySet());
    long signalled = answer.stream().filter(r -> r.containsKey(Signals.SIGNAL_DATE.name())).count();
    assertTrue(answer.size() >= 3 && signalled >= 1, "a non-trivial answer: " + answer.size() + " meters, "
        + signalled + " with their signal");
  }

  /**
   * 05: one row per ACTIVITY_SURGE signal of the 30 days up to the newest snapshot, with the account's newest
   * gold.account_360 row, its number of surges in the 30 days, and its person with the most events in 7 days
   * (gold.user_360; any of them on a tie). Latest first, then strongest.
   */
  @Test
  void q05InterestSurges() {
    Map<String, Row> accounts = accountsById();
    List<Row> surges = signalsInWindow(SignalTransforms.ACTIVITY_SURGE);
    Map<String, Long> surgesOf = surges.stream()
        .collect(Collectors.groupingBy(s -> s.<String>getAs(Signals.ACCOUNT_ID.name()), Collectors.counting()));
    Map<String, Long> mostEvents = new HashMap<>();
    Map<String, Set<Object>> mostActive = new HashMap<>();
    for (Row p : latest(User360.TABLE).where(Activity.EVENTS_7D.col().gt(0).and(User360.ACCOUNT_ID.col().isNotNull()))
        .select(User360.ACCOUNT_ID.col(), User360.PERSON_ID.col(), Activity.EVENTS_7D.col()).collectAsList()) {
      long events = p.getLong(2);
      long most = mostEvents.getOrDefault(p.getString(0), Long.MIN_VALUE);
      if (events > most) {
        mostEvents.put(p.getString(0), events);
        mostActive.put(p.getString(0), new HashSet<>());
      }
      if (events >= most) {
        mostActive.get(p.getString(0)).add(p.getString(1));
      }
    }
    String topPerson = "most_active_person_7d";
    record Line(LocalDate date, Double strength, String account, Map<String, Object> json) {}
    List<Line> lines = new ArrayList<>();
    Map<Object, Set<Object>> tied = new HashMap<>();
    for (Row s : surges) {
      String id = s.getAs(Signals.ACCOUNT_ID.name());
      Row a = accounts.get(id);
      Set<Object> top = mostActive.getOrDefault(id, Set.of());
      if (top.size() > 1) {
        tied.put(id, top);
      }
      lines.add(new Line(day(s.getAs(Signals.SIGNAL_DATE.name())), s.getAs(Signals.STRENGTH.name()), id,
          new Expected()
              .from(Signals.SIGNAL_DATE, s).from(Signals.ACCOUNT_ID, s)
              .with("account_name", a == null ? null : a.getAs(Account360.NAME.name()))
              .from(Billing.PLAN, a).from(Billing.MRR, a).from(Account360.CRM_OWNER_ID, a)
              .with("z_score", round(s.getAs(Signals.STRENGTH.name()), 1)).from(Signals.EVIDENCE, s)
              .with("surges_30d", surgesOf.get(id))
              .from(Activity.EVENTS_7D, a).from(Activity.EVENTS_PREV_7D, a)
              .with(Activity.MOMENTUM_7D, a == null ? null : round(a.getAs(Activity.MOMENTUM_7D.name()), 2))
              .from(Activity.ACTIVE_USERS_7D, a).from(Activity.ACTIVE_USERS_28D, a)
              .with(topPerson, top.isEmpty() ? null : top.iterator().next()).row()));
    }
    lines.sort(Comparator.comparing(Line::date, desc()).thenComparing(Line::strength, desc())
        .thenComparing(Line::account, asc()));
    List<Map<String, Object>> expected = lines.stream().limit(500).map(Line::json).toList();

    List<Map<String, Object>> answer = answer(Q05, null);
    acceptAnyOf(expected, answer, Signals.ACCOUNT_ID.name(), topPerson, tied);
    assertSameRows(Q05, expected, answer);
    assertTrue(answer.size() >= 2, "a non-trivial answer: " + answer.size() + " surges");
  }

  /**
   * 06: one row per MILESTONE_REACHED signal of the 30 days up to the newest snapshot, with where the account
   * stands in its newest gold.account_360 row. first_in_account is recomputed from the newest gold.workspace_360:
   * no workspace of the account reached the milestone before the signal's day ("in no workspace").
   * Latest first.
   */
  @Test
  void q06Milestones() {
    Build360Settings configured = Build360Settings.from(Settings.defaults());
    assertEquals(FIRST_VALUE_MILESTONE, configured.firstValueMilestone(), "plg360.build360.first-value-milestone");
    Map<String, Row> accounts = accountsById();
    // The first day each account reached each milestone, over its workspaces.
    Map<String, Map<String, LocalDate>> firstInAccount = new HashMap<>();
    for (Row w : latest(Workspace360.TABLE).where(Workspace360.ACCOUNT_ID.col().isNotNull()).collectAsList()) {
      Map<String, LocalDate> firsts = firstInAccount.computeIfAbsent(w.getAs(Workspace360.ACCOUNT_ID.name()),
          k -> new HashMap<>());
      Map<String, Object> reached = map(w, Activity.MILESTONES);
      reached.forEach((m, d) -> firsts.merge(m, day(d), (x, y) -> x.isBefore(y) ? x : y));
    }
    record Line(LocalDate date, String account, String workspace, String milestone, Map<String, Object> json) {}
    List<Line> lines = new ArrayList<>();
    for (Row s : signalsInWindow(SignalTransforms.MILESTONE_REACHED)) {
      String id = s.getAs(Signals.ACCOUNT_ID.name());
      String milestone = s.getAs(Signals.SUBJECT.name());
      LocalDate date = day(s.getAs(Signals.SIGNAL_DATE.name()));
      Row a = accounts.get(id);
      LocalDate first = a == null ? null : firstInAccount.getOrDefault(id, Map.of()).get(milestone);
      LocalDate firstValue = a == null ? null : day(a.getAs(Activity.FIRST_VALUE_DATE.name()));
      lines.add(new Line(date, id, s.getAs(Signals.WORKSPACE_ID.name()), milestone, new Expected()
          .from(Signals.SIGNAL_DATE, s).from(Signals.ACCOUNT_ID, s)
          .with("account_name", a == null ? null : a.getAs(Account360.NAME.name()))
          .from(Billing.PLAN, a).from(Billing.MRR, a).from(Signals.WORKSPACE_ID, s)
          .with("milestone", milestone).with("reached_by", s.getAs(Signals.PERSON_ID.name()))
          .with("first_in_account", first == null ? null : first.equals(date))
          .with("is_first_value_milestone", FIRST_VALUE_MILESTONE.equals(milestone))
          .with("account_milestones_reached", a == null ? null : a.getAs(Activity.MILESTONES_REACHED.name()))
          .with("account_first_value_date", firstValue)
          .with("account_days_to_first_value", firstValue == null ? null
              : a.getAs(Activity.DAYS_TO_FIRST_VALUE.name()))
          .from(Signals.EVIDENCE, s).row()));
    }
    lines.sort(Comparator.comparing(Line::date, desc()).thenComparing(Line::account, asc())
        .thenComparing(Line::workspace, asc()).thenComparing(Line::milestone, asc()));
    List<Map<String, Object>> expected = lines.stream().limit(500).map(Line::json).toList();

    List<Map<String, Object>> answer = answer(Q06, null);
    assertSameRows(Q06, expected, answer);
    long firsts = answer.stream().filter(r -> Boolean.TRUE.equals(r.get("first_in_account"))).count();
    assertTrue(answer.size() >= 3 && firsts >= 1, "a non-trivial answer: " + answer.size() + " milestones, "
        + firsts + " first in their account");
  }

  /**
   * 07: the account's 500 newest touches of gold.customer_timeline, oldest first, each with its person's name from
   * the account's people in gold.user_360. Touches at the same time as the 500th newest may be cut either way
   * (ORDER BY ts DESC LIMIT 500 does not say which): the answer must hold every newer touch and only tied ones
   * besides.
   */
  @Test
  void q07DrillDown() {
    String account = drillAccount;
    Map<String, String> names = new HashMap<>();
    for (Row p : peopleOf(account)) {
      names.put(p.getAs(User360.PERSON_ID.name()), p.getAs(User360.NAME.name()));
    }
    record Touch(Instant ts, String source, String type, String ref, Map<String, Object> json) {}
    List<Touch> touches = new ArrayList<>();
    for (Row t : table(CustomerTimeline.TABLE).where(CustomerTimeline.ACCOUNT_ID.col().equalTo(account))
        .collectAsList()) {
      String person = t.getAs(CustomerTimeline.PERSON_ID.name());
      touches.add(new Touch(timeOf(t.getAs(CustomerTimeline.TS.name())), t.getAs(CustomerTimeline.SOURCE.name()),
          t.getAs(CustomerTimeline.TYPE.name()), t.getAs(CustomerTimeline.REF_ID.name()), new Expected()
          .from(CustomerTimeline.TS, t).from(CustomerTimeline.SOURCE, t).from(CustomerTimeline.TYPE, t)
          .from(CustomerTimeline.PERSON_ID, t).with("person_name", person == null ? null : names.get(person))
          .from(CustomerTimeline.WORKSPACE_ID, t).from(CustomerTimeline.DETAIL, t).from(CustomerTimeline.REF_ID, t)
          .row()));
    }
    touches.sort(Comparator.comparing(Touch::ts).reversed());
    List<Map<String, Object>> answer = answer(Q07, account);
    List<Touch> shown = new ArrayList<>(touches);
    if (touches.size() > DRILL_DOWN_TOUCHES) {
      Instant cut = touches.get(DRILL_DOWN_TOUCHES - 1).ts();
      Set<Map<String, Object>> printed = new HashSet<>(answer);
      shown = touches.stream().filter(t -> t.ts().isAfter(cut) || t.ts().equals(cut) && printed.contains(t.json()))
          .collect(Collectors.toCollection(ArrayList::new));
    }
    shown.sort(Comparator.comparing(Touch::ts).thenComparing(Touch::source).thenComparing(Touch::type)
        .thenComparing(Touch::ref));
    assertEquals(Math.min(touches.size(), DRILL_DOWN_TOUCHES), answer.size(),
        "the account's " + touches.size() + " touches, at most " + DRILL_DOWN_TOUCHES);
    assertSameRows(Q07, shown.stream().map(Touch::json).toList(), answer);
    long sources = answer.stream().map(r -> r.get(CustomerTimeline.SOURCE.name())).distinct().count();
    assertTrue(answer.size() >= 10 && sources >= 2, "a non-trivial answer: " + answer.size() + " touches from "
        + sources + " sources");
  }

  // ---- the lake, read in place

  private Dataset<Row> table(TableDef t) {
    return spark().read().format("delta").load(lake.path(t));
  }

  /** The newest snapshot's rows, as the queries' {@code as_of = (SELECT max(as_of) ...)} picks them. */
  private Dataset<Row> latest(TableDef t) {
    return table(t).where(Snapshot.AS_OF.col().equalTo(functions.lit(java.sql.Date.valueOf(asOf))));
  }

  private List<Row> peopleOf(String accountId) {
    return latest(User360.TABLE).where(User360.ACCOUNT_ID.col().equalTo(accountId)).collectAsList();
  }

  private Row accountRow(String accountId) {
    List<Row> rows = latest(Account360.TABLE).where(Account360.ACCOUNT_ID.col().equalTo(accountId)).collectAsList();
    assertEquals(1, rows.size(), accountId + " in the newest gold.account_360");
    return rows.get(0);
  }

  private Map<String, Row> accountsById() {
    Map<String, Row> out = new HashMap<>();
    for (Row a : latest(Account360.TABLE).collectAsList()) {
      out.put(a.getAs(Account360.ACCOUNT_ID.name()), a);
    }
    return out;
  }

  /** Signals of a type dated in the 30 days up to the newest snapshot's date, that date included. */
  private List<Row> signalsInWindow(String type) {
    return table(Signals.TABLE).where(Signals.SIGNAL_TYPE.col().equalTo(type)
            .and(Signals.SIGNAL_DATE.col().gt(functions.lit(java.sql.Date.valueOf(asOf.minusDays(WINDOW_DAYS)))))
            .and(Signals.SIGNAL_DATE.col().leq(functions.lit(java.sql.Date.valueOf(asOf)))))
        .collectAsList();
  }

  private static Column flag(Column condition) {
    return functions.when(condition, 1).otherwise(0);
  }

  // ---- the command and its answer

  /** The query's answer as the sql command prints it with --format json: one map per line, null columns absent. */
  private List<Map<String, Object>> answer(String file, String accountId) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SqlCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> args = new ArrayList<>(List.of("-f", QUERIES.resolve(file).toString(), "--format", "json",
        "-D", "plg360.lake.root=" + lake.root(),
        // Values compared as stored: masking (PLG360_MASK_PERSONAL_DATA may turn it on) would hash them.
        "-D", PersonalData.SETTING + "=false"));
    if (accountId != null) {
      args.addAll(List.of("--param", "account_id=" + accountId));
    }
    assertEquals(0, cli.execute(args.toArray(String[]::new)), file + ":\n" + out + err);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String line : out.toString().lines().filter(l -> l.startsWith("{")).toList()) {
      try {
        Map<String, Object> row = JSON.readValue(line, new TypeReference<TreeMap<String, Object>>() {});
        row.replaceAll((k, v) -> jsonValue(v));
        rows.add(row);
      } catch (IOException e) {
        throw new UncheckedIOException(file + " printed a line that is not JSON: " + line, e);
      }
    }
    assertTrue(!rows.isEmpty(), file + " answers with rows (account " + accountId + ")");
    return rows;
  }

  /** The same rows in the same order, with the first difference named. */
  private static void assertSameRows(String query, List<Map<String, Object>> expected,
                                     List<Map<String, Object>> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        Map<String, Object> e = expected.get(i);
        Map<String, Object> a = actual.get(i);
        Set<String> columns = new java.util.TreeSet<>(e.keySet());
        columns.addAll(a.keySet());
        List<String> differing = columns.stream().filter(c -> !Objects.equals(e.get(c), a.get(c)))
            .map(c -> c + ": expected " + e.get(c) + ", got " + a.get(c)).toList();
        int inExpected = expected.indexOf(a);
        fail(query + ": row " + i + " of " + actual.size() + " differs (" + String.join("; ", differing) + ")"
            + (inExpected >= 0 ? "; the row printed is expected at " + inExpected : "")
            + "\n expected " + e + "\n got      " + a);
      }
    }
    assertEquals(expected.size(), actual.size(), query + ": rows; expected " + expected + "\n got " + actual);
  }

  /**
   * Where the answer is not determined (max_by over a tie), checks that the value printed for a row is one of those
   * allowed for its key and leaves the column out of the row-by-row comparison of that row.
   */
  private static void acceptAnyOf(List<Map<String, Object>> expected, List<Map<String, Object>> actual,
                                  String key, String column, Map<Object, Set<Object>> allowed) {
    for (Map<String, Object> r : actual) {
      Set<Object> any = allowed.get(r.get(key));
      if (any != null) {
        assertTrue(any.contains(r.get(column)), r.get(key) + ": " + column + " is one of " + any + ": " + r);
        r.remove(column);
      }
    }
    for (Map<String, Object> r : expected) {
      if (allowed.containsKey(r.get(key))) {
        r.remove(column);
      }
    }
  }

  /** A list "a; b; c" with its items sorted: collect_list gives them in no set order. */
  private static String sortedItems(String list) {
    return Stream.of(list.split("; ")).sorted().collect(Collectors.joining("; "));
  }

  // ---- expected rows, values as the command prints them

  /** A row of an expected answer, as JSON prints it: null columns left out, dates and times as Spark writes them. */
  private static final class Expected {
    private final Map<String, Object> values = new TreeMap<>();

    /** The column, with the value of the same column of a lake row (none without a row). */
    Expected from(Col c, Row row) {
      return with(c.name(), row == null || row.isNullAt(row.fieldIndex(c.name())) ? null
          : row.get(row.fieldIndex(c.name())));
    }

    Expected with(Col c, Object value) {
      return with(c.name(), value);
    }

    Expected with(String column, Object value) {
      Object v = jsonValue(value);
      if (v != null) {
        values.put(column, v);
      }
      return this;
    }

    Map<String, Object> row() {
      return values;
    }
  }

  /** A value as it reads back from the command's JSON: whole numbers as Long, dates and timestamps as text. */
  private static Object jsonValue(Object v) {
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof java.sql.Date || v instanceof LocalDate) {
      return day(v).toString();
    }
    if (v instanceof Timestamp || v instanceof Instant) {
      return JSON_TIMESTAMP.format(timeOf(v));
    }
    return v;
  }

  /** Spark SQL's round(x, scale) of a double: half up, on the double's shortest decimal form. */
  private static Double round(Double x, int scale) {
    return x == null ? null : BigDecimal.valueOf(x).setScale(scale, RoundingMode.HALF_UP).doubleValue();
  }

  // ---- values of lake rows

  private static LocalDate day(Object v) {
    return v == null ? null : v instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) v;
  }

  /** (Not {@code instant}: SparkTestBase's {@code instant(String)} would take a Row's value as a String.) */
  private static Instant timeOf(Object v) {
    return v == null ? null : v instanceof Timestamp t ? t.toInstant() : (Instant) v;
  }

  private static List<Object> list(Row r, Col c) {
    int i = r.fieldIndex(c.name());
    return r.isNullAt(i) ? List.of() : r.getList(i);
  }

  private static <V> Map<String, V> map(Row r, Col c) {
    int i = r.fieldIndex(c.name());
    return r.isNullAt(i) ? Map.of() : r.getJavaMap(i);
  }

  /** The earliest time of an event type among email events, or null. */
  private static Instant earliest(List<Row> events, String type) {
    return events.stream().filter(e -> type.equals(e.getAs(EmailEvents.EVENT_TYPE.name())))
        .map(e -> timeOf(e.getAs(EmailEvents.EVENT_TS.name()))).min(Comparator.naturalOrder()).orElse(null);
  }

  /** The latest email event of a type, or null. */
  private static Row latest(List<Row> events, String type) {
    return events.stream().filter(e -> type.equals(e.getAs(EmailEvents.EVENT_TYPE.name())))
        .max(Comparator.comparing(e -> timeOf(e.getAs(EmailEvents.EVENT_TS.name())))).orElse(null);
  }

  private static String ownerOf(Map<String, Row> latestVersion, Row task) {
    Row v = latestVersion.get(task.<String>getAs(CustomerTimeline.REF_ID.name()));
    return v == null ? null : v.getAs(SfCommon.OWNER_ID.name());
  }

  /** Spark's DESC: largest first, nulls last. */
  private static <T extends Comparable<? super T>> Comparator<T> desc() {
    return Comparator.nullsLast(Comparator.<T>reverseOrder());
  }

  /** Spark's ASC: smallest first, nulls first. */
  private static <T extends Comparable<? super T>> Comparator<T> asc() {
    return Comparator.nullsFirst(Comparator.<T>naturalOrder());
  }
}
