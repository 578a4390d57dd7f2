package dev.plg360.jobs.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_filter;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.plg360.common.quality.Reason;
import dev.plg360.common.source.FieldPath;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.Tables.Lineage;
import dev.plg360.common.tables.Tables.Quarantine;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Raw records to bronze rows, as pure transforms. {@link #check} maps each record's fields to the bronze columns,
 * types them and gives each record the first reason it cannot be accepted (or none); {@link #markBatchDuplicates}
 * and {@link #classifyAgainstExisting} find records whose key was already seen. Grain in and out: one row per raw record.
 */
public final class IngestTransforms {
  private IngestTransforms() {}

  /** Added by {@link #check}: the reason code, or null for a record that can be accepted. */
  public static final String REASON = "reason";
  /** Added by {@link #check}: what exactly failed. */
  public static final String DETAIL = "detail";
  /** Added by {@link #classifyAgainstExisting}: true for a record this very file line already put in bronze. */
  public static final String ALREADY_INGESTED = "already_ingested";

  private static final String RAW_PREFIX = "r__";
  /** The record's own lookup value, and the looked-up table's key it is matched with, per lookup name. */
  private static final String LOOKUP_PREFIX = "lv__";
  private static final String LOOKUP_KEY = "lk__";
  // Epoch values before 1973-03-03 or beyond the year 3000 are typos or the wrong unit, not timestamps.
  private static final double MIN_EPOCH_SECONDS = 100_000_000d;
  private static final double MAX_EPOCH_SECONDS = 32_503_680_000d;

  /**
   * Maps and validates raw records. Output: every bronze column of the source's table except the lineage
   * columns added at write time, plus {@code _source_file}, {@code _source_line}, {@code raw}, {@code extra},
   * {@link #REASON} and {@link #DETAIL}. {@code rawMaxChars} bounds the raw text kept for a rejected record;
   * an accepted record keeps none.
   */
  public static Dataset<Row> check(Dataset<Row> raw, SourceSpec spec, int rawMaxChars) {
    return check(raw, spec, rawMaxChars, Map.of());
  }

  /**
   * {@link #check(Dataset, SourceSpec, int)} for a source with lookups: {@code lookupTables} holds, by lookup name,
   * the rows of the table each looks up (read after every source this one depends on has landed).
   */
  public static Dataset<Row> check(Dataset<Row> raw, SourceSpec spec, int rawMaxChars,
                                   Map<String, Dataset<Row>> lookupTables) {
    List<Column> stage1 = new ArrayList<>();
    stage1.add(col(RawRecords.FILE).as(Lineage.SOURCE_FILE.name()));
    stage1.add(col(RawRecords.LINE).as(Lineage.SOURCE_LINE.name()));
    stage1.add(col(RawRecords.RAW));
    stage1.add(col(RawRecords.PARSE_ERROR));
    stage1.add(col(RawRecords.PARSE_DETAIL));
    stage1.add(extraFields(spec).as(Lineage.EXTRA.name()));
    spec.versionFromFile().ifPresent(v -> stage1.add(col(RawRecords.FILE_TIME)));
    for (Map.Entry<Col, FieldPath> e : spec.fields().entrySet()) {
      Column text = blankToNull(extract(col(RawRecords.FIELDS), e.getValue()));
      stage1.add(text.as(RAW_PREFIX + e.getKey().name()));
    }
    for (SourceSpec.Lookup l : spec.lookups().values()) {
      stage1.add(blankToNull(extract(col(RawRecords.FIELDS), l.value())).as(LOOKUP_PREFIX + l.name()));
    }
    Dataset<Row> texts = raw.select(stage1.toArray(Column[]::new));
    for (SourceSpec.Lookup l : spec.lookups().values()) {
      Dataset<Row> table = lookupTables.get(l.name());
      if (table == null) {
        throw new IllegalArgumentException(spec.name() + ": no rows given for lookups." + l.name());
      }
      texts = texts.join(newestByKey(table, l), col(LOOKUP_PREFIX + l.name()).equalTo(col(LOOKUP_KEY + l.name())), "left");
    }

    // Typed values, then derived columns (which are SQL over typed values).
    List<Column> stage2 = new ArrayList<>();
    for (String c : List.of(Lineage.SOURCE_FILE.name(), Lineage.SOURCE_LINE.name(), RawRecords.RAW,
        RawRecords.PARSE_ERROR, RawRecords.PARSE_DETAIL, Lineage.EXTRA.name())) {
      stage2.add(col(c));
    }
    for (Col c : spec.table().columns()) {
      if (mapped(spec, c)) {
        stage2.add(col(RAW_PREFIX + c.name()));
        stage2.add(typed(col(RAW_PREFIX + c.name()), c.type(), spec.timestampFormats().get(c)).as(c.name()));
      } else if (spec.versionFromFile().equals(Optional.of(c))) {
        stage2.add(col(RawRecords.FILE_TIME).cast(c.type()).as(c.name()));
      } else if (!isLineage(c) && !spec.derived().containsKey(c)) {
        stage2.add(lit(null).cast(c.type()).as(c.name()));
      }
    }
    Dataset<Row> typed = texts.select(stage2.toArray(Column[]::new));
    for (Map.Entry<Col, String> d : spec.derived().entrySet()) {
      typed = typed.withColumn(d.getKey().name(), expr(d.getValue()).cast(d.getKey().type()));
    }

    Column reason = lit(null).cast(DataTypes.StringType);
    Column detail = lit(null).cast(DataTypes.StringType);
    List<Column[]> rules = rules(spec);
    // Built from the last rule to the first, so the first failing rule wins.
    for (int i = rules.size() - 1; i >= 0; i--) {
      Column[] r = rules.get(i);
      reason = when(r[0], r[1]).otherwise(reason);
      detail = when(r[0], r[2]).otherwise(detail);
    }
    Dataset<Row> checked = typed
        .withColumn(REASON, reason)
        .withColumn(DETAIL, detail);
    Dataset<Row> withRaw = checked.withColumn(RawRecords.RAW,
        when(col(REASON).isNotNull(), substring(col(RawRecords.RAW), 1, rawMaxChars)));
    List<Column> out = new ArrayList<>();
    for (Col c : spec.table().columns()) {
      if (!isLineage(c)) {
        out.add(col(c.name()));
      }
    }
    for (String c : List.of(Lineage.EXTRA.name(), Lineage.SOURCE_FILE.name(), Lineage.SOURCE_LINE.name(),
        RawRecords.RAW, REASON, DETAIL)) {
      out.add(col(c));
    }
    return withRaw.select(out.toArray(Column[]::new));
  }

  /** Each rule: {failed condition, reason, detail}, in the order they are judged. */
  private static List<Column[]> rules(SourceSpec spec) {
    List<Column[]> rules = new ArrayList<>();
    rules.add(new Column[] {col(RawRecords.PARSE_ERROR).isNotNull(), col(RawRecords.PARSE_ERROR),
        coalesce(col(RawRecords.PARSE_DETAIL), lit("record could not be split into fields"))});
    for (Col c : spec.required()) {
      if (spec.versionFromFile().equals(Optional.of(c))) {
        rules.add(new Column[] {col(c.name()).isNull(), lit(Reason.MISSING_REQUIRED_FIELD.name()),
            lit(c.name() + " (the file's time) is unknown")});
        continue;
      }
      if (spec.derived().containsKey(c)) {
        continue; // judged after the values it is derived from
      }
      rules.add(new Column[] {col(RAW_PREFIX + c.name()).isNull(), lit(Reason.MISSING_REQUIRED_FIELD.name()),
          lit(c.name() + " (" + spec.describeSource(c) + ") is missing or blank")});
    }
    for (Col c : spec.table().columns().stream().filter(c -> mapped(spec, c)).toList()) {
      boolean timestamp = c.type().equals(DataTypes.TimestampType);
      Reason r = timestamp ? Reason.UNPARSEABLE_TIMESTAMP : Reason.INVALID_VALUE;
      String expected = timestamp ? spec.timestampFormats().get(c) : c.type().simpleString();
      rules.add(new Column[] {col(RAW_PREFIX + c.name()).isNotNull().and(col(c.name()).isNull()), lit(r.name()),
          concat(lit(c.name() + " is not " + expected + ": "), substring(col(RAW_PREFIX + c.name()), 1, 100))});
    }
    for (Col c : spec.required().stream().filter(c -> spec.derived().containsKey(c)).toList()) {
      rules.add(new Column[] {col(c.name()).isNull(), lit(Reason.MISSING_REQUIRED_FIELD.name()),
          lit(c.name() + " (derived: " + spec.derived().get(c) + ") is null")});
    }
    for (SourceSpec.Expectation e : spec.expectations().values()) {
      rules.add(new Column[] {not(coalesce(expr(e.sql()), lit(false))), lit(e.reason().name()),
          lit(e.name() + ": " + e.sql())});
    }
    return rules;
  }

  /** A column read as text from the record, by a field path or a lookup, and then typed. */
  private static boolean mapped(SourceSpec spec, Col c) {
    return spec.fields().containsKey(c) || spec.lookupOf(c).isPresent();
  }

  /**
   * One row per lookup key: the newest the table holds (by ingest time, then its key), with the key as text and each
   * taken column's value as text, named as {@link #check} reads them.
   */
  private static Dataset<Row> newestByKey(Dataset<Row> table, SourceSpec.Lookup l) {
    List<Column> order = new ArrayList<>();
    if (l.table().columns().contains(Lineage.INGESTED_AT)) {
      order.add(col(Lineage.INGESTED_AT.name()).desc());
    }
    l.table().key().forEach(k -> order.add(col(k.name()).desc()));
    List<Column> out = new ArrayList<>(List.of(col("lookup_key").as(LOOKUP_KEY + l.name())));
    l.take().forEach((c, sql) -> out.add(expr(sql).cast(DataTypes.StringType).as(RAW_PREFIX + c.name())));
    return table.withColumn("lookup_key", expr(l.key()).cast(DataTypes.StringType))
        .where(col("lookup_key").isNotNull())
        .withColumn("lookup_pick", row_number().over(Window.partitionBy(col("lookup_key"))
            .orderBy(order.toArray(Column[]::new))))
        .where(col("lookup_pick").equalTo(1))
        .select(out.toArray(Column[]::new));
  }

  private static boolean isLineage(Col c) {
    return c.equals(Lineage.EXTRA) || c.equals(Lineage.SOURCE_FILE) || c.equals(Lineage.SOURCE_LINE)
        || c.equals(Lineage.INGESTED_AT) || c.equals(Lineage.RUN_ID);
  }

  /** The text at a field path of the record's top-level fields: the first of its alternatives that has one. */
  static Column extract(Column fields, FieldPath path) {
    List<FieldPath> alternatives = path.alternatives();
    if (alternatives.size() > 1) {
      return coalesce(alternatives.stream().map(p -> blankToNull(extract(fields, p))).toArray(Column[]::new));
    }
    if (path.isConstant()) {
      return lit(path.constant());
    }
    Column top = element_at(fields, path.top());
    if (path.isListEntry()) {
      Column entries = from_json(top, DataTypes.createArrayType(
          DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType)));
      Column match = filter(entries, e -> element_at(e, path.listKey()).equalTo(path.listMatch()));
      return element_at(element_at(match, 1), path.listValue());
    }
    return path.rest() == null ? top : get_json_object(top, path.jsonPath());
  }

  private static Column blankToNull(Column text) {
    return when(trim(text).notEqual("").and(text.notEqual("null")), text);
  }

  /** The fields the mapping does not name, so that custom fields are kept rather than dropped. */
  private static Column extraFields(SourceSpec spec) {
    Set<String> mapped = new LinkedHashSet<>();
    for (FieldPath p : spec.fields().values()) {
      p.alternatives().stream().filter(a -> !a.isConstant()).forEach(a -> mapped.add(a.top()));
    }
    Column names = array(mapped.stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new));
    return map_filter(col(RawRecords.FIELDS), (k, v) -> not(array_contains(names, k)));
  }

  /** An ISO-8601 date and time of day (RFC 3339 allows a blank for the T), to the minute at least. */
  private static final String ISO_DATE_TIME = "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}([.,]\\d{1,9})?)?";
  private static final String ISO_OFFSET = "(Z|[+-]\\d{2}(:?\\d{2})?)";

  /** Text to the column's type; null where the text is not of that type. */
  static Column typed(Column text, DataType type, String timestampFormat) {
    if (type.equals(DataTypes.TimestampType)) {
      // Spark reads "2026" as 2026-01-01 and a time without an offset in the session's zone; neither names an
      // instant, so "iso" takes a date and a time with an offset only, and "iso-local-as-utc" says what to assume.
      return switch (timestampFormat) {
        case "iso" -> when(text.rlike(ISO_DATE_TIME + ISO_OFFSET + "$"), iso(text));
        case "iso-local-as-utc" -> when(text.rlike(ISO_DATE_TIME + ISO_OFFSET + "?$"), iso(text));
        case "epoch-seconds" -> epoch(text, 1);
        case "epoch-millis" -> epoch(text, 1000);
        default -> to_timestamp(text, timestampFormat);
      };
    }
    if (type.equals(DataTypes.DateType)) {
      return to_date(text);
    }
    if (type instanceof org.apache.spark.sql.types.MapType || type instanceof org.apache.spark.sql.types.ArrayType) {
      return from_json(text, type);
    }
    if (type.equals(DataTypes.LongType) || type.equals(DataTypes.IntegerType)) {
      // "12" and "12.0" are both twelve; "12.5" is not a count.
      Column d = text.cast(DataTypes.createDecimalType(38, 6));
      return when(d.equalTo(d.cast(DataTypes.LongType)), d.cast(type));
    }
    return text.cast(type);
  }

  /** An ISO-8601 date and time (checked by {@link #ISO_DATE_TIME}) as an instant: to seconds, a T and a decimal point. */
  private static Column iso(Column text) {
    Column t = regexp_replace(regexp_replace(text, "^(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2})(?=[^:\\d]|$)", "$1T$2:00"),
        "^(\\d{4}-\\d{2}-\\d{2}) ", "$1T");
    t = regexp_replace(t, "(:\\d{2}),(\\d)", "$1.$2");
    return coalesce(to_timestamp(t), to_timestamp(t, "yyyy-MM-dd'T'HH:mm:ss.SSSXX"), to_timestamp(t, "yyyy-MM-dd'T'HH:mm:ssXX"));
  }

  /**
   * Epoch seconds or milliseconds, from 1973-03-03 (10^8 seconds) to the year 3000: outside it a value is in the
   * wrong unit (seconds read as milliseconds fall in January 1970) or a typo, and is quarantined.
   */
  private static Column epoch(Column text, int perSecond) {
    Column units = text.cast(DataTypes.createDecimalType(38, 6));
    Column micros = units.multiply(1_000_000 / perSecond).cast(DataTypes.LongType);
    return when(units.isNotNull().and(units.geq(MIN_EPOCH_SECONDS * perSecond))
        .and(units.leq(MAX_EPOCH_SECONDS * perSecond)), timestamp_micros(micros));
  }

  /**
   * Among accepted records, a second record with a key already in the batch becomes a DUPLICATE of the first
   * (in file and line order).
   */
  public static Dataset<Row> markBatchDuplicates(Dataset<Row> checked, List<Col> key) {
    Column[] keyCols = key.stream().map(Col::col).toArray(Column[]::new);
    Column accepted = col(REASON).isNull();
    WindowSpec w = Window.partitionBy(keyCols).orderBy(col(Lineage.SOURCE_FILE.name()), col(Lineage.SOURCE_LINE.name()));
    Dataset<Row> ranked = checked.withColumn("__n", when(accepted, row_number().over(w)))
        .withColumn("__first", when(accepted, concat(first(col(Lineage.SOURCE_FILE.name())).over(w), lit(":"),
            first(col(Lineage.SOURCE_LINE.name())).over(w).cast(DataTypes.StringType))));
    Column dup = col("__n").gt(1);
    return ranked
        .withColumn(REASON, when(dup, lit(Reason.DUPLICATE.name())).otherwise(col(REASON)))
        .withColumn(DETAIL, when(dup, concat(lit("same key as " ), col("__first"))).otherwise(col(DETAIL)))
        .drop("__n", "__first");
  }

  /**
   * Compares accepted records with the keys already in bronze ({@code existing}: key columns, _source_file,
   * _source_line). A key already there from the same file line is this record, landed by an earlier run that
   * stopped before it recorded the file: {@link #ALREADY_INGESTED}; unless the file is a new version of one ingested
   * before ({@code newVersions}, paths), whose lines are other records. From anywhere else it is a DUPLICATE.
   */
  public static Dataset<Row> classifyAgainstExisting(Dataset<Row> checked, Dataset<Row> existing, List<Col> key,
                                                     Set<String> newVersions) {
    List<Column> keep = new ArrayList<>();
    for (Col k : key) {
      keep.add(k.col().as("__e_" + k.name()));
    }
    keep.add(col(Lineage.SOURCE_FILE.name()).as("__e_file"));
    keep.add(col(Lineage.SOURCE_LINE.name()).as("__e_line"));
    Dataset<Row> e = existing.select(keep.toArray(Column[]::new));
    Column on = key.stream().map(k -> k.col().equalTo(col("__e_" + k.name()))).reduce(Column::and).orElseThrow();
    Dataset<Row> joined = checked.join(e, on.and(col(REASON).isNull()), "left");
    Column found = col("__e_file").isNotNull();
    Column samePlace = found.and(col("__e_file").equalTo(col(Lineage.SOURCE_FILE.name())))
        .and(col("__e_line").equalTo(col(Lineage.SOURCE_LINE.name())))
        .and(not(col(Lineage.SOURCE_FILE.name()).isin(newVersions.toArray())));
    Dataset<Row> out = joined
        .withColumn(ALREADY_INGESTED, coalesce(samePlace, lit(false)))
        .withColumn(REASON, when(found.and(not(samePlace)), lit(Reason.DUPLICATE.name())).otherwise(col(REASON)))
        .withColumn(DETAIL, when(found.and(not(samePlace)),
            concat(lit("key already in bronze from "), col("__e_file"), lit(":"), col("__e_line").cast(DataTypes.StringType)))
            .otherwise(col(DETAIL)));
    List<String> drop = new ArrayList<>();
    for (String c : out.columns()) {
      if (c.startsWith("__e_")) {
        drop.add(c);
      }
    }
    return out.drop(drop.toArray(String[]::new));
  }

  /**
   * Rejected records as quarantine rows, each with its file's version ({@code checksums}: _source_file,
   * file_checksum). A record rejected only as a DUPLICATE parsed fine, and its raw text was not kept (accepted
   * records keep none, to stay small): its parsed fields stand in, as JSON.
   */
  public static Dataset<Row> toQuarantine(Dataset<Row> classified, Dataset<Row> checksums, SourceSpec spec, String runId,
                                          Timestamp at) {
    List<Column> fields = new ArrayList<>();
    for (Col c : spec.table().columns()) {
      if (!isLineage(c)) {
        fields.add(col(c.name()));
      }
    }
    fields.add(col(Lineage.EXTRA.name()));
    Column rendered = org.apache.spark.sql.functions.to_json(org.apache.spark.sql.functions.struct(fields.toArray(Column[]::new)));
    String source = spec.name();
    return classified.where(col(REASON).isNotNull())
        .join(org.apache.spark.sql.functions.broadcast(checksums), Lineage.SOURCE_FILE.name()).select(
        lit(source).as(Quarantine.SOURCE.name()),
        col(Lineage.SOURCE_FILE.name()).as(Quarantine.SOURCE_FILE.name()),
        col(Quarantine.FILE_CHECKSUM.name()),
        col(Lineage.SOURCE_LINE.name()).as(Quarantine.LINE.name()),
        col(REASON).as(Quarantine.REASON.name()),
        col(DETAIL).as(Quarantine.DETAIL.name()),
        coalesce(col(RawRecords.RAW), rendered).as(Quarantine.RAW.name()),
        lit(runId).as(Quarantine.RUN_ID.name()),
        lit(at).as(Quarantine.QUARANTINED_AT.name()));
  }

  /**
   * For a snapshot export ({@link SourceSpec#versionFromFile}): an accepted record whose values (every mapped and
   * derived column but the version) are those of the newest version of its record already in bronze
   * ({@code existing}, rows of the bronze table) is that version again, exported unchanged:
   * {@link #ALREADY_INGESTED}, neither a new version nor a duplicate. A record that changed is a new version, dated
   * by its file.
   */
  public static Dataset<Row> markUnchanged(Dataset<Row> classified, Dataset<Row> existing, SourceSpec spec) {
    Col version = spec.versionFromFile().orElseThrow();
    List<Col> id = spec.key().stream().filter(k -> !k.equals(version)).toList();
    List<Col> compared = spec.table().columns().stream()
        .filter(c -> !isLineage(c) && !c.equals(version) && (mapped(spec, c) || spec.derived().containsKey(c)))
        .toList();
    Column content = sha2(to_json(struct(compared.stream().map(c -> c.col().as(c.name())).toArray(Column[]::new))), 256);
    WindowSpec newest = Window.partitionBy(id.stream().map(Col::col).toArray(Column[]::new)).orderBy(version.col().desc());
    List<Column> kept = new ArrayList<>();
    id.forEach(k -> kept.add(k.col().as("__u_" + k.name())));
    kept.add(col("__u_content"));
    Dataset<Row> latest = existing.withColumn("__u_n", row_number().over(newest)).where(col("__u_n").equalTo(1))
        .withColumn("__u_content", content).select(kept.toArray(Column[]::new));
    Column on = id.stream().map(k -> k.col().equalTo(col("__u_" + k.name()))).reduce(Column::and).orElseThrow();
    Column unchanged = col(REASON).isNull().and(col("__u_content").equalTo(content));
    Dataset<Row> joined = classified.join(latest, on, "left");
    List<String> drop = new ArrayList<>(id.stream().map(k -> "__u_" + k.name()).toList());
    drop.add("__u_content");
    return joined.withColumn(ALREADY_INGESTED, col(ALREADY_INGESTED).or(coalesce(unchanged, lit(false))))
        .drop(drop.toArray(String[]::new));
  }

  /** Accepted records not yet in bronze, with the lineage of this run. */
  public static Dataset<Row> toBronze(Dataset<Row> classified, String runId, Timestamp at) {
    return classified.where(col(REASON).isNull().and(not(col(ALREADY_INGESTED))))
        .drop(REASON, DETAIL, RawRecords.RAW, ALREADY_INGESTED)
        .withColumn(Lineage.INGESTED_AT.name(), lit(at))
        .withColumn(Lineage.RUN_ID.name(), lit(runId));
  }
}
