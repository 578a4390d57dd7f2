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
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
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
 * {@code parse_error} (a reason code when the record could not be split into fields). Blank lines are not records.
 */
public final class RawRecords {
  private RawRecords() {}

  public static final String FILE = "file";
  public static final String LINE = "line";
  public static final String RAW = "raw";
  public static final String FIELDS = "fields";
  public static final String PARSE_ERROR = "parse_error";

  public static final StructType SCHEMA = new StructType()
      .add(FILE, DataTypes.StringType, false)
      .add(LINE, DataTypes.LongType, false)
      .add(RAW, DataTypes.StringType, true)
      .add(FIELDS, DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
      .add(PARSE_ERROR, DataTypes.StringType, true);

  public static Dataset<Row> read(SparkSession spark, SourceSpec.Format format, List<LandingFile> files, String rootUri) {
    return switch (format) {
      case JSON_LINES -> jsonLines(spark, files, rootUri);
      case CSV -> csv(spark, files, rootUri);
    };
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
        when(col(FIELDS).isNull(), lit(Reason.MALFORMED_JSON.name())).as(PARSE_ERROR));
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
          InputStream in = f._2().open();
          if (uri.endsWith(".gz")) {
            in = new GZIPInputStream(in);
          }
          try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parseCsv(rel, reader).iterator();
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
    List<Row> out = new ArrayList<>();
    String[] header = null;
    Iterator<String> lines = reader.lines().iterator();
    long lineNo = 0;
    while (lines.hasNext()) {
      String line = lines.next();
      lineNo++;
      long start = lineNo;
      StringBuilder record = new StringBuilder(line);
      while (quotesOpen(record) && lines.hasNext()) {
        record.append('\n').append(lines.next());
        lineNo++;
      }
      String text = stripCarriageReturns(record);
      if (text.isBlank()) {
        continue;
      }
      if (header == null) {
        header = parser.parseLine(text.startsWith("\uFEFF") ? text.substring(1) : text);
        for (int i = 0; i < header.length; i++) {
          header[i] = header[i] == null ? "" : header[i].trim();
        }
        continue;
      }
      String[] values = quotesOpen(record) ? null : parser.parseLine(text);
      if (values == null || values.length != header.length) {
        out.add(RowFactory.create(file, start, text, null, Reason.WRONG_COLUMN_COUNT.name()));
        continue;
      }
      Map<String, String> fields = new HashMap<>();
      for (int i = 0; i < header.length; i++) {
        fields.put(header[i], values[i]);
      }
      out.add(RowFactory.create(file, start, text, scala.collection.JavaConverters.mapAsScalaMap(fields), null));
    }
    return out;
  }

  /** True while the text holds an odd number of quote characters: a quoted field is still open. */
  private static boolean quotesOpen(CharSequence text) {
    int quotes = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '"') {
        quotes++;
      }
    }
    return quotes % 2 == 1;
  }

  private static String stripCarriageReturns(CharSequence text) {
    return text.toString().replace("\r", "");
  }
}
