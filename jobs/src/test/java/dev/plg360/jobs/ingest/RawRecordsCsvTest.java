package dev.plg360.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class RawRecordsCsvTest {

  private static List<Row> parse(String text) throws Exception {
    return RawRecords.parseCsv("salesforce/Account.csv", new BufferedReader(new StringReader(text)));
  }

  private static Map<String, String> fields(Row r) {
    return scala.collection.JavaConverters.mapAsJavaMap(r.getMap(3));
  }

  @Test
  void quotedFieldsMayHoldCommasQuotesAndLineBreaks() throws Exception {
    List<Row> rows = parse("Id,Name,Website\n001A,\"Acme, \"\"Inc\"\"\",acme.io\n001B,\"Two\nlines\",b.io\n001C,Plain,c.io\n");
    assertEquals(3, rows.size());
    assertEquals("Acme, \"Inc\"", fields(rows.get(0)).get("Name"));
    assertEquals("Two\nlines", fields(rows.get(1)).get("Name"));
    assertEquals(2L, rows.get(0).getLong(1), "line numbers count the header");
    assertEquals(3L, rows.get(1).getLong(1));
    assertEquals(5L, rows.get(2).getLong(1), "a record after a two-line record starts two lines later");
    assertNull(rows.get(2).get(4));
  }

  @Test
  void wrongFieldCountAndUnclosedQuoteAreRejectedOneRecordEach() throws Exception {
    List<Row> rows = parse("Id,Name,Website\n001A,Short\n001B,Fine,b.io\n001C,\"cut off,c.io\n");
    assertEquals(3, rows.size());
    assertEquals("WRONG_COLUMN_COUNT", rows.get(0).getString(4));
    assertEquals("001A,Short", rows.get(0).getString(2));
    assertNull(rows.get(1).get(4));
    assertEquals("WRONG_COLUMN_COUNT", rows.get(2).getString(4));
    assertEquals(4L, rows.get(2).getLong(1));
  }

  @Test
  void blankLinesCarriageReturnsAndByteOrderMarkAreNotRecords() throws Exception {
    List<Row> rows = parse("\uFEFFId,Name\r\n\r\n001A,Acme\r\n\n");
    assertEquals(1, rows.size());
    assertEquals("Acme", fields(rows.get(0)).get("Name"));
    assertEquals(3L, rows.get(0).getLong(1));
  }
}
