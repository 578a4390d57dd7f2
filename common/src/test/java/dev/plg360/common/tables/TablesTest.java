package dev.plg360.common.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalog is what BI users read: every table has a grain, every column a comment, names are unique. */
class TablesTest {

  @Test
  void everyColumnOfEveryTableIsDocumentedAndNamedOnce() {
    Set<String> tables = new HashSet<>();
    for (TableDef t : Tables.all()) {
      assertTrue(tables.add(t.qualifiedName()), "table declared twice: " + t);
      assertTrue(!t.grain().isBlank(), t + " has no grain");
      Set<String> names = new HashSet<>();
      for (Col c : t.columns()) {
        assertTrue(names.add(c.name()), t + " has column " + c.name() + " twice");
        assertTrue(c.comment() != null && !c.comment().isBlank(), t + "." + c.name() + " needs a comment");
      }
      assertTrue(names.containsAll(t.key().stream().map(Col::name).toList()), t + ": its key is among its columns");
      assertTrue(names.containsAll(t.partitionBy().stream().map(Col::name).toList()), t + ": partitioned by its columns");
    }
    assertEquals(13, Tables.all().stream().filter(t -> t.layer().equals("gold")).count(), "the gold tables are in the catalog");
  }
}
