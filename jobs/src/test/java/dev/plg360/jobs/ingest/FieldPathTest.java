package dev.plg360.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.SettingsException;
import org.junit.jupiter.api.Test;

class FieldPathTest {

  @Test
  void parsesTopNestedAndListPaths() {
    assertEquals(new FieldPath("userId", null, null, null, null), FieldPath.parse("userId", "x"));
    assertEquals(new FieldPath("data", "object.plan.id", null, null, null), FieldPath.parse("data.object.plan.id", "x"));
    FieldPath list = FieldPath.parse("values[name=email].value", "x");
    assertTrue(list.isListEntry());
    assertEquals("values", list.top());
    assertEquals("email", list.listMatch());
  }

  @Test
  void rejectsWhatIsNotAPathNamingTheSetting() {
    SettingsException e = assertThrows(SettingsException.class, () -> FieldPath.parse("a..b", "plg360.ingest.sources.x.fields.y"));
    assertTrue(e.getMessage().contains("plg360.ingest.sources.x.fields.y"));
  }
}
