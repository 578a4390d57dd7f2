package dev.plg360.common.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.quality.Reason;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SourceSpecTest {

  private static SettingsException failure(String key, String value) {
    return assertThrows(SettingsException.class,
        () -> SourceSpec.all(Settings.load(Optional.empty(), Map.of(key, value))));
  }

  @Test
  void defaultsDescribeSixVendorsInElevenSources() {
    List<SourceSpec> all = SourceSpec.all(Settings.defaults());
    assertEquals(11, all.size());
    SourceSpec segment = all.stream().filter(s -> s.name().equals("segment")).findFirst().orElseThrow();
    assertEquals(Reason.MISSING_REQUIRED_FIELD, segment.expectations().get("has_identity").reason());
    assertEquals(Reason.VALUE_OUT_OF_RANGE, segment.expectations().get("not_before_2000").reason());
  }

  @Test
  void mappingToAnUnknownColumnFailsNamingIt() {
    SettingsException e = failure("plg360.ingest.sources.segment.fields.user_idd", "userId");
    assertTrue(e.getMessage().contains("user_idd") && e.getMessage().contains("bronze.product_events"), e.getMessage());
  }

  @Test
  void expectationThatIsNotSqlFailsNamingIt() {
    SettingsException e = failure("plg360.ingest.sources.stripe.expectations.broken", "quantity >>> 3 AND");
    assertTrue(e.getMessage().contains("plg360.ingest.sources.stripe.expectations.broken"), e.getMessage());
  }

  @Test
  void unknownTimestampFormatFailsNamingIt() {
    SettingsException e = failure("plg360.ingest.sources.zendesk.timestamps.created_at", "yyyy-MM-dd HH:mm:ss QQQQQQQ");
    assertTrue(e.getMessage().contains("zendesk.timestamps.created_at"), e.getMessage());
  }

  @Test
  void aLookupIsCheckedAtStartNamingItsKey() {
    String l = "plg360.ingest.sources.segment.lookups.sub.";
    Map<String, String> lookup = Map.of(l + "table", "bronze.subscription_events", l + "key", "subscription_id",
        l + "value", "properties.subscriptionId", l + "take.workspace_id", "metadata['workspace_id']");
    SettingsException twice = assertThrows(SettingsException.class, () -> SourceSpec.all(Settings.load(Optional.empty(),
        lookup)));
    assertTrue(twice.getMessage().contains("segment.lookups.sub.take.workspace_id") && twice.getMessage().contains(
        "take it from one place"), "segment maps workspace_id from groupId already: " + twice.getMessage());

    Map<String, String> instead = new java.util.HashMap<>(lookup);
    instead.put("plg360.ingest.sources.segment.fields.workspace_id", "null");
    SourceSpec segment = SourceSpec.all(Settings.load(Optional.empty(), instead)).stream()
        .filter(s -> s.name().equals("segment")).findFirst().orElseThrow();
    SourceSpec.Lookup sub = segment.lookups().get("sub");
    assertEquals("bronze.subscription_events", sub.table().qualifiedName());
    assertEquals(Map.of(dev.plg360.common.tables.Tables.ProductEvents.WORKSPACE_ID, "metadata['workspace_id']"), sub.take());
    assertEquals("lookups.sub: the newest bronze.subscription_events row whose subscription_id is the record's "
        + "properties.subscriptionId, its metadata['workspace_id']",
        segment.describeSource(dev.plg360.common.tables.Tables.ProductEvents.WORKSPACE_ID));

    instead.put(l + "take.workspace_id", "metadata[");
    assertTrue(assertThrows(SettingsException.class, () -> SourceSpec.all(Settings.load(Optional.empty(), instead)))
        .getMessage().contains("segment.lookups.sub.take.workspace_id is not a SQL expression"));
    instead.put(l + "take.workspace_id", "customer_id");
    instead.put(l + "table", "bronze.product_events");
    assertTrue(assertThrows(SettingsException.class, () -> SourceSpec.all(Settings.load(Optional.empty(), instead)))
        .getMessage().contains("segment.lookups.sub.table: a source looks up another table than its own"));
  }

  @Test
  void anotherVendorIsAChangeOfPaths() {
    // An Amplitude-style export: event_type/user_id/event_time at the top level.
    SourceSpec s = SourceSpec.all(Settings.load(Optional.empty(), Map.of(
        "plg360.ingest.sources.segment.fields.event_name", "event_type",
        "plg360.ingest.sources.segment.fields.event_ts", "event_time",
        "plg360.ingest.sources.segment.timestamps.event_ts", "yyyy-MM-dd HH:mm:ss.SSSSSS")))
        .stream().filter(x -> x.name().equals("segment")).findFirst().orElseThrow();
    assertEquals("event_time", s.fields().get(dev.plg360.common.tables.Tables.ProductEvents.EVENT_TS).top());
  }

  @Test
  void versionFromFileNamesAKeyTimestampThatNoFieldMaps() {
    SettingsException mapped = failure("plg360.ingest.sources.salesforce-account.version-from-file", "last_modified_at");
    assertEquals("plg360.ingest.sources.salesforce-account.version-from-file names last_modified_at, which fields or"
        + " derived map too: take it from one place", mapped.getMessage());
    SettingsException notKey = failure("plg360.ingest.sources.salesforce-account.version-from-file", "created_at");
    assertEquals("plg360.ingest.sources.salesforce-account.version-from-file names created_at, which is not a timestamp"
        + " column of bronze.sf_accounts's key [id, last_modified_at]", notKey.getMessage());
  }
}
