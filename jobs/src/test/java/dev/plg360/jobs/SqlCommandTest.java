package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.IngestedFiles;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.testkit.SparkTestBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import picocli.CommandLine;

// Reads the lake's tables by name, in the session catalog every test class shares: alone.
@Isolated
class SqlCommandTest extends SparkTestBase {

  @TempDir
  static Path dir;

  private String sql(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new SqlCommand());
    cli.setOut(new PrintWriter(out));
    List<String> all = new ArrayList<>(List.of("-D", "plg360.lake.root=" + dir.resolve("lake")));
    all.addAll(List.of(args));
    assertEquals(0, cli.execute(all.toArray(String[]::new)), out.toString());
    return out.toString();
  }

  private void lake() {
    Timestamp t = Timestamp.valueOf("2026-05-01 00:00:00");
    List<org.apache.spark.sql.Row> rows = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      rows.add(RowFactory.create("segment", i == 0 ? "a, \"quoted\" name" : String.format("f%04d", i), (long) i, t, "c", 1L, "r", t));
    }
    new Lake(spark(), dir.resolve("lake").toString()).upsert(spark().createDataFrame(rows, IngestedFiles.TABLE.schema()),
        IngestedFiles.TABLE);
  }

  /** Values and names with commas, quotes, several line breaks and CRLF come back whole through a CSV parser. */
  @Test
  void csvOutputRoundTripsAwkwardValues() {
    String printed = sql("--format", "csv",
        "SELECT 'a\nb\nc' AS `lines, several`, concat('p', char(13), char(10), 'q') AS `crlf`, 'say \"hi\"' AS q, "
            + "CAST(NULL AS STRING) AS n");
    com.univocity.parsers.csv.CsvParserSettings settings = new com.univocity.parsers.csv.CsvParserSettings();
    settings.getFormat().setLineSeparator("\n");
    settings.setNormalizeLineEndingsWithinQuotes(false);
    List<String[]> rows = new com.univocity.parsers.csv.CsvParser(settings).parseAll(new java.io.StringReader(printed));
    assertEquals(List.of("lines, several", "crlf", "q", "n"), List.of(rows.get(0)));
    assertEquals(java.util.Arrays.asList("a\nb\nc", "p\r\nq", "say \"hi\"", null), java.util.Arrays.asList(rows.get(1)));
    assertEquals(2, rows.size());
  }

  @Test
  void writesEveryRowToAFileAndPrintsAtMostTheLimit() throws Exception {
    lake();
    String query = "SELECT path, size FROM ops.ingested_files ORDER BY size";

    Path csv = dir.resolve("all.csv");
    assertTrue(sql("--format", "csv", "--out", csv.toString(), query).contains("wrote " + csv));
    List<String> lines = Files.readAllLines(csv);
    assertEquals(1501, lines.size(), "a header and every row, not the 1,000 a print shows");
    assertEquals(List.of("path,size", "\"a, \"\"quoted\"\" name\",0", "f0001,1"), lines.subList(0, 3));
    assertEquals("f1499,1499", lines.get(1500), "in the query's order");

    Path json = dir.resolve("two.json");
    sql("--format", "json", "--limit", "2", "--out", json.toString(), query);
    assertEquals(List.of("{\"path\":\"a, \\\"quoted\\\" name\",\"size\":0}", "{\"path\":\"f0001\",\"size\":1}"),
        Files.readAllLines(json));

    String printed = sql("--format", "csv", query);
    assertEquals(1001, printed.lines().filter(l -> l.startsWith("f") || l.startsWith("\"a") || l.startsWith("path")).count(),
        "printing stops at 1,000 rows without --limit");
    assertTrue(sql("--limit", "1", query).contains("(1 row, limited by --limit)"));
  }

  @Test
  void withMaskingOnPersonalColumnsAreKeyedHashesAndRawRecordsAreNotShown() {
    Lake lake = new Lake(spark(), dir.resolve("lake").toString());
    lake.overwrite(frame(People.TABLE.schema())
        .row(People.PERSON_ID, "ada@acme.com", People.EMAIL, "Ada@Acme.com", People.NAME, "Ada", People.ACCOUNT_ID, "acme.com")
        .row(People.PERSON_ID, "user:u9", People.ACCOUNT_ID, "acme.com")
        .build(), People.TABLE);
    lake.overwrite(frame(Quarantine.TABLE.schema()).row(Quarantine.SOURCE, "hubspot", Quarantine.RAW, "ada@acme.com").build(),
        Quarantine.TABLE);
    String query = "SELECT person_id, email, name, account_id FROM silver.people ORDER BY email NULLS LAST";

    String masked = sql("--format", "csv", "-D", PersonalData.SETTING + "=true", query);
    assertEquals(List.of("person_id,email,name,account_id",
        String.join(",", PersonalData.mask("ada@acme.com"), PersonalData.mask("Ada@Acme.com"), PersonalData.mask("Ada"), "acme.com"),
        PersonalData.mask("user:u9") + ",,,acme.com"), masked.lines().limit(3).toList());
    assertTrue(masked.lines().noneMatch(l -> l.contains("@")), masked);
    CommandLine cli = new CommandLine(new SqlCommand());
    cli.setErr(new PrintWriter(new StringWriter()));
    assertEquals(1, cli.execute("-D", "plg360.lake.root=" + dir.resolve("lake"), "-D", PersonalData.SETTING + "=true",
        "SELECT raw FROM bronze.quarantine"), "raw records are not shown when masking is on");

    assertTrue(sql("--format", "csv", query).contains("ada@acme.com,Ada@Acme.com,Ada,acme.com"), "and are, when it is off");

    lake.overwrite(frame(Tables.SfLeads.TABLE.schema()).row(Tables.SfCommon.ID, "00Q1", Tables.Lineage.EXTRA,
        java.util.Map.of("Phone", "+1 555 0100")).build(), Tables.SfLeads.TABLE);
    String extra = "SELECT extra['Phone'] AS phone FROM bronze.sf_leads";
    assertEquals(List.of("phone", PersonalData.mask("+1 555 0100")),
        sql("--format", "csv", "-D", PersonalData.SETTING + "=true", extra).lines().toList(),
        "a field no mapping names is masked too: it may be anything personal");
    assertEquals(List.of("phone", "+1 555 0100"), sql("--format", "csv", extra).lines().toList());
  }

  /** A command run in this JVM runs in a session of its own: its Spark settings do not stay on the tests' session. */
  @Test
  void aCommandRunInProcessLeavesTheSharedSessionsSettingsAsTheyWere() {
    String partitions = spark().conf().get("spark.sql.shuffle.partitions");
    String printed = sql("--format", "csv", "--write", "-D", "plg360.spark.shuffle-partitions=7",
        "SET spark.sql.shuffle.partitions");
    assertTrue(printed.contains("spark.sql.shuffle.partitions,7"), "the command ran with its own setting:\n" + printed);
    assertEquals("2", partitions, "the tests' session runs with two shuffle partitions");
    assertEquals(partitions, spark().conf().get("spark.sql.shuffle.partitions"), "and still does after the command");
  }

  private String refused(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SqlCommand());
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("-D", "plg360.lake.root=" + dir.resolve("lake")));
    all.addAll(List.of(args));
    int exit = cli.execute(all.toArray(String[]::new));
    assertTrue(exit != 0, "refused: " + all);
    return err.toString();
  }

  @Test
  void readOnlyWithBoundParametersAndNoWayAroundTheMask() {
    Lake lake = new Lake(spark(), dir.resolve("lake").toString());
    lake.overwrite(frame(People.TABLE.schema())
        .row(People.PERSON_ID, "ada@acme.com", People.EMAIL, "Ada@Acme.com", People.ACCOUNT_ID, "acme.com")
        .row(People.PERSON_ID, "user:u9", People.ACCOUNT_ID, "acme.com")
        .build(), People.TABLE);
    String byId = "SELECT person_id FROM silver.people WHERE person_id = :id";
    assertEquals(List.of("person_id", "ada@acme.com"), sql("--format", "csv", "--param", "id=ada@acme.com", byId).lines().toList());
    assertEquals(List.of("person_id"), sql("--format", "csv", "--param", "id=x' OR '1'='1", byId).lines().toList(),
        "a parameter is a value, never SQL");

    String mask = "-D" + PersonalData.SETTING + "=true";
    String path = "delta.`" + dir.resolve("lake/silver/people").toUri() + "`";
    assertTrue(refused(mask, "SELECT email FROM " + path).contains("only tables of the catalog are read here"));
    assertTrue(sql("--format", "csv", "SELECT count(*) AS n FROM " + path).contains("n\n2"), "a path read with masking off");
    for (String m : List.of(mask, "-Dplg360.privacy.mask-personal-data=false")) {
      assertTrue(refused(m, "SELECT java_method('java.lang.System', 'getenv', '" + PersonalData.SECRET_ENV + "')")
          .contains("java_method and reflect"));
      assertTrue(refused(m, "SELECT reflect('" + PersonalData.class.getName() + "', 'mask', 'ada@acme.com')")
          .contains("java_method and reflect"));
      assertTrue(refused(m, "SELECT '${spark.app.name}'").contains("variable substitution"));
      assertTrue(refused(m, "DELETE FROM silver.people").contains("read-only"));
    }
    assertTrue(refused(mask, "--write", "DELETE FROM silver.people").contains("--write is not allowed with"));
    assertEquals(2L, lake.read(People.TABLE).count(), "nothing was deleted");

    sql("--write", "DELETE FROM silver.people WHERE person_id = 'user:u9'");
    assertEquals(1L, lake.read(People.TABLE).count(), "--write, masking off: the statement runs");
  }
}
