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

  @Test
  void aQuoteInsideAnUnquotedValueIsACharacterOfIt() throws Exception {
    StringBuilder csv = new StringBuilder("Id,Subject,WhoId\n");
    for (int i = 1; i <= 10; i++) {
      String subject = i == 3 ? "Call re 27\" monitor" : i == 10 ? "Call re 32\" demo" : "Call " + i;
      csv.append("00T").append(i).append(',').append(subject).append(",003").append(i).append('\n');
    }
    List<Row> rows = parse(csv.toString());
    assertEquals(10, rows.size(), "every record is read");
    for (int i = 0; i < 10; i++) {
      assertNull(rows.get(i).get(4), "record " + (i + 1) + " is accepted");
      assertEquals(i + 2L, rows.get(i).getLong(1));
      assertEquals("003" + (i + 1), fields(rows.get(i)).get("WhoId"));
    }
    assertEquals("Call re 27\" monitor", fields(rows.get(2)).get("Subject"));
    assertEquals("Call re 32\" demo", fields(rows.get(9)).get("Subject"));
  }

  @Test
  void aStrayOpeningQuoteRejectsItsOwnLineOnly() throws Exception {
    List<Row> rows = parse("Id,Subject,WhoId\n00T1,Fine,0031\n00T2,\"27 inch monitor,0032\n00T3,Also fine,0033\n"
        + "00T4,\"Quoted, \"\"27\"\"\"\" monitor\",0034\n00T5,\"Two\nlines\",0035\n");
    assertEquals(5, rows.size());
    assertEquals("WRONG_COLUMN_COUNT", rows.get(1).getString(4));
    assertEquals(3L, rows.get(1).getLong(1));
    assertEquals("00T2,\"27 inch monitor,0032", rows.get(1).getString(2), "only the line with the stray quote");
    assertEquals(List.of("0031", "0033", "0034", "0035"),
        List.of(rows.get(0), rows.get(2), rows.get(3), rows.get(4)).stream().map(r -> fields(r).get("WhoId")).toList());
    assertEquals("Quoted, \"27\"\" monitor", fields(rows.get(3)).get("Subject"));
    assertEquals("Two\nlines", fields(rows.get(4)).get("Subject"));
    assertEquals(6L, rows.get(4).getLong(1));
  }
}
