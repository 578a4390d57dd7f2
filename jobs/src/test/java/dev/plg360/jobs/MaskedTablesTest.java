package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Isolated;

/** The story's lake ({@link StoryWorld}) as BI tools and {@code plg360 sql} see it, with personal data masked. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// Shows the lake's tables by name, in the session catalog every test class shares: alone.
@Isolated
class MaskedTablesTest extends SparkTestBase {

  Lake lake;

  @BeforeAll
  void readTheStory() {
    startSpark();
    lake = new Lake(spark(), StoryWorld.get(spark()).lake().toString());
  }

  /**
   * With masking on, no table BI tools or {@code plg360 sql} can see holds an email anywhere in its text: every
   * place the generator put one is a column the catalog marks personal, or a table not shown.
   */
  @Test
  void withMaskingOnNoTableShownHoldsAnEmail() {
    try {
      assertTrue(tablesShowingEmails(false).stream().anyMatch(t -> t.startsWith(User360.TABLE.qualifiedName())),
          "unmasked, the scan finds the emails that are there");
      List<String> showing = tablesShowingEmails(true);
      assertTrue(showing.isEmpty(), "masked, these tables still show an email: " + showing);
    } finally {
      lake.registerExisting();
    }
  }

  /** The tables shown with or without masking in which some text (a string, or inside an array, map or struct) holds an email. */
  private List<String> tablesShowingEmails(boolean mask) {
    String email = "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\\.[A-Za-z.]{2,}";
    List<String> showing = new ArrayList<>();
    for (TableDef t : lake.publish(Tables.layers(), mask)) {
      Dataset<Row> shown = spark().table(t.qualifiedName());
      Column any = functions.lit(false);
      for (StructField f : shown.schema().fields()) {
        Column c = functions.col("`" + f.name() + "`");
        if (f.dataType() instanceof StringType) {
          any = any.or(c.rlike(email));
        } else if (f.dataType() instanceof ArrayType || f.dataType() instanceof MapType || f.dataType() instanceof StructType) {
          any = any.or(functions.to_json(c).rlike(email));
        }
      }
      List<Row> found = shown.where(any).limit(1).collectAsList();
      if (!found.isEmpty()) {
        showing.add(t.qualifiedName() + " " + found.get(0));
      }
    }
    return showing;
  }
}
