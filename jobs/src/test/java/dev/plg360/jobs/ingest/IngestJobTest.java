package dev.plg360.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.IngestedFiles;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.testkit.SparkTestBase;
import io.openlineage.spark.agent.OpenLineageSparkListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
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
// Among the longest classes: at the end of the order, which one test thread takes first (jobs/pom.xml).
@Order(Order.DEFAULT + 2)
class IngestJobTest extends SparkTestBase {

  private static final Path SAMPLES = Path.of("..", "samples", "landing");

  /** Accepted rows per bronze table, as samples/landing/README.md states them. */
  private static final Map<TableDef, Long> ACCEPTED = new LinkedHashMap<>();

  static {
    ACCEPTED.put(Tables.ProductEvents.TABLE, 39L);
    ACCEPTED.put(Tables.SfAccounts.TABLE, 5L);
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
    // With the OpenLineage listener a data engineer adds to spark-submit (docs/OPERATIONS.md, "Lineage"), set up
    // from the same settings, writing its events to a file.
    SparkConf lineage = spark().sparkContext().getConf().clone()
        .set("spark.openlineage.transport.type", "file")
        .set("spark.openlineage.transport.location", dir.resolve("lineage.jsonl").toString())
        .set("spark.openlineage.namespace", "plg360-tests");
    OpenLineageSparkListener listener = new OpenLineageSparkListener(lineage);
    spark().sparkContext().addSparkListener(listener);
    try {
      first = runJob(new IngestJob(), settings, date("2026-05-02"));
    } finally {
      spark().sparkContext().listenerBus().waitUntilEmpty();
      spark().sparkContext().removeSparkListener(listener);
      listener.close();
    }
  }

  /** The lineage of the first ingest: each bronze table it wrote is an output of a completed Spark job. */
  @Test
  @Order(0)
  void openLineageSeesEveryBronzeTableIngestWrote() throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    Set<String> written = new TreeSet<>();
    for (String line : Files.readAllLines(dir.resolve("lineage.jsonl"))) {
      var event = json.readTree(line);
      assertEquals("plg360-tests", event.path("job").path("namespace").asText(), line);
      if (event.path("eventType").asText().equals("COMPLETE")) {
        event.path("outputs").forEach(o -> written.add(o.path("name").asText()));
      }
    }
    Set<String> bronze = new TreeSet<>();
    ACCEPTED.keySet().forEach(t -> bronze.add(first.lake().path(t)));
    bronze.add(first.lake().path(Quarantine.TABLE));
    bronze.add(first.lake().path(IngestedFiles.TABLE));
    Set<String> missing = new TreeSet<>(bronze);
    missing.removeAll(written);
    assertTrue(missing.isEmpty(), "tables with no lineage event: " + missing + "; outputs seen: " + written);
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

  private static final String TASK_HEADER =
      "Id,WhoId,WhatId,AccountId,Subject,Type,Status,ActivityDate,OwnerId,CreatedDate,LastModifiedDate,IsDeleted\n";

  /** Ten Salesforce tasks, two with an inch mark in their subject; {@code lines}: record number to its own line. */
  private static String probe(Map<Integer, String> lines) {
    StringBuilder probe = new StringBuilder(TASK_HEADER);
    for (int i = 1; i <= 10; i++) {
      String subject = i == 3 ? "Call re 27\" monitor" : i == 10 ? "Call re 32\" demo" : "Call " + i;
      probe.append(lines.getOrDefault(i, String.format("00T5g0000P%03dAAA,0035g00000Dev0AAA,,,%s,Call,Completed,"
          + "2026-05-04,0055g00000OwnerB,2026-05-04T10:00:00.000Z,2026-05-04T10:00:00.000Z,false", i, subject)));
      probe.append('\n');
    }
    return probe.toString();
  }

