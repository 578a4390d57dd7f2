package dev.plg360.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GenerateIdsTest {

  @Test
  void salesforceIdsCarryTheCaseSafeSuffix() {
    // Salesforce's documented example: 001D000000IqhSL is 001D000000IqhSLIAZ in its 18-character form.
    assertEquals("001D000000IqhSLIAZ", Ids.caseSafe("001D000000IqhSL"));
    String lead = Ids.salesforce("00Q", 3, 12345);
    assertEquals(18, lead.length());
    assertTrue(lead.startsWith("00Q"));
    assertNotEquals(lead, Ids.salesforce("00Q", 4, 12345));
  }

  @Test
  void csvTextQuotesOnlyWhereNeeded() {
    CsvText csv = new CsvText();
    assertEquals("a,,\"b, c\",\"say \"\"hi\"\"\",\"two\nlines\"",
        csv.format(new String[] {"a", null, "b, c", "say \"hi\"", "two\nlines"}));
  }

  @Test
  void companyNamesAreDistinct() {
    java.util.Set<String> names = new java.util.HashSet<>();
    for (long n = 0; n < 300_000; n++) {
      assertTrue(names.add(Vocabulary.companyName(n)), "duplicate name for " + n);
    }
  }
}
