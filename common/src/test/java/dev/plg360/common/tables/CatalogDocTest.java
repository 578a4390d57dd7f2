package dev.plg360.common.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CatalogDocTest {

  @Test
  void docsTablesIsTheCatalogAsItIsNow() throws Exception {
    Path doc = Path.of("..", "docs", "TABLES.md");
    assertTrue(Files.isRegularFile(doc), "docs/TABLES.md is missing: bin/plg360 catalog --out docs/TABLES.md");
    assertEquals(CatalogDoc.markdown(Tables.all()), Files.readString(doc),
        "docs/TABLES.md is stale: the catalog changed since it was written. Run bin/plg360 catalog --out docs/TABLES.md");
  }

  @Test
  void everyTableAndColumnIsListedWithItsType() {
    String md = CatalogDoc.markdown(Tables.all());
    for (TableDef t : Tables.all()) {
      assertTrue(md.contains("\n### " + t.qualifiedName() + "\n"), t + " has a section");
      for (Col c : t.columns()) {
        assertTrue(md.contains("| `" + c.name() + "` | " + c.type().simpleString() + " | "), t + "." + c.name());
      }
    }
    assertTrue(md.contains("| `pql_reasons` | array<string> | Why: the behaviours"), "types as Spark SQL names them");
  }
}
