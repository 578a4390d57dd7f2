package dev.plg360.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.Tables.Lineage;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mapping and checking of raw records, one bad-input kind per test, on tiny inline files. */
class IngestTransformsTest extends SparkTestBase {

  @TempDir
  Path dir;

  private Dataset<Row> checked(String source, String file, String content, String... settings) throws Exception {
    return checked(settings(dir, settings), source, file, content);
  }

  private Dataset<Row> checked(Settings settings, String source, String file, String content) throws Exception {
    SourceSpec spec = SourceSpec.all(settings).stream().filter(s -> s.name().equals(source)).findFirst().orElseThrow();
    Path f = dir.resolve("landing").resolve(spec.dir()).resolve(file);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
    LandingZone zone = new LandingZone(spark(), settings.landingDir());
    Dataset<Row> raw = RawRecords.read(spark(), spec.format(), zone.list(spec), zone.rootUri());
    return IngestTransforms.markBatchDuplicates(IngestTransforms.check(raw, spec, 50), spec.key());
  }

  /** line number -> reason ("OK" when accepted). */
  private static Map<Long, String> reasons(Dataset<Row> checked) {
    Map<Long, String> out = new TreeMap<>();
    for (Row r : checked.select(Lineage.SOURCE_LINE.name(), IngestTransforms.REASON).collectAsList()) {
      out.put(r.getLong(0), r.isNullAt(1) ? "OK" : r.getString(1));
    }
    return out;
  }

  private static final String GOOD = "{\"messageId\":\"%s\",\"type\":\"track\",\"event\":\"Logged In\",\"userId\":\"u1\","
      + "\"groupId\":\"w1\",\"timestamp\":\"%s\"}";

  private static String event(String id, String ts) {
    return String.format(GOOD, id, ts);
  }

  @Test
  void segmentBadInputKindsEachGetTheirReason() throws Exception {
    String content = String.join("\n",
        event("m1", "2026-05-01T10:00:00.123Z"),                                   // 1 ok
        "{\"messageId\":\"m2\",\"type\":\"track\",\"event\":",                    // 2 malformed
        "",                                                                        // 3 blank: not a record
        "{\"type\":\"track\",\"event\":\"X\",\"userId\":\"u\",\"timestamp\":\"2026-05-01T00:00:00Z\"}", // 4 no messageId
        event("m4", "yesterday"),                                                  // 5 bad timestamp
        event("m1", "2026-05-01T10:00:00.123Z"),                                   // 6 duplicate of line 1
        "{\"messageId\":\"m6\",\"type\":\"track\",\"timestamp\":\"2026-05-01T00:00:00Z\",\"userId\":\"u\"}", // 7 track without event
        "{\"messageId\":\"m7\",\"type\":\"teleport\",\"userId\":\"u\",\"timestamp\":\"2026-05-01T00:00:00Z\"}", // 8 unknown type
        event("m8", "1999-12-31T00:00:00Z"),                                       // 9 out of range
        "[1, 2, 3]",                                                               // 10 not an object
        event("m9", "2026-05-01T12:00:00+02:00"),                                  // 11 ok, offset
        "{\"messageId\":\"m10\",\"type\":\"track\",\"event\":\"Cut");             // 12 truncated last line, no newline
    Map<Long, String> r = reasons(checked("segment", "day1.jsonl", content));
    Map<Long, String> expected = new TreeMap<>(Map.ofEntries(
        Map.entry(1L, "OK"), Map.entry(2L, "MALFORMED_JSON"), Map.entry(4L, "MISSING_REQUIRED_FIELD"),
        Map.entry(5L, "UNPARSEABLE_TIMESTAMP"), Map.entry(6L, "DUPLICATE"), Map.entry(7L, "MISSING_REQUIRED_FIELD"),
        Map.entry(8L, "INVALID_VALUE"), Map.entry(9L, "VALUE_OUT_OF_RANGE"), Map.entry(10L, "MALFORMED_JSON"),
        Map.entry(11L, "OK"), Map.entry(12L, "MALFORMED_JSON")));
    assertEquals(expected, r);
  }

  @Test
  void timestampsOfEveryConfiguredFormatLandInUtc() throws Exception {
    Dataset<Row> df = checked("segment", "ts.jsonl", String.join("\n",
        event("a", "2026-05-01T10:00:00Z"),
        event("b", "2026-05-01T12:00:00+02:00"),
        event("c", "2026-05-01T10:00:00.000+0000"),
        event("d", "2026-05-01T10:00:00.000Z"))).where(IngestTransforms.REASON + " IS NULL");
    List<Row> rows = df.select("message_id", "event_ts", "event_date").orderBy("message_id").collectAsList();
    assertEquals(4, rows.size());
    for (Row r : rows) {
      assertEquals(Timestamp.from(java.time.Instant.parse("2026-05-01T10:00:00Z")), r.getTimestamp(1), r.getString(0));
      assertEquals(java.sql.Date.valueOf("2026-05-01"), r.getDate(2));
    }
  }