  @Test
  @Order(4)
  void unreadableFilesAreQuarantinedWholeAndNeitherStrayQuotesNorReplaysOnAnotherDayLoseOrAddARecord() throws Exception {
    Lake lake = first.lake();
    long events = lake.read(Tables.ProductEvents.TABLE).count();
    long tasks = lake.read(Tables.SfTasks.TABLE).count();
    Path day4 = dir.resolve("landing/segment/2026-05-04");
    Files.createDirectories(day4);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      lines.append("{\"messageId\":\"m-4-").append(i).append("\",\"type\":\"track\",\"event\":\"Logged In\",")
          .append("\"userId\":\"u1\",\"groupId\":\"ws_1\",\"timestamp\":\"2026-05-04T09:00:00Z\"}\n");
    }
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    byte[] whole = gz.toByteArray();
    Files.write(day4.resolve("events-1.jsonl.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
    Files.writeString(day4.resolve("events-2.jsonl.gz"), lines.substring(0, lines.indexOf("\n") + 1));
    Files.writeString(day4.resolve("events-3.jsonl"), "{\"messageId\":\"m-4-ok\",\"type\":\"track\",\"event\":"
        + "\"Logged In\",\"userId\":\"u1\",\"groupId\":\"ws_1\",\"timestamp\":\"2026-05-04T10:00:00Z\"}\n");
    Path salesforce = dir.resolve("landing/salesforce");
    Files.writeString(salesforce.resolve("Task-probe.csv"), probe(Map.of()));
    Files.write(salesforce.resolve("Task-latin1.csv"),
        (TASK_HEADER + "00T5g0000L001AAA,,,,Caf\u00e9,Call,Completed,2026-05-04,,2026-05-04T10:00:00.000Z,"
            + "2026-05-04T10:00:00.000Z,false\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

    // A replay of day 1's fifth event, dated day 4: its first landing sits in another date partition.
    String replay = Files.readAllLines(dir.resolve("landing/segment/2026-05-01/events-1.jsonl")).get(4)
        .replaceAll("\"timestamp\":\"2026-05-01", "\"timestamp\":\"2026-05-04");
    assertTrue(replay.contains("\"timestamp\":\"2026-05-04"), replay);
    Files.writeString(day4.resolve("events-3.jsonl"), Files.readString(day4.resolve("events-3.jsonl")) + replay + "\n");

    JobContext run = runJob(new IngestJob(), settings, date("2026-05-04"));
    assertEquals("SUCCEEDED", lake.read(JobRuns.TABLE).where(JobRuns.RUN_ID.col().equalTo(run.runId())).first()
        .getAs(JobRuns.STATUS.name()), "no file stops the run");
    assertEquals(events + 1, lake.read(Tables.ProductEvents.TABLE).count(), "the readable file of the day lands");
    assertEquals(tasks + 10, lake.read(Tables.SfTasks.TABLE).count(), "every record of the probe lands");
    assertEquals(List.of("Call re 27\" monitor", "Call re 32\" demo"), lake.read(Tables.SfTasks.TABLE)
        .where("subject LIKE 'Call re %'").orderBy("subject").select("subject").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList());
    Map<String, String> unreadable = new TreeMap<>();
    for (Row r : lake.read(Quarantine.TABLE).where("reason = 'UNREADABLE_FILE'").collectAsList()) {
      assertEquals(0L, (long) r.getAs(Quarantine.LINE.name()), "a whole file is line 0");
      unreadable.put(r.getAs(Quarantine.SOURCE_FILE.name()), r.getAs(Quarantine.DETAIL.name()));
    }
    assertEquals(List.of("salesforce/Task-latin1.csv", "segment/2026-05-04/events-1.jsonl.gz",
        "segment/2026-05-04/events-2.jsonl.gz"), List.copyOf(unreadable.keySet()));
    assertEquals("file cannot be read: not UTF-8 text: line 2 holds a byte sequence UTF-8 does not allow",
        unreadable.get("salesforce/Task-latin1.csv"));
    assertTrue(unreadable.get("segment/2026-05-04/events-1.jsonl.gz").contains("nexpected end of"), unreadable.toString());
    assertTrue(unreadable.get("segment/2026-05-04/events-2.jsonl.gz").contains("not a gzip file"), unreadable.toString());
    assertEquals(Map.of("UNREADABLE_FILE", 3L, "DUPLICATE", 1L), run.metrics().rejected());
    assertEquals(Map.of("segment", 4L, "salesforce-task", 11L), run.metrics().read(),
        "records read = accepted + quarantined, an unreadable file counting as one");
    Row dup = lake.read(Quarantine.TABLE).where("source_file = 'segment/2026-05-04/events-3.jsonl'").first();
    assertEquals(List.of(2L, "DUPLICATE", "key already in bronze from segment/2026-05-01/events-1.jsonl:5"),
        List.of(dup.getAs(Quarantine.LINE.name()), dup.getAs(Quarantine.REASON.name()), dup.getAs(Quarantine.DETAIL.name())),
        "a replayed event dated another day is a duplicate, not a second row");

    JobContext again = runJob(new IngestJob(), settings, date("2026-05-04"));
    assertEquals(Map.of(), again.metrics().read(), "an unreadable file is not read again until it changes");
  }

  @Test
  @Order(6)
  void aFileDeliveredAgainWithOtherContentIsAnotherVersionAccountedRecordByRecord() throws Exception {
    Lake lake = first.lake();
    long tasks = lake.read(Tables.SfTasks.TABLE).count();
    Path probe = dir.resolve("landing/salesforce/Task-probe.csv");
    String v2 = probe(Map.of(
        2, "00T5g0000P002AAA,0035g00000Dev0AAA,,,Call 2 (corrected),Call,Completed,2026-05-04,0055g00000OwnerB,"
            + "2026-05-04T10:00:00.000Z,2026-05-04T10:00:00.000Z,false",
        3, "00T5g0000P003AAA,too,few",
        5, "00T5g0000P005AAA,0035g00000Dev0AAA,,,Call 5,Call,Completed,2026-05-06,0055g00000OwnerB,"
            + "2026-05-04T10:00:00.000Z,2026-05-06T10:00:00.000Z,false"));
    Files.writeString(probe, v2);
    JobContext second = runJob(new IngestJob(), settings, date("2026-05-06"));
    assertEquals(tasks + 1, lake.read(Tables.SfTasks.TABLE).count(), "record 5's new version lands");
    assertEquals(Map.of("salesforce-task", 10L), second.metrics().read());
    assertEquals(Map.of("DUPLICATE", 8L, "WRONG_COLUMN_COUNT", 1L), second.metrics().rejected(),
        "the records the first version landed are duplicates now, the corrected one too (same Id and version)");

    Files.writeString(probe, v2.replace("00T5g0000P003AAA,too,few", ",0035g00000Dev0AAA,,,Call 3,Call,Completed,"
        + "2026-05-04,0055g00000OwnerB,2026-05-04T10:00:00.000Z,2026-05-04T10:00:00.000Z,false"));
    JobContext third = runJob(new IngestJob(), settings, date("2026-05-06"));
    assertEquals(Map.of("DUPLICATE", 9L, "MISSING_REQUIRED_FIELD", 1L), third.metrics().rejected());
    Map<String, String> line4 = new TreeMap<>();
    for (Row r : lake.read(Quarantine.TABLE).where("source_file = 'salesforce/Task-probe.csv' AND line = 4").collectAsList()) {
      line4.put(r.getAs(Quarantine.REASON.name()), r.getAs(Quarantine.FILE_CHECKSUM.name()));
    }
    assertEquals(List.of("MISSING_REQUIRED_FIELD", "WRONG_COLUMN_COUNT"), List.copyOf(line4.keySet()),
        "line 4 of each version that rejected it, each recorded: " + line4);
    assertEquals(2, new java.util.HashSet<>(line4.values()).size(), "under two versions of the file");
    long quarantined = lake.read(Quarantine.TABLE).where("source_file = 'salesforce/Task-probe.csv'").count();
    assertEquals(9 + 10, quarantined, "every rejection of every version is kept, and nothing this run landed");
  }

  /**
   * After every run above (samples, unreadable files, stray quotes, a replay on another day, three versions of one
   * file): for every source, the records its files held = the rows it put in bronze + the rows it quarantined.
   */
  @Test
  @Order(7)
  void everyRecordOfEverySourceIsAcceptedOrQuarantined() {
    Lake lake = first.lake();
    Map<String, Long> read = new TreeMap<>();
    Map<String, Long> accounted = new TreeMap<>();
    for (SourceSpec spec : SourceSpec.all(settings)) {
      org.apache.spark.sql.Dataset<Row> files = lake.read(IngestedFiles.TABLE).where(IngestedFiles.SOURCE.col().equalTo(spec.name()));
      read.put(spec.name(), files.agg(org.apache.spark.sql.functions.sum(IngestedFiles.RECORDS.col())).first().getLong(0));
      long bronze = lake.read(spec.table()).join(files.select(IngestedFiles.PATH.col().as(Tables.Lineage.SOURCE_FILE.name()))
          .distinct(), Tables.Lineage.SOURCE_FILE.name()).count();
      long quarantined = lake.read(Quarantine.TABLE).where(Quarantine.SOURCE.col().equalTo(spec.name())
          .and(Quarantine.FILE_CHECKSUM.col().isNotNull())).count();
      accounted.put(spec.name(), bronze + quarantined);
    }
    assertEquals(read, accounted, "records read = accepted + quarantined, per source");
    assertEquals(45L + 2 + 4, read.get("segment"), "the samples, day 3's two records, day 4's three files");
    assertEquals(3L + 3 * 10 + 1, read.get("salesforce-task"), "Task.csv, the probe's three versions, the Latin-1 file");
  }
}
