package dev.plg360.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.IngestedFiles;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.testkit.SparkTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest end to end on the sample landing zone (samples/landing, whose README lists what was planted), as one
 * day-by-day story on one lake: exact rows per bronze table and quarantine per reason, a re-run that changes
 * nothing, a run killed before it recorded its files, and a later file that adds only what is new.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestJobTest extends SparkTestBase {

  private static final Path SAMPLES = Path.of("..", "samples", "landing");

  /** Accepted rows per bronze table, as samples/landing/README.md states them. */
  private static final Map<TableDef, Long> ACCEPTED = new LinkedHashMap<>();

  static {
    ACCEPTED.put(Tables.ProductEvents.TABLE, 39L);
    ACCEPTED.put(Tables.SfAccounts.TABLE, 4L);
    ACCEPTED.put(Tables.SfContacts.TABLE, 2L);
    ACCEPTED.put(Tables.SfLeads.TABLE, 5L);
    ACCEPTED.put(Tables.SfOpportunities.TABLE, 2L);
    ACCEPTED.put(Tables.SfTasks.TABLE, 2L);
    ACCEPTED.put(Tables.EmailEvents.TABLE, 20L);
    ACCEPTED.put(Tables.FormSubmissions.TABLE, 2L);
    ACCEPTED.put(Tables.SubscriptionEvents.TABLE, 4L);
    ACCEPTED.put(Tables.Firmographics.TABLE, 2L);
    ACCEPTED.put(Tables.SupportTickets.TABLE, 2L);
  }

  private static final Map<String, Long> QUARANTINED = new TreeMap<>(Map.of(
      "MALFORMED_JSON", 2L,
      "MISSING_REQUIRED_FIELD", 3L,
      "UNPARSEABLE_TIMESTAMP", 3L,
      "DUPLICATE", 3L,
      "INVALID_VALUE", 2L,
      "WRONG_COLUMN_COUNT", 1L,
      "VALUE_OUT_OF_RANGE", 4L));

  @TempDir
  static Path dir;

  private Settings settings;
  private JobContext first;

  @BeforeAll
  void landTheSamplesOnce() throws Exception {
    startSpark();
    settings = landSamples();
    first = runJob(new IngestJob(), settings, date("2026-05-02"));
  }

  private Settings landSamples() throws IOException {
    Path landing = dir.resolve("landing");
    try (Stream<Path> files = Files.walk(SAMPLES)) {
      for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".md")).toList()) {
        Path target = landing.resolve(SAMPLES.relativize(p).toString());
        Files.createDirectories(target.getParent());
        Files.copy(p, target);
      }
    }
    return settings(dir);
  }

  private Map<String, Long> rowCounts(Lake lake) {
    Map<String, Long> out = new TreeMap<>();
    for (TableDef t : ACCEPTED.keySet()) {
      out.put(t.qualifiedName(), lake.read(t).count());
    }
    out.put(Quarantine.TABLE.qualifiedName(), lake.read(Quarantine.TABLE).count());
    return out;
  }

  private Map<String, Long> versions(Lake lake) {
    Map<String, Long> out = new TreeMap<>();
    for (TableDef t : Stream.concat(ACCEPTED.keySet().stream(), Stream.of(Quarantine.TABLE, IngestedFiles.TABLE)).toList()) {
      out.put(t.qualifiedName(), lake.version(t));
    }
    return out;
  }

  private Map<String, Long> quarantineByReason(Lake lake) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : lake.read(Quarantine.TABLE).groupBy(Quarantine.REASON.name()).count().collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  private static Map<String, Long> expectedRows() {
    Map<String, Long> expected = new TreeMap<>();
    ACCEPTED.forEach((t, n) -> expected.put(t.qualifiedName(), n));
    expected.put(Quarantine.TABLE.qualifiedName(), QUARANTINED.values().stream().mapToLong(Long::longValue).sum());
    return expected;
  }

  @Test
  @Order(1)
  void landsEverySourceQuarantinesThePlantedDefectsAndReRunsWriteNothing() throws Exception {
    Lake lake = first.lake();
    Map<String, Long> expectedRows = expectedRows();
    assertEquals(expectedRows, rowCounts(lake));
    assertEquals(QUARANTINED, quarantineByReason(lake));
    assertEquals(QUARANTINED, new TreeMap<>(first.metrics().rejected()), "the run log counts each reason");

    Row run = lake.read(JobRuns.TABLE).where(JobRuns.RUN_ID.col().equalTo(first.runId())).first();
    assertEquals("SUCCEEDED", run.getAs(JobRuns.STATUS.name()));
    assertEquals(QUARANTINED, new TreeMap<>(run.<String, Long>getJavaMap(run.fieldIndex(JobRuns.ROWS_REJECTED.name()))));

    // Quarantine keeps where and why: the cut-off last line of day 2 is its line 17.
    Row cut = lake.read(Quarantine.TABLE).where("source_file = 'segment/2026-05-02/events-1.jsonl' AND reason = 'MALFORMED_JSON'").first();
    assertEquals(17L, (long) cut.getAs(Quarantine.LINE.name()));
    assertTrue(((String) cut.getAs(Quarantine.RAW.name())).startsWith("{\"messageId\":\"m-trunc\""));

    Map<String, Long> versionsAfterFirst = versions(lake);
    JobContext second = runJob(new IngestJob(), settings, date("2026-05-02"));
    assertEquals(versionsAfterFirst, versions(second.lake()), "a second run commits nothing");
    assertEquals(expectedRows, rowCounts(second.lake()));
  }

  @Test
  @Order(2)
  void aRunKilledBeforeItRecordedItsFilesIsFinishedWithoutDuplicates() throws Exception {
    Map<String, Long> rows = rowCounts(first.lake());
    assertEquals(expectedRows(), rows);
    // As if the process died after writing bronze and quarantine but before recording the files.
    spark().sql("DELETE FROM ops.ingested_files WHERE source = 'segment'");
    JobContext again = runJob(new IngestJob(), settings, date("2026-05-02"));
    assertEquals(rows, rowCounts(again.lake()));
    assertEquals(QUARANTINED, quarantineByReason(again.lake()), "re-read records are neither duplicates nor lost");
    assertEquals(2L, again.lake().read(IngestedFiles.TABLE).where("source = 'segment'").count());
  }

  @Test
  @Order(3)
  void aNewFileAddsOnlyItsNewRecords() throws Exception {
    long events = first.lake().read(Tables.ProductEvents.TABLE).count();
    String replay = Files.readAllLines(dir.resolve("landing/segment/2026-05-01/events-1.jsonl")).get(4);
    Path day3 = dir.resolve("landing/segment/2026-05-03/events-1.jsonl");
    Files.createDirectories(day3.getParent());
    Files.writeString(day3, replay + "\n"
        + "{\"messageId\":\"m-3-1\",\"type\":\"track\",\"event\":\"Logged In\",\"userId\":\"u1\",\"groupId\":\"ws_1\","
        + "\"timestamp\":\"2026-05-03T09:00:00Z\"}\n");
    JobContext second = runJob(new IngestJob(), settings, date("2026-05-03"));
    assertEquals(events + 1, second.lake().read(Tables.ProductEvents.TABLE).count());
    assertEquals(Map.of("segment", 2L), second.metrics().read(), "only the new file was read");
    List<Row> dup = second.lake().read(Quarantine.TABLE).where("source_file = 'segment/2026-05-03/events-1.jsonl'").collectAsList();
    assertEquals(1, dup.size());
    assertEquals("DUPLICATE", dup.get(0).getAs(Quarantine.REASON.name()));
    assertTrue(((String) dup.get(0).getAs(Quarantine.DETAIL.name())).contains("segment/2026-05-01/events-1.jsonl:5"));
    assertTrue(((String) dup.get(0).getAs(Quarantine.RAW.name())).contains("\"message_id\":\"m-id-u3\""),
        "a duplicate keeps its parsed record: " + dup.get(0).getAs(Quarantine.RAW.name()));
  }
}
