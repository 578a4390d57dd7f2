package dev.plg360.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.Tables.ProductEvents;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.common.tables.Tables.SubscriptionEvents;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SaaS company's own exports, declared from scratch by configuration: its subscription changes (one row a change,
 * with the account the subscription belongs to) and its feature usage, keyed by subscription, with no event type.
 * Usage takes its workspace from the subscription it names (a lookup) and its type from a constant.
 */
class CompanyExportsTest extends SparkTestBase {

  @TempDir
  Path dir;

  private static final String SUBS = "plg360.ingest.sources.subscriptions.";
  private static final String USAGE = "plg360.ingest.sources.usage.";

  private Settings settings() {
    List<String> s = new ArrayList<>(List.of(
        SUBS + "format", "csv", SUBS + "dir", "company/subscriptions", SUBS + "table", "bronze.subscription_events",
        SUBS + "key", "[event_id]", SUBS + "required", "[event_id, subscription_id, customer_id, event_ts]",
        SUBS + "fields.event_id", "change_id", SUBS + "fields.subscription_id", "subscription_id",
        SUBS + "fields.customer_id", "account_id", SUBS + "fields.status", "status", SUBS + "fields.plan_id", "plan",
        SUBS + "fields.event_type", "'customer.subscription.updated'",
        SUBS + "fields.event_ts", "changed_at", SUBS + "timestamps.event_ts", "iso",
        USAGE + "format", "csv", USAGE + "dir", "company/usage", USAGE + "table", "bronze.product_events",
        USAGE + "key", "[message_id]", USAGE + "required", "[message_id, event_type, event_ts, workspace_id]",
        USAGE + "fields.message_id", "usage_id", USAGE + "fields.event_type", "'track'",
        USAGE + "fields.event_name", "feature", USAGE + "fields.event_ts", "used_at", USAGE + "timestamps.event_ts", "iso",
        USAGE + "lookups.subscription.table", "bronze.subscription_events",
        USAGE + "lookups.subscription.key", "subscription_id",
        USAGE + "lookups.subscription.value", "subscription_id",
        USAGE + "lookups.subscription.take.workspace_id", "customer_id"));
    return settings(dir, s.toArray(String[]::new));
  }

  private void export(String folder, String name, String text) throws Exception {
    Path f = Files.createDirectories(dir.resolve("landing/company").resolve(folder)).resolve(name);
    Files.writeString(f, text);
  }

  /** message id, type, name and workspace of every product event, in order. */
  private static List<String> events(Lake lake) {
    return lake.read(ProductEvents.TABLE).orderBy(ProductEvents.MESSAGE_ID.col())
        .select(functions.concat_ws(" ", ProductEvents.MESSAGE_ID.col(), ProductEvents.EVENT_TYPE.col(),
            ProductEvents.EVENT_NAME.col(), ProductEvents.WORKSPACE_ID.col()))
        .as(Encoders.STRING()).collectAsList();
  }

