package dev.plg360.common.source;

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
  void addressesAnArrayElementByItsIndex() {
    FieldPath price = FieldPath.parse("data.object.items.data[0].price.id", "x");
    assertEquals(new FieldPath("data", "object.items.data[0].price.id", null, null, null), price);
    assertEquals("$.object.items.data[0].price.id", price.jsonPath());
    FieldPath line = FieldPath.parse("lines[1].amount", "x");
    assertEquals(new FieldPath("lines", "[1].amount", null, null, null), line);
    assertEquals("$[1].amount", line.jsonPath());
    for (String written : java.util.List.of("data.object.items.data[0].price.id", "lines[1].amount", "a[0][2].b",
        "values[name=email].value", "userId")) {
      assertEquals(written, FieldPath.parse(written, "x").text());
    }
    for (String bad : java.util.List.of("a[x].b", "a[0", "a[].b", "[0].a")) {
      assertThrows(SettingsException.class, () -> FieldPath.parse(bad, "x"), bad);
    }
  }

  @Test
  void fallsBackBetweenPathsInTheOrderWritten() {
    FieldPath group = FieldPath.parse("groupId | context.groupId", "x");
    assertEquals(java.util.List.of(new FieldPath("groupId", null, null, null, null),
        new FieldPath("context", "groupId", null, null, null)), group.alternatives());
    assertEquals("groupId | context.groupId", group.text());
    assertThrows(SettingsException.class, () -> FieldPath.parse("groupId | ", "x"), "an empty alternative");
  }

  @Test
  void aTextInSingleQuotesIsTheSameForEveryRecordAloneOrAsTheLastToTry() {
    assertEquals(FieldPath.constant("track"), FieldPath.parse("'track'", "x"));
    FieldPath plan = FieldPath.parse("plan | 'free'", "x");
    assertEquals(java.util.List.of(new FieldPath("plan", null, null, null, null), FieldPath.constant("free")),
        plan.alternatives());
    assertEquals("plan | 'free'", plan.text());
    SettingsException e = assertThrows(SettingsException.class, () -> FieldPath.parse("'free' | plan", "k.fields.p"));
    assertTrue(e.getMessage().startsWith("k.fields.p: ") && e.getMessage().contains("after a constant"), e.getMessage());
  }

  @Test
  void rejectsWhatIsNotAPathNamingTheSetting() {
    SettingsException e = assertThrows(SettingsException.class, () -> FieldPath.parse("a..b", "plg360.ingest.sources.x.fields.y"));
    assertTrue(e.getMessage().contains("plg360.ingest.sources.x.fields.y"));
  }
}