  @Test
  void timestampsThatNameNoInstantAreQuarantinedUnlessASettingSaysWhatToAssume() throws Exception {
    java.util.function.Function<String, String> day = id -> String.join("\n", event(id + "a", "2026"),
        event(id + "b", "2026-05-01"), event(id + "c", "2026-05-01T10:00:00"), event(id + "d", "2026-05-01 10:00Z"),
        event(id + "e", "2026-05-01T10:00:00,5+00"));
    assertEquals(Map.of(1L, "UNPARSEABLE_TIMESTAMP", 2L, "UNPARSEABLE_TIMESTAMP", 3L, "UNPARSEABLE_TIMESTAMP",
        4L, "OK", 5L, "OK"), reasons(checked("segment", "strict.jsonl", day.apply("s"))),
        "a year, a date, a time without an offset: none is an instant");
    Files.delete(dir.resolve("landing/segment/strict.jsonl"));
    Dataset<Row> local = checked("segment", "local.jsonl", day.apply(""),
        "plg360.ingest.sources.segment.timestamps.event_ts", "iso-local-as-utc");
    assertEquals(Map.of(1L, "UNPARSEABLE_TIMESTAMP", 2L, "UNPARSEABLE_TIMESTAMP", 3L, "OK", 4L, "OK", 5L, "OK"),
        reasons(local));
    assertEquals(Timestamp.from(java.time.Instant.parse("2026-05-01T10:00:00Z")),
        local.where("message_id = 'c'").first().getAs("event_ts"), "a local time read as UTC, as the setting says");
    assertEquals(Timestamp.from(java.time.Instant.parse("2026-05-01T10:00:00.500Z")),
        local.where("message_id = 'e'").first().getAs("event_ts"), "a decimal comma, an hour-only offset");

    String email = "{\"id\":\"%s\",\"type\":\"SENT\",\"created\":%s,\"recipient\":\"ana@acme.io\"}";
    Dataset<Row> millis = checked("hubspot-email", "email_events-1.jsonl", String.join("\n",
        String.format(email, "e1", "1777622460000"), String.format(email, "e2", "1777622460"),
        String.format(email, "e3", "0")));
    assertEquals(Map.of(1L, "OK", 2L, "UNPARSEABLE_TIMESTAMP", 3L, "UNPARSEABLE_TIMESTAMP"), reasons(millis),
        "epoch seconds where milliseconds are expected would land in January 1970");
    assertTrue(millis.where("id = 'e2'").first().<String>getAs(IngestTransforms.DETAIL)
        .equals("event_ts is not epoch-millis: 1777622460"));
  }

  @Test
  void stripeNestedPathsEpochSecondsAndRanges() throws Exception {
    String sub = "{\"id\":\"%s\",\"type\":\"customer.subscription.updated\",\"created\":%s,\"data\":{\"object\":"
        + "{\"id\":\"sub_1\",\"customer\":\"cus_1\",\"status\":\"%s\",\"plan\":{\"id\":\"pro\",\"amount\":1500},"
        + "\"quantity\":%s,\"metadata\":{\"workspace_id\":\"ws_1\"}},\"previous_attributes\":{}}}";
    Dataset<Row> df = checked("stripe", "subs.jsonl", String.join("\n",
        String.format(sub, "evt_1", "1777629600", "active", "12"),
        String.format(sub, "evt_2", "1777629600", "active", "-3"),
        String.format(sub, "evt_3", "1777629600", "active", "\"lots\""),
        String.format(sub, "evt_4", "99999999999999", "active", "1"),
        String.format(sub, "evt_5", "1777629600", "frozen", "1")));
    assertEquals(Map.of(1L, "OK", 2L, "VALUE_OUT_OF_RANGE", 3L, "INVALID_VALUE", 4L, "UNPARSEABLE_TIMESTAMP",
        5L, "INVALID_VALUE"), reasons(df));
    Row ok = df.where("event_id = 'evt_1'").first();
    assertEquals(12L, ok.getLong(ok.fieldIndex("quantity")));
    assertEquals("pro", ok.getString(ok.fieldIndex("plan_id")));
    assertEquals(Timestamp.from(java.time.Instant.ofEpochSecond(1777629600)), ok.getTimestamp(ok.fieldIndex("event_ts")));
    assertEquals("ws_1", ok.getJavaMap(ok.fieldIndex("metadata")).get("workspace_id"));
    assertTrue(ok.getJavaMap(ok.fieldIndex(Lineage.EXTRA.name())).containsKey("data") == false,
        "a mapped top-level field is not repeated in extra");
  }

