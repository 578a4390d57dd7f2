package dev.plg360.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plg360.common.asof.AsOf;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.run.JobContext;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.common.tables.Tables.SfAccounts;
import dev.plg360.common.tables.Tables.SfCommon;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CRM export that is a snapshot of current values, as a Salesforce report or Data Loader export is: every field
 * quoted, +0000 offsets, no LastModifiedDate and no IsDeleted. Declared from scratch by configuration as a source of
 * its own ({@code version-from-file}): each record's version is its file's time, never a date before the export, and
 * a record exported again unchanged is no new version (nor a duplicate).
 */
class SnapshotExportTest extends SparkTestBase {

  @TempDir
  Path dir;

  private static final String HEADER = "\"Id\",\"Name\",\"Website\",\"Industry\",\"NumberOfEmployees\",\"BillingCountry\","
      + "\"Type\",\"OwnerId\",\"CreatedDate\"\n";

  private static String account(String id, String name, String industry, String created) {
    return String.join(",", List.of(id, name, name.toLowerCase() + ".com", industry, "120", "DE", "Prospect", "005A",
        created).stream().map(v -> "\"" + v + "\"").toList()) + "\n";
  }

  private Settings settings() {
    String s = "plg360.ingest.sources.salesforce-account-snapshot.";
    return settings(dir, s + "format", "csv", s + "dir", "crm-snapshots", s + "file-pattern", "Account*.csv",
        s + "table", "bronze.sf_accounts", s + "key", "[id, last_modified_at]", s + "required", "[id, name]",
        s + "version-from-file", "last_modified_at", s + "fields.id", "Id", s + "fields.name", "Name",
        s + "fields.website", "Website", s + "fields.industry", "Industry", s + "fields.employees", "NumberOfEmployees",
        s + "fields.billing_country", "BillingCountry", s + "fields.account_type", "Type", s + "fields.owner_id", "OwnerId",
        s + "fields.created_at", "CreatedDate", s + "timestamps.created_at", "iso");
  }

  private void export(String name, String body, String at) throws Exception {
    Path f = Files.createDirectories(dir.resolve("landing/crm-snapshots")).resolve(name);
    Files.writeString(f, HEADER + body);
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse(at)));
  }

  /** id, industry and version of every bronze row, in order. */
  private List<String> rows(Lake lake) {
    return lake.read(SfAccounts.TABLE).orderBy(SfCommon.ID.col(), SfCommon.LAST_MODIFIED_AT.col())
        .select(functions.concat_ws(" ", SfCommon.ID.col(), SfAccounts.INDUSTRY.col(),
            functions.date_format(SfCommon.LAST_MODIFIED_AT.col(), "yyyy-MM-dd'T'HH:mm")))
        .as(Encoders.STRING()).collectAsList();
  }

  @Test
  void eachRecordIsVersionedByItsFileAndAnUnchangedOneIsNoNewVersion() throws Exception {
    startSpark();
    Settings settings = settings();
    String created = "2025-03-01T10:00:00.000+0000";
    export("Account-2026-10-01.csv", account("001A", "Acme", "Software", created) + account("001B", "Birch", "Retail", created)
        + account("001C", "Cobalt", "Mining", created), "2026-10-01T06:00:00Z");
    JobContext first = runJob(new IngestJob(), settings, LocalDate.parse("2026-10-01"));
    Lake lake = first.lake();
    assertEquals(List.of("001A Software 2026-10-01T06:00", "001B Retail 2026-10-01T06:00", "001C Mining 2026-10-01T06:00"),
        rows(lake), "each record dated by its file");

    // The next day's export: Birch changed industry, Delta is new, Acme and Cobalt are as they were.
    export("Account-2026-10-02.csv", account("001A", "Acme", "Software", created) + account("001B", "Birch", "Software", created)
        + account("001C", "Cobalt", "Mining", created) + account("001D", "Delta", "Energy", created), "2026-10-02T06:00:00Z");
    JobContext second = runJob(new IngestJob(), settings, LocalDate.parse("2026-10-02"));
    assertEquals(List.of("001A Software 2026-10-01T06:00", "001B Retail 2026-10-01T06:00", "001B Software 2026-10-02T06:00",
        "001C Mining 2026-10-01T06:00", "001D Energy 2026-10-02T06:00"), rows(lake),
        "a new version for the changed record and the new one only");
    assertEquals(Map.of("salesforce-account-snapshot", 4L), second.metrics().read(), "all four records read");
    assertEquals(2L, second.metrics().written().get(SfAccounts.TABLE.qualifiedName()));
    assertEquals(0L, lake.exists(Quarantine.TABLE) ? lake.read(Quarantine.TABLE).count() : 0L,
        "an unchanged record is neither quarantined nor a duplicate");

    // As of the end of each day, the values of that day's export.
    assertEquals(List.of("001A Software", "001B Retail", "001C Mining"), latest(lake, "2026-10-02T00:00:00Z"));
    assertEquals(List.of("001A Software", "001B Software", "001C Mining", "001D Energy"), latest(lake, "2026-10-03T00:00:00Z"));
  }

  private List<String> latest(Lake lake, String asOfEnd) {
    return AsOf.latestVersions(lake.read(SfAccounts.TABLE),
            functions.lit(java.sql.Timestamp.from(Instant.parse(asOfEnd))))
        .orderBy(SfCommon.ID.col()).select(functions.concat_ws(" ", SfCommon.ID.col(), SfAccounts.INDUSTRY.col()))
        .as(Encoders.STRING()).collectAsList();
  }
}
