package dev.plg360.jobs;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.xxhash64;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * What a lake holds, as one content hash per table: for tests that compare two lakes (a clean run beside a run killed
 * and run again) or a lake before and after a re-run. A hash counts the rows and sums two 64-bit hashes of each row's
 * JSON, so it does not depend on row order or files and every duplicate changes it. The catalog says what is left
 * out: columns marked {@link Col#runStamped() run stamps} and tables that are {@link TableDef#runLog() logs of runs}.
 * The model registry under the lake counts too: its {@code current} pointer and each version's metadata (without the
 * fields that repeat gold.model_versions' run stamps), and any staging folder a run left behind.
 */
public final class LakeHash {
  private LakeHash() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROW = "row";
  private static final int SHOWN_ROWS = 3;
  private static final Pattern COMMIT = Pattern.compile("\\d{20}\\.json");

  /** Hashes by table path and newest commit: a table whose Delta log did not change since is not read again. */
  private static final Map<String, String> HASHED = new ConcurrentHashMap<>();

  /**
   * Qualified table name ({@code silver.people}) to content hash, for every catalog table that exists in the lake
   * except logs of runs; then the registry's entries ({@code models/conversion/current}, {@code models/conversion/v0001})
   * under the reference registry folder. Reads by path: creates nothing, registers no name.
   */
  public static Map<String, String> of(SparkSession spark, String lakeRoot) {
    Lake lake = new Lake(spark, lakeRoot);
    Map<String, String> out = new TreeMap<>();
    for (TableDef t : Tables.all()) {
      if (t.runLog()) {
        continue;
      }
      newestCommit(lake, t).ifPresent(commit -> out.put(t.qualifiedName(),
          HASHED.computeIfAbsent(lake.path(t) + " " + commit, k -> hash(comparableRows(read(lake, t), t)))));
    }
    out.putAll(registry(lake));
    return out;
  }

  /**
   * The rows as they are compared, one JSON text each: the table's run-stamp columns left out, map columns as their
   * entries sorted by key (a map's JSON follows insertion order, which is not part of its value).
   */
  public static Dataset<String> comparableRows(Dataset<Row> rows, TableDef table) {
    Set<String> stamps = new TreeSet<>();
    table.columns().stream().filter(Col::runStamped).forEach(c -> stamps.add(c.name()));
    List<Column> kept = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      if (!stamps.contains(f.name())) {
        Column c = col("`" + f.name() + "`");
        kept.add((f.dataType() instanceof MapType ? array_sort(map_entries(c)) : c).as(f.name()));
      }
    }
    return rows.select(to_json(struct(kept.toArray(Column[]::new))).as(ROW)).as(Encoders.STRING());
  }

  /** The rows' count and two sums of 64-bit hashes (mod 2^64, in hex): equal for the same rows in any order. */
  public static String hash(Dataset<String> rows) {
    Column h1 = xxhash64(col(ROW)).cast("decimal(38,0)");
    Column h2 = xxhash64(lit("plg360"), col(ROW)).cast("decimal(38,0)");
    Row r = rows.toDF(ROW).agg(count(lit(1)), sum(h1), sum(h2)).first();
    long n = r.getLong(0);
    return n == 0 ? "0 rows" : n + " rows " + hex64(r.getDecimal(1)) + hex64(r.getDecimal(2));
  }

  private static String hex64(BigDecimal sum) {
    BigInteger mod = sum.toBigIntegerExact().mod(BigInteger.TWO.pow(64));
    return String.format("%016x", mod);
  }

  /** The table's newest commit file with its size and time, or empty when the lake has no such Delta table. */
  private static Optional<String> newestCommit(Lake lake, TableDef t) {
    Path log = new Path(lake.path(t), "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return Optional.empty();
      }
      return Arrays.stream(fs.listStatus(log)).filter(st -> COMMIT.matcher(st.getPath().getName()).matches())
          .max(Comparator.comparing(st -> st.getPath().getName()))
          .map(st -> st.getPath().getName() + " " + st.getLen() + " " + st.getModificationTime());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + log, e);
    }
  }

  private static Dataset<Row> read(Lake lake, TableDef t) {
    return lake.spark().read().format("delta").load(lake.path(t));
  }

  /**
   * The model registry's entries: the current pointer, each version's metadata without the run stamps it repeats from
   * gold.model_versions and whether its model is there, and hidden staging entries a stopped run left (never in a
   * lake whose runs all finished). Checksum files of the local file system are not entries.
   */
  private static Map<String, String> registry(Lake lake) {
    String dirName = ModelSettings.from(Settings.defaults()).registryDir();
    Path dir = lake.file(dirName);
    Map<String, String> out = new TreeMap<>();
    try {
      FileSystem fs = dir.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        return out;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String name = st.getPath().getName();
        String entry = dirName + "/" + name;
        if (name.endsWith(".crc")) {
          continue;
        } else if (name.startsWith(".")) {
          out.put(entry, "left by a run that stopped before it finished");
        } else if (name.equals("current")) {
          out.put(entry, read(fs, st.getPath()).strip());
        } else if (st.isDirectory()) {
          out.put(entry, version(fs, st.getPath()));
        } else {
          out.put(entry, "a file, " + st.getLen() + " bytes");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the model registry under " + dir, e);
    }
    return out;
  }

  private static String version(FileSystem fs, Path dir) throws IOException {
    Path metadata = new Path(dir, "metadata.json");
    if (!fs.exists(metadata)) {
      return "no metadata.json";
    }
    ObjectNode m = (ObjectNode) JSON.readTree(read(fs, metadata));
    Versions.TABLE.columns().stream().filter(Col::runStamped).forEach(c -> m.remove(c.name()));
    String model = fs.exists(new Path(dir, "model")) ? "model" : "no model";
    return model + ", metadata " + sha256(JSON.writeValueAsString(m));
  }

  private static String read(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String sha256(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Empty when the two maps are equal; otherwise one paragraph per differing entry: the table or registry entry, both
   * hashes, and for a table present in both lakes a few rows each holds that the other does not (as compared: run
   * stamps left out). When both maps are of the same lake (before and after a re-run) no rows can be shown.
   */
  public static String differences(SparkSession spark, String expectedRoot, Map<String, String> expected,
                                   String actualRoot, Map<String, String> actual) {
    Set<String> names = new TreeSet<>(expected.keySet());
    names.addAll(actual.keySet());
    StringBuilder sb = new StringBuilder();
    Lake want = new Lake(spark, expectedRoot);
    Lake got = new Lake(spark, actualRoot);
    for (String name : names) {
      String e = expected.getOrDefault(name, "(absent)");
      String a = actual.getOrDefault(name, "(absent)");
      if (e.equals(a)) {
        continue;
      }
      sb.append(name).append(": expected ").append(e).append(", was ").append(a).append('\n');
      TableDef t = Tables.byName(name).orElse(null);
      if (t != null && expected.containsKey(name) && actual.containsKey(name) && !want.root().equals(got.root())) {
        Dataset<String> wanted = comparableRows(read(want, t), t);
        Dataset<String> found = comparableRows(read(got, t), t);
        rows(sb, "  only expected", wanted.exceptAll(found));
        rows(sb, "  only actual  ", found.exceptAll(wanted));
      }
    }
    return sb.toString();
  }

  private static void rows(StringBuilder sb, String label, Dataset<String> rows) {
    List<String> some = rows.limit(SHOWN_ROWS).collectAsList();
    for (String r : some) {
      sb.append(label).append(": ").append(r.length() > 600 ? r.substring(0, 600) + "..." : r).append('\n');
    }
  }

}