  /** analytics.js puts the workspace of a track call in its context; a group call has it at the top. */
  @Test
  void aTrackCallsWorkspaceIsReadFromItsContext() throws Exception {
    Dataset<Row> df = checked("segment", "calls.jsonl", String.join("\n",
        "{\"messageId\":\"m1\",\"type\":\"track\",\"event\":\"Logged In\",\"userId\":\"u1\","
            + "\"context\":{\"groupId\":\"ws_ctx\",\"library\":{\"name\":\"analytics.js\"}},\"timestamp\":\"2026-05-01T10:00:00Z\"}",
        "{\"messageId\":\"m2\",\"type\":\"group\",\"userId\":\"u1\",\"groupId\":\"ws_top\","
            + "\"timestamp\":\"2026-05-01T10:01:00Z\"}",
        "{\"messageId\":\"m3\",\"type\":\"track\",\"event\":\"Logged In\",\"userId\":\"u1\",\"groupId\":\"ws_top\","
            + "\"context\":{\"groupId\":\"\"},\"timestamp\":\"2026-05-01T10:02:00Z\"}"));
    Map<String, String> workspaceOf = new TreeMap<>();
    for (Row r : df.select("message_id", "workspace_id").collectAsList()) {
      workspaceOf.put(r.getString(0), r.getString(1));
    }
    assertEquals(Map.of("m1", "ws_ctx", "m2", "ws_top", "m3", "ws_top"), workspaceOf);
  }

  /** Stripe's subscription as the API gives it now: the price in items.data[0], no top-level plan. */
  @Test
  void aStripePriceIsReadFromTheSubscriptionsFirstItem() throws Exception {
    String sub = "{\"id\":\"evt_9\",\"type\":\"customer.subscription.created\",\"created\":1777629600,\"data\":{\"object\":"
        + "{\"id\":\"sub_9\",\"customer\":\"cus_9\",\"status\":\"active\",\"items\":{\"object\":\"list\",\"data\":["
        + "{\"id\":\"si_1\",\"price\":{\"id\":\"price_pro\",\"unit_amount\":1500,\"recurring\":{\"interval\":\"month\"}},"
        + "\"quantity\":4}]},\"metadata\":{\"workspace_id\":\"ws_9\"}}}}";
    String item = "plg360.ingest.sources.stripe.fields.";
    Dataset<Row> df = checked("stripe", "items.jsonl", sub,
        item + "plan_id", "data.object.items.data[0].price.id",
        item + "plan_amount_cents", "data.object.items.data[0].price.unit_amount",
        item + "plan_interval", "data.object.items.data[0].price.recurring.interval",
        item + "quantity", "data.object.items.data[0].quantity");
    assertEquals(Map.of(1L, "OK"), reasons(df));
    Row r = df.first();
    assertEquals(List.of("price_pro", 1500L, "month", 4L), List.of(r.getString(r.fieldIndex("plan_id")),
        r.getLong(r.fieldIndex("plan_amount_cents")), r.getString(r.fieldIndex("plan_interval")),
        r.getLong(r.fieldIndex("quantity"))));
  }

  /**
   * Stripe Subscription objects, one per change, with conf/stripe-subscription-objects.conf: a version's key is derived
   * from its subscription and update time; a version whose update time does not parse is rejected for that, not for
   * the key derived from it, and one without an id for its missing id.
   */
  @Test
  void aStripeSubscriptionVersionIsKeyedByItsSubscriptionAndUpdateTime() throws Exception {
    String object = "{\"id\":%s,\"object\":\"subscription\",\"customer\":\"cus_9\",\"status\":\"%s\","
        + "\"items\":{\"data\":[{\"price\":{\"id\":\"price_pro\",\"unit_amount\":1500,"
        + "\"recurring\":{\"interval\":\"month\"}},\"quantity\":3}]},\"updated\":%s,\"metadata\":{\"workspace_id\":\"ws_9\"}}";
    Settings objects = Settings.load(java.util.Optional.of(Path.of("..", "conf", "stripe-subscription-objects.conf")),
        Map.of("plg360.lake.root", dir.resolve("lake").toString(), "plg360.landing.dir", dir.resolve("landing").toString()));
    Dataset<Row> df = checked(objects, "stripe-subscription", "2026-05-04/subscriptions.jsonl", String.join("\n",
        String.format(object, "\"sub_9\"", "trialing", "1777629600"),
        String.format(object, "\"sub_9\"", "active", "1778839200"),
        String.format(object, "\"sub_9\"", "active", "\"yesterday\""),
        String.format(object, "null", "active", "1778839300")));
    assertEquals(Map.of(1L, "OK", 2L, "OK", 3L, "UNPARSEABLE_TIMESTAMP", 4L, "MISSING_REQUIRED_FIELD"), reasons(df));
    assertEquals(List.of("sub_9@1777629600 trialing 3", "sub_9@1778839200 active 3"),
        df.where(col(IngestTransforms.REASON).isNull()).orderBy("event_id")
            .selectExpr("concat_ws(' ', event_id, status, quantity)").as(Encoders.STRING()).collectAsList());
  }

