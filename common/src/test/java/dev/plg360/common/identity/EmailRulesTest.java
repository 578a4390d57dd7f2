package dev.plg360.common.identity;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plg360.testkit.SparkTestBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class EmailRulesTest extends SparkTestBase {

  private List<String> normalized(String... emails) {
    List<String> out = new ArrayList<>();
    for (Row r : spark().createDataset(Arrays.asList(emails), Encoders.STRING()).toDF("e")
        .select(EmailRules.normalize(col("e"))).collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  @Test
  void foldsCasePlusAddressingAndGmailDots() {
    assertEquals(Arrays.asList("ben.otto@acme.io", "carlam@gmail.com", "carlam@gmail.com", "eve@eu.globex.co.uk",
            null, null, null),
        normalized(" Ben.Otto+trial@Acme.io ", "Carla.M@gmail.com", "carlam+x@googlemail.com", "eve@EU.globex.co.uk",
            "testtest", "a@b", null));
  }
}
