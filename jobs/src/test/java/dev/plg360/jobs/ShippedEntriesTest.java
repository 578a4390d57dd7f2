package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.jobs.score.ScoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A company's configuration removes what plg360 ships, not only adds to it: null removes a source, a source's field
 * or rule, a feature (in a file, or as {@code -D key=null}); a feature added by configuration gets its reason phrase.
 */
class ShippedEntriesTest {

  @TempDir
  Path dir;

  private static Set<String> features(Settings s) {
    return ModelSettings.from(s).features().stream().map(FeatureDef::name).collect(Collectors.toSet());
  }

  @Test
  void nullRemovesAShippedEntryAndANewFeatureHasItsReason() throws Exception {
    Path conf = Files.writeString(dir.resolve("company.conf"), String.join("\n",
        "plg360.ingest.sources.zendesk = null",
        "plg360.ingest.sources.segment.fields.anonymous_id = null",
        "plg360.ingest.sources.segment.expectations.not_before_2000 = null",
        "plg360.model.features.trial = null",
        "plg360.model.features.comments_added { kind = count, sql = \"sum(IF(event_name = 'Comment Added', events, 0))\" }",
        "plg360.score.pql.reasons.comments_added = \"{value} comments in {window}\"", ""));
    Settings s = Settings.load(Optional.of(conf), Map.of());
    Settings shipped = Settings.defaults();

    Set<String> sources = SourceSpec.all(s).stream().map(SourceSpec::name).collect(Collectors.toSet());
    Set<String> shippedSources = SourceSpec.all(shipped).stream().map(SourceSpec::name).collect(Collectors.toSet());
    assertFalse(sources.contains("zendesk"));
    assertEquals(shippedSources.size() - 1, sources.size(), "only zendesk went: " + sources);
    SourceSpec segment = SourceSpec.all(s).stream().filter(x -> x.name().equals("segment")).findFirst().orElseThrow();
    assertFalse(segment.fields().keySet().stream().anyMatch(c -> c.name().equals("anonymous_id")), segment.fields().toString());
    assertFalse(segment.expectations().containsKey("not_before_2000"));
    assertTrue(segment.expectations().containsKey("has_identity"), "the other rules stay");

    Set<String> want = features(shipped);
    want.remove("trial");
    want.add("comments_added");
    assertEquals(want, features(s));
    assertEquals("{value} comments in {window}", ScoreSettings.from(s).reasons().get("comments_added").template());

    assertFalse(features(Settings.load(Optional.empty(), Map.of("plg360.model.features.trial", "null"))).contains("trial"),
        "-D key=null removes it too");
  }
}
