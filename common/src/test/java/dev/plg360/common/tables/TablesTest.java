package dev.plg360.common.tables;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

  @Test
  void aZorderColumnIsNeitherAPartitionColumnNorBeyondDeltasStatistics() {
    Col day = new Col("day", DateType, "Day");
    List<Col> columns = new ArrayList<>(List.of(day));
    for (int i = 1; i <= 32; i++) {
      columns.add(new Col("c" + i, StringType, "Column " + i));
    }
    IllegalStateException partition = assertThrows(IllegalStateException.class,
        () -> TableDef.table("gold", "t").columns(columns).partitionBy(day).zorderBy(day).build());
    assertEquals("gold.t: day is a partition column, Delta cannot Z-order by it", partition.getMessage());
    IllegalStateException noStatistics = assertThrows(IllegalStateException.class,
        () -> TableDef.table("gold", "t").columns(columns).zorderBy(columns.get(32)).build());
    assertTrue(noStatistics.getMessage().startsWith("gold.t: c32 is not among the first 32 columns"), noStatistics.getMessage());
    assertEquals(List.of(columns.get(31)), TableDef.table("gold", "t").columns(columns).zorderBy(columns.get(31)).build().zorderBy());
  }
}
