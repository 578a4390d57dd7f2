package dev.plg360.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.input_file_block_start;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import dev.plg360.common.quality.Reason;
import dev.plg360.common.source.SourceSpec;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads landing files into raw records, one row per record, whatever the format:
 * {@code file} (relative to the landing folder), {@code line} (1-based, where the record starts), {@code raw}
 * (the record's text), {@code fields} (top-level field name to its text; nested objects and lists as JSON) and
 * {@code parse_error} (a reason code when the record could not be split into fields) and {@code parse_detail} (what
 * failed, when that is more than the reason says). Blank lines are not records. A file that cannot be read is one
 * record, at line 0, with reason UNREADABLE_FILE.
 */
public final class RawRecords {
  private RawRecords() {}

  public static final String FILE = "file";
  public static final String LINE = "line";
  public static final String RAW = "raw";
  public static final String FIELDS = "fields";
  public static final String PARSE_ERROR = "parse_error";
  public static final String PARSE_DETAIL = "parse_detail";
  /** The file's modification time, for a snapshot export's version (added by ingest where a source asks for it). */
  public static final String FILE_TIME = "file_time";

  public static final StructType SCHEMA = new StructType()
      .add(FILE, DataTypes.StringType, false)
      .add(LINE, DataTypes.LongType, false)
      .add(RAW, DataTypes.StringType, true)
      .add(FIELDS, DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
      .add(PARSE_ERROR, DataTypes.StringType, true)
      .add(PARSE_DETAIL, DataTypes.StringType, true);

  public static Dataset<Row> read(SparkSession spark, SourceSpec.Format format, List<LandingFile> files, String rootUri) {
    return switch (format) {
      case JSON_LINES -> jsonLines(spark, files, rootUri);
      case CSV -> csv(spark, files, rootUri);
    };
  }

  /** The files that cannot be read, one record each at line 0, with why. */
  public static Dataset<Row> unreadable(SparkSession spark, Map<LandingFile, String> why) {
    List<Row> rows = new ArrayList<>();
    why.forEach((f, error) -> rows.add(unreadableFile(f.path(), error)));
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static Row unreadableFile(String path, String error) {
    return RowFactory.create(path, 0L, null, null, Reason.UNREADABLE_FILE.name(), "file cannot be read: " + error);
  }

  /**
   * JSON lines, read with Spark's text source so large files split across tasks. A record's line number is its
   * position within its split plus the lines of the file's earlier splits, counted in a first light pass.
   */
  static Dataset<Row> jsonLines(SparkSession spark, List<LandingFile> files, String rootUri) {
    String[] uris = files.stream().map(LandingFile::uri).toArray(String[]::new);
    Dataset<Row> lines = spark.read().text(uris).select(
        relativePath(input_file_name(), rootUri).as(FILE),
        input_file_block_start().as("block"),
        monotonically_increasing_id().as("pos"),
        col("value").as(RAW));
    Dataset<Row> splits = splitOffsets(spark, lines);
    Dataset<Row> numbered = lines.join(org.apache.spark.sql.functions.broadcast(splits), new String[] {FILE, "block"})
        .withColumn(LINE, col("lines_before").plus(col("pos")).minus(col("first_pos")).plus(1));
    Dataset<Row> records = numbered.where(trim(col(RAW)).notEqual(""));
    Dataset<Row> parsed = records.withColumn(FIELDS,
        from_json(col(RAW), DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), Map.of("mode", "PERMISSIVE")));
    return parsed.select(col(FILE), col(LINE), col(RAW), col(FIELDS),
        when(col(FIELDS).isNull(), lit(Reason.MALFORMED_JSON.name())).as(PARSE_ERROR),
        lit(null).cast(DataTypes.StringType).as(PARSE_DETAIL));
  }

  /** For each (file, split): the first row position and how many lines of the file come before the split. */
  private static Dataset<Row> splitOffsets(SparkSession spark, Dataset<Row> lines) {
    List<Row> perSplit = lines.groupBy(FILE, "block").agg(min("pos").as("first_pos"), count(lit(1)).as("n"))
        .orderBy(FILE, "block").collectAsList();
    List<Row> out = new ArrayList<>();
    String file = null;
    long before = 0;
    for (Row r : perSplit) {
      if (!r.getString(0).equals(file)) {
        file = r.getString(0);
        before = 0;
      }
      out.add(RowFactory.create(file, r.getLong(1), r.getLong(2), before));
      before += r.getLong(3);
    }
    StructType schema = new StructType().add(FILE, DataTypes.StringType).add("block", DataTypes.LongType)
        .add("first_pos", DataTypes.LongType).add("lines_before", DataTypes.LongType);
    return spark.createDataFrame(out, schema);
  }

  private static org.apache.spark.sql.Column relativePath(org.apache.spark.sql.Column uri, String rootUri) {
    // The same normalisation as LandingZone.normalize, on the executors.
    org.apache.spark.sql.Column hadoopForm = regexp_replace(uri, "^file:/+", "file:/");
    String prefix = rootUri.endsWith("/") ? rootUri : rootUri + "/";
    return regexp_replace(hadoopForm, "^" + Pattern.quote(prefix), "");
  }

  /**
   * CSV files with a header row (RFC 4180: quoted fields may hold commas, quotes and line breaks). Each file is
   * streamed by one task; a record spans lines while a quote is open. A record with another field count than the
   * header is kept with reason WRONG_COLUMN_COUNT; an unclosed quote at the end of a cut-off file makes one bad record.
   */
  static Dataset<Row> csv(SparkSession spark, List<LandingFile> files, String rootUri) {
    JavaRDD<Row> rows = LandingZone.open(spark, files)
        .flatMap(f -> {
          String uri = f._1();
          String rel = LandingZone.relative(uri, rootUri);
          try (InputStream in = f._2().open();
               BufferedReader reader = new BufferedReader(new InputStreamReader(LandingZone.decompressed(uri, in),
                   StandardCharsets.UTF_8))) {
            return parseCsv(rel, reader).iterator();
          } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // Scanned as readable, changed since: the file is one bad record, and the other files are read.
            return List.of(unreadableFile(rel, dev.plg360.common.run.RunLog.describe(e))).iterator();
          }
        });
    return spark.createDataFrame(rows, SCHEMA);
  }

  static List<Row> parseCsv(String file, BufferedReader reader) throws java.io.IOException {
    CsvParserSettings settings = new CsvParserSettings();
    settings.setMaxCharsPerColumn(-1);
    settings.setMaxColumns(10_000);
    settings.setNullValue(null);
    settings.setEmptyValue("");
    settings.getFormat().setLineSeparator("\n");
    CsvParser parser = new CsvParser(settings);
    List<String> lines = reader.lines().toList();
    List<Row> out = new ArrayList<>();
    String[] header = null;
    int i = 0;
    while (i < lines.size()) {
      int start = i;
      int end = recordEnd(lines, start);
      boolean closed = end > 0;
      if (!closed) {
        end = Math.min(lines.size(), start + MAX_RECORD_LINES);
      }
      String text = stripCarriageReturns(String.join("\n", lines.subList(start, end)));
      i = end;
      if (text.isBlank()) {
        continue;
      }
      if (header == null) {
        header = parser.parseLine(text.startsWith("\uFEFF") ? text.substring(1) : text);
        for (int h = 0; h < header.length; h++) {
          header[h] = header[h] == null ? "" : header[h].trim();
        }
        continue;
      }
      String[] values = closed ? parser.parseLine(text) : null;
      if (values != null && values.length == header.length) {
        Map<String, String> fields = new HashMap<>();
        for (int h = 0; h < header.length; h++) {
          fields.put(header[h], values[h]);
        }
        out.add(RowFactory.create(file, start + 1L, text, scala.collection.JavaConverters.mapAsScalaMap(fields), null, null));
      } else {
        // A record spanning lines that does not fit the header (or never closes its quote) began with a stray
        // quote: only its first line is rejected, and reading goes on from the next line, so no record after it
        // is swallowed.
        String rejected = end - start > 1 ? stripCarriageReturns(lines.get(start)) : text;
        out.add(RowFactory.create(file, start + 1L, rejected, null, Reason.WRONG_COLUMN_COUNT.name(), null));
        i = start + 1;
      }
    }
    return out;
  }

  /** A quoted field may span this many lines at most; past it, its opening quote is taken for a stray one. */
  static final int MAX_RECORD_LINES = 10_000;

  /**
   * The index after the last line of the record that starts at {@code start}, or -1 when a quoted field opened in
   * it is still open at the end of the file or after {@link #MAX_RECORD_LINES} lines. RFC 4180 read leniently, as
   * Salesforce and spreadsheet exports need: a quote opens a quoted field only at the start of a field (after
   * blanks); anywhere else it is a character of the value, like the inch mark in {@code Call re 27" monitor}.
   * Inside a quoted field {@code ""} is a quote.
   */
  static int recordEnd(List<String> lines, int start) {
    boolean open = false;
    for (int i = start; i < lines.size() && i < start + MAX_RECORD_LINES; i++) {
      open = quotedFieldOpenAtEnd(lines.get(i), open);
      if (!open) {
        return i + 1;
      }
    }
    return -1;
  }

  private enum Scan { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED }

  private static boolean quotedFieldOpenAtEnd(String line, boolean openAtStart) {
    Scan state = openAtStart ? Scan.QUOTED : Scan.FIELD_START;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      state = switch (state) {
        case FIELD_START -> c == '"' ? Scan.QUOTED : c == ',' || c == ' ' || c == '\t' ? Scan.FIELD_START : Scan.UNQUOTED;
        case UNQUOTED -> c == ',' ? Scan.FIELD_START : Scan.UNQUOTED;
        case QUOTED -> c == '"' ? Scan.QUOTE_IN_QUOTED : Scan.QUOTED;
        case QUOTE_IN_QUOTED -> c == '"' ? Scan.QUOTED : c == ',' ? Scan.FIELD_START : Scan.UNQUOTED;
      };
    }
    return state == Scan.QUOTED;
  }

  private static String stripCarriageReturns(CharSequence text) {
    return text.toString().replace("\r", "");
  }
}
