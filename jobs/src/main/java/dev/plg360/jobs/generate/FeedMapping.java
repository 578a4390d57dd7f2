package dev.plg360.jobs.generate;

import dev.plg360.common.config.SettingsException;
import dev.plg360.common.source.FieldPath;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.Col;
import dev.plg360.jobs.generate.GenerateSettings.Shapes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the defect planter needs from a feed's ingest mapping ({@code plg360.ingest.sources.<name>}): the raw
 * fields ingest requires, the timestamp fields with their formats, and the field holding an email. Taken from the
 * configured {@link SourceSpec}, so a planted missing field is one that source really requires. Serializable, for
 * the Spark tasks.
 */
record FeedMapping(List<Field> required, List<Field> timestamps, Field email) implements Serializable {

  /** A bronze column, the raw path it is read from, and (for timestamps) its format. */
  record Field(String column, String path, String format) implements Serializable {
    FieldPath fieldPath() {
      return FieldPath.parse(path, column);
    }
  }

  static FeedMapping of(SourceSpec spec) {
    List<Field> required = new ArrayList<>();
    for (Col c : spec.required()) {
      if (spec.fields().containsKey(c)) { // not a column derived, looked up or taken from the file
        required.add(new Field(c.name(), spec.fields().get(c).text(), null));
      }
    }
    List<Field> timestamps = new ArrayList<>();
    for (Map.Entry<Col, String> e : spec.timestampFormats().entrySet()) {
      timestamps.add(new Field(e.getKey().name(), spec.fields().get(e.getKey()).text(), e.getValue()));
    }
    Field email = spec.fields().entrySet().stream()
        .filter(e -> List.of("email", "recipient", "requester_email").contains(e.getKey().name()))
        .map(e -> new Field(e.getKey().name(), e.getValue().text(), null)).findFirst().orElse(null);
    return new FeedMapping(List.copyOf(required), List.copyOf(timestamps), email);
  }

  /**
   * The mapping of every feed a source reads, from the configured sources; fails when a source is missing (of two
   * shapes of the same records, one is enough), reads another
   * folder or file name than the generator writes, or reads Salesforce files as snapshots when they are not (or
   * the other way round).
   */
  static Map<Feed, FeedMapping> all(List<SourceSpec> specs, Shapes shapes) {
    Map<String, SourceSpec> byName = specs.stream().collect(Collectors.toMap(SourceSpec::name, Function.identity()));
    Map<Feed, FeedMapping> out = new EnumMap<>(Feed.class);
    for (Feed f : Feed.values()) {
      SourceSpec spec = byName.get(f.source());
      if (spec == null && f.alternative() != null && byName.containsKey(f.alternative().source())) {
        continue; // its records are read in their other shape
      }
      if (spec == null) {
        throw new SettingsException("generate writes " + f.folder() + "/ for ingest source plg360.ingest.sources."
            + f.source() + ", which is not configured");
      }
      if (!spec.dir().equals(f.folder()) || !spec.fileRegex().matcher(f.fileName(0)).matches()) {
        throw new SettingsException("plg360.ingest.sources." + f.source() + " reads " + spec.dir() + "/"
            + spec.filePattern() + ", but generate writes " + f.folder() + "/.../" + f.fileName(0));
      }
      if (f.isSnapshot(shapes) != spec.versionFromFile().isPresent()) {
        throw new SettingsException("generate writes " + f.folder() + "/.../" + f.fileName(0) + (f.isSnapshot(shapes)
            ? " as snapshot exports (plg360.generate.shapes = realistic), but plg360.ingest.sources." + f.source()
                + " reads a LastModifiedDate column: add conf/real-exports.conf (--conf)"
            : " with a LastModifiedDate column, but plg360.ingest.sources." + f.source()
                + " reads snapshots (version-from-file)"));
      }
      out.put(f, of(spec));
    }
    return out;
  }
}