  @Test
  void unmappedFieldsAreKeptInExtra() throws Exception {
    Dataset<Row> df = checked("segment", "x.jsonl",
        "{\"messageId\":\"m\",\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"timestamp\":\"2026-05-01T00:00:00Z\","
            + "\"channel\":\"server\",\"integrations\":{\"All\":true}}");
    Row r = df.first();
    Map<Object, Object> extra = r.getJavaMap(r.fieldIndex(Lineage.EXTRA.name()));
    assertEquals("server", extra.get("channel"));
    assertEquals("{\"All\":true}", extra.get("integrations"));
    assertNull(r.get(r.fieldIndex("raw")), "an accepted record keeps no raw copy");
  }

  @Test
  void hubspotFormValuesListAndSalesforceCsvMapByName() throws Exception {
    Dataset<Row> forms = checked("hubspot-form", "form_submissions-1.jsonl",
        "{\"conversionId\":\"f1\",\"submittedAt\":1777629600000,\"formName\":\"Demo Request\",\"values\":"
            + "[{\"name\":\"email\",\"value\":\"ana@acme.io\"},{\"name\":\"company\",\"value\":\"Acme\"}]}\n"
            + "{\"conversionId\":\"f2\",\"submittedAt\":1777629600000,\"values\":[{\"name\":\"company\",\"value\":\"Acme\"}]}");
    assertEquals(Map.of(1L, "OK", 2L, "MISSING_REQUIRED_FIELD"), reasons(forms));
    assertEquals("ana@acme.io", forms.where("conversion_id = 'f1'").first().getAs("email"));

    Dataset<Row> accounts = checked("salesforce-account", "Account-1.csv",
        "Id,Name,Website,NumberOfEmployees,LastModifiedDate,IsDeleted,Tier__c\n"
            + "001A,Acme,acme.io,120,2026-01-02T00:00:00.000Z,false,Gold\n"
            + "001B,Bad,b.io,many,2026-01-02T00:00:00.000Z,false,\n"
            + "001C,Early,c.io,5,not a date,false,\n"
            + "001D,,d.io,5,2026-01-02T00:00:00.000Z,false,\n");
    assertEquals(Map.of(2L, "OK", 3L, "INVALID_VALUE", 4L, "UNPARSEABLE_TIMESTAMP", 5L, "MISSING_REQUIRED_FIELD"),
        reasons(accounts));
    Row acme = accounts.where("id = '001A'").first();
    assertEquals(120L, (long) acme.getAs("employees"));
    assertEquals(Boolean.FALSE, acme.getAs("is_deleted"));
    assertEquals("Gold", acme.getJavaMap(acme.fieldIndex(Lineage.EXTRA.name())).get("Tier__c"));
  }

  @Test
  void ticketIdsAreTextWhetherAHelpDeskWritesNumbersOrLetters() throws Exception {
    String ticket = "{\"id\":%s,\"requester\":{\"email\":\"ana@acme.io\",\"name\":\"Ana\"},\"status\":\"open\","
        + "\"created_at\":\"2026-05-01T10:00:00Z\",\"updated_at\":\"2026-05-01T11:00:00Z\"}";
    Dataset<Row> tickets = checked("zendesk", "tickets-1.jsonl",
        String.format(ticket, "35436") + "\n" + String.format(ticket, "\"T-000c31\""));
    assertEquals(Map.of(1L, "OK", 2L, "OK"), reasons(tickets));
    assertEquals(List.of("35436", "T-000c31"), tickets.orderBy(Lineage.SOURCE_LINE.name()).select("ticket_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }
}