  @Test
  void usageTakesItsWorkspaceFromTheSubscriptionItNamesLandedInTheSameRun() throws Exception {
    startSpark();
    Settings settings = settings();
    export("subscriptions", "changes-1.csv", "change_id,subscription_id,account_id,status,plan,changed_at\n"
        + "c1,sub_1,acct_A,trialing,pro,2026-10-01T09:00:00Z\n"
        + "c2,sub_2,acct_B,active,pro,2026-10-01T10:00:00Z\n");
    export("usage", "usage-1.csv", "usage_id,subscription_id,feature,used_at\n"
        + "u1,sub_1,Dashboard Shared,2026-10-01T11:00:00Z\n"
        + "u2,sub_2,Report Exported,2026-10-01T12:00:00Z\n"
        + "u3,sub_9,Report Exported,2026-10-01T12:30:00Z\n"
        + "u4,,Report Exported,2026-10-01T13:00:00Z\n");
    JobContext first = runJob(new IngestJob(), settings, LocalDate.parse("2026-10-01"));
    Lake lake = first.lake();

    assertEquals(List.of("u1 track Dashboard Shared acct_A", "u2 track Report Exported acct_B"), events(lake),
        "each usage row in the workspace of its subscription, landed before it in the same run");
    assertEquals(List.of("c1 customer.subscription.updated sub_1 acct_A", "c2 customer.subscription.updated sub_2 acct_B"),
        lake.read(SubscriptionEvents.TABLE).orderBy(SubscriptionEvents.EVENT_ID.col())
            .select(functions.concat_ws(" ", SubscriptionEvents.EVENT_ID.col(), SubscriptionEvents.EVENT_TYPE.col(),
                SubscriptionEvents.SUBSCRIPTION_ID.col(), SubscriptionEvents.CUSTOMER_ID.col()))
            .as(Encoders.STRING()).collectAsList());
    String lookup = "workspace_id (lookups.subscription: the newest bronze.subscription_events row whose subscription_id"
        + " is the record's subscription_id, its customer_id) is missing or blank";
    assertEquals(List.of("4 MISSING_REQUIRED_FIELD " + lookup, "5 MISSING_REQUIRED_FIELD " + lookup),
        lake.read(Quarantine.TABLE).where(Quarantine.SOURCE.col().equalTo("usage")).orderBy(Quarantine.LINE.col())
            .select(functions.concat_ws(" ", Quarantine.LINE.col(), Quarantine.REASON.col(),
                Quarantine.DETAIL.col()))
            .as(Encoders.STRING()).collectAsList(), "a subscription no export names, and none named at all");
    assertEquals(Map.of("subscriptions", 2L, "usage", 4L), first.metrics().read());
    assertEquals(2L, first.metrics().written().get(ProductEvents.TABLE.qualifiedName()), "4 read = 2 landed + 2 quarantined");

    // The next day sub_2 moves to another account: usage from then on takes the newest change, what landed stays.
    export("subscriptions", "changes-2.csv", "change_id,subscription_id,account_id,status,plan,changed_at\n"
        + "c3,sub_2,acct_C,active,business,2026-10-02T08:00:00Z\n");
    export("usage", "usage-2.csv", "usage_id,subscription_id,feature,used_at\n"
        + "u5,sub_2,Dashboard Shared,2026-10-02T09:00:00Z\n");
    runJob(new IngestJob(), settings, LocalDate.parse("2026-10-02"));
    assertEquals(List.of("u1 track Dashboard Shared acct_A", "u2 track Report Exported acct_B",
        "u5 track Dashboard Shared acct_C"), events(lake));
  }

  @Test
  void sourcesWaitForTheSourcesWhoseTablesTheyLookUpAndAWaitInACircleFailsAtStart() {
    List<SourceSpec> specs = SourceSpec.all(settings());
    List<List<String>> waves = IngestJob.waves(specs).stream()
        .map(w -> w.stream().map(SourceSpec::name).filter(n -> n.equals("usage") || n.equals("subscriptions")).toList())
        .toList();
    assertEquals(List.of(List.of("subscriptions"), List.of("usage")), waves,
        "usage lands after every source writing bronze.subscription_events (stripe and subscriptions, side by side)");
    assertTrue(IngestJob.waves(specs).get(0).stream().anyMatch(s -> s.name().equals("stripe")));

    Settings circle = settings().with(Map.of(
        SUBS + "lookups.usage.table", "bronze.product_events", SUBS + "lookups.usage.key", "message_id",
        SUBS + "lookups.usage.value", "change_id", SUBS + "lookups.usage.take.quantity", "1"));
    SettingsException e = assertThrows(SettingsException.class, () -> dev.plg360.jobs.SettingsCheck.check(circle),
        "checked at start, before Spark");
    assertTrue(e.getMessage().contains("[subscriptions, usage]")
        && e.getMessage().contains("wait on each other"), e.getMessage());
  }
}
