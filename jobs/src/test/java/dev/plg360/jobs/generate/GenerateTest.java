package dev.plg360.jobs.generate;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.jobs.ingest.IngestJob;
import dev.plg360.testkit.SparkTestBase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator end to end on small worlds: deterministic for a seed (two partitions); every file read by the
 * project's own ingest with exactly the planted defects quarantined (200 workspaces, 45 days); conversion consistent
 * with the planted probabilities and a sane oracle AUC with the default 180-day window (1,000 workspaces).
 */
class GenerateTest extends SparkTestBase {

  private static final String[] SMALL = {
      "plg360.generate.workspaces", "200",
      "plg360.generate.days", "45",
      "plg360.generate.workspaces-per-partition", "200",
      "plg360.generate.bad-rate", "0.02",
      "plg360.generate.seed", "11"};

  private static final String[] TINY = {
      "plg360.generate.workspaces", "120",
      "plg360.generate.days", "30",
      "plg360.generate.workspaces-per-partition", "60",
      "plg360.generate.bad-rate", "0.02",
      "plg360.generate.seed", "11"};

  @TempDir
  static Path dir;

  private static final String[] DEFAULT_WINDOW = {
      "plg360.generate.workspaces", "1000",
      "plg360.generate.workspaces-per-partition", "500",
      "plg360.generate.bad-rate", "0"};

  private static Generator.Result first;
  private static Generator.Result defaultWindow;

  private Generator.Result defaultWindow() {
    if (defaultWindow == null) {
      defaultWindow = generate(dir.resolve("default-window"), DEFAULT_WINDOW);
    }
    return defaultWindow;
  }

  private Generator.Result generated() {
    if (first == null) {
      first = generate(dir.resolve("run1"), SMALL);
    }
    return first;
  }

  private Generator.Result generate(Path out, String... overrides) {
    Settings s = settings(dir, overrides);
    return Generator.run(spark(), s, out.toString(), false);
  }

  @Test
  void sameSeedWritesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
    Map<String, String> one = hashes(generate(dir.resolve("tiny1"), TINY).out());
    Map<String, String> two = hashes(generate(dir.resolve("tiny2"), TINY).out());
    assertEquals(one.keySet(), two.keySet(), "the same files");
    assertEquals(one, two, "the same bytes in every file");
    assertTrue(one.keySet().stream().anyMatch(p -> p.matches("landing/segment/\\d{4}-\\d{2}-\\d{2}/events-p001\\.jsonl")),
        "one segment file per day per partition");

    String[] otherSeed = TINY.clone();
    otherSeed[otherSeed.length - 1] = "12";
    Map<String, String> three = hashes(generate(dir.resolve("tiny3"), otherSeed).out());
    assertNotEquals(one, three);
  }

  @Test
  void conversionFollowsThePlantedProbabilities() {
    Generator.Result r = defaultWindow();
    // Every workspace whose observation point passed has a drawn label; a Bernoulli draw of its true probability.
    List<Row> drawn = truth(r, "workspaces").where(col("true_probability").isNotNull())
        .select(col("true_probability").cast("double"), col("converted").cast("boolean")).collectAsList();
    assertTrue(drawn.size() > 800, "enough labelled workspaces: " + drawn.size());
    double meanP = drawn.stream().mapToDouble(x -> x.getDouble(0)).average().orElseThrow();
    double rate = drawn.stream().filter(x -> x.getBoolean(1)).count() / (double) drawn.size();
    double sigma = Math.sqrt(meanP * (1 - meanP) / drawn.size());
    assertTrue(Math.abs(rate - meanP) < 3.5 * sigma, "realised " + rate + " vs mean true p " + meanP);
    double base = r.settings().model().baseRate();
    // base-rate is the probability of a typical workspace (every feature at its center); the mean is higher.
    assertTrue(Math.abs(rate - base) < 0.08, "realised " + rate + " vs planted base rate " + base);
    // A workspace is paid at the end exactly when it converted by the end date.
    long mismatched = truth(r, "workspaces").where(col("paid_at_end").equalTo("true").notEqual(
        col("converted").equalTo("true").and(col("converted_at").lt(r.settings().endDate().plusDays(1).toString()))))
        .count();
    assertEquals(0, mismatched);
  }

  @Test
  void oracleAucIsSaneWithTheDefaults() throws Exception {
    // The default 180-day window, so that most workspaces' label horizons have passed; no planted defects needed.
    Generator.Result r = defaultWindow();
    assertTrue(r.labelled() >= 500, "labelled: " + r.labelled());
    assertTrue(r.oracleAuc() > 0.6 && r.oracleAuc() < 0.95, "oracle AUC " + r.oracleAuc());
    JsonNode summary = new ObjectMapper().readTree(Path.of(java.net.URI.create(r.out())).resolve("truth/summary.json").toFile());
    assertEquals(Generator.round(r.oracleAuc()), summary.path("oracle_auc").asDouble(), 1e-9);
    // With no bad rate, the only records of truth/defects are the junk leads typed into web forms beside new leads.
    long junk = truth(r, "defects").where("kind = 'junk_lead'").count();
    assertTrue(junk > 0, "junk leads: " + junk);
    assertEquals(junk, r.totalDefects());
  }

  @Test
  void ingestReadsEveryFileAndQuarantinesExactlyThePlantedDefects() throws Exception {
    Generator.Result r = generated();
    Path root = Path.of(java.net.URI.create(r.out()));
    Path lakeDir = dir.resolve("ingest");
    // The landing folder as a user types it: a plain path.
    Settings s = settings(lakeDir, "plg360.landing.dir", root.resolve("landing").toString());
    runJob(new IngestJob(), s, date("2026-10-31"));

    Lake lake = new Lake(spark(), s.lakeRoot());
    Set<String> quarantined = new HashSet<>();
    for (Row q : lake.read(Quarantine.TABLE).select(Quarantine.SOURCE_FILE.col(), Quarantine.LINE.col(),
        Quarantine.REASON.col()).collectAsList()) {
      quarantined.add(q.getString(0) + ":" + q.getLong(1) + ":" + q.getString(2));
    }
    Set<String> planted = new HashSet<>();
    Map<String, Long> rejectedPerSource = new HashMap<>();
    for (Row d : truth(r, "defects").collectAsList()) {
      String reason = d.getAs("expected_reason");
      if (!reason.equals(Truth.ACCEPTED_BY_INGEST)) {
        planted.add(d.getAs("file") + ":" + d.getAs("line") + ":" + reason);
        rejectedPerSource.merge(d.getAs("source"), 1L, Long::sum);
      }
    }
    Set<String> reasons = new TreeSet<>();
    planted.forEach(k -> reasons.add(k.substring(k.lastIndexOf(':') + 1)));
    assertEquals(Set.of("DUPLICATE", "MALFORMED_JSON", "MISSING_REQUIRED_FIELD", "UNPARSEABLE_TIMESTAMP"),
        reasons.stream().filter(x -> !x.equals("WRONG_COLUMN_COUNT")).collect(java.util.stream.Collectors.toSet()),
        "the small world plants every kind of JSON defect");
    // Generator-side check first: every planted rejection is quarantined with its line and reason, nothing else is
    // (comparing paths below the landing folder, whatever form of path ingest records).
    assertEquals(new TreeSet<>(relativeToLanding(planted)), new TreeSet<>(relativeToLanding(quarantined)),
        "planted vs quarantined, by file, line and reason");

    JsonNode summary = new ObjectMapper().readTree(root.resolve("truth/summary.json").toFile());
    Map<String, Long> expected = new TreeMap<>();
    for (SourceSpec spec : SourceSpec.all(s)) {
      long written = summary.path("records_written").path(spec.name()).asLong();
      assertTrue(written > 0, "records written for " + spec.name());
      expected.merge(spec.table().qualifiedName(), written - rejectedPerSource.getOrDefault(spec.name(), 0L), Long::sum);
    }
    Map<String, Long> actual = new TreeMap<>();
    for (String table : expected.keySet()) {
      actual.put(table, lake.read(Tables.byName(table).orElseThrow()).count());
    }
    assertEquals(expected, actual, "bronze rows = records written - records rejected, per table");

    // Last, the contract of docs/LANDING.md and the catalog: source_file is relative to the landing folder.
    Set<String> notRelative = new TreeSet<>(quarantined);
    notRelative.removeAll(planted);
    assertEquals(Set.of(), notRelative.stream().limit(3).collect(java.util.stream.Collectors.toSet()),
        "bronze.quarantine.source_file must be relative to the landing folder (" + notRelative.size() + " are not)");
    assertEquals(planted, quarantined);
  }

  /** ".../landing/segment/d/f.jsonl:12:REASON" -> "segment/d/f.jsonl:12:REASON", whatever the path's prefix. */
  private static Set<String> relativeToLanding(Set<String> keys) {
    Set<String> out = new HashSet<>();
    for (String k : keys) {
      int at = k.lastIndexOf("/landing/");
      out.add(at < 0 ? k : k.substring(at + "/landing/".length()));
    }
    return out;
  }

  private Dataset<Row> truth(Generator.Result r, String table) {
    return spark().read().option("header", "true").csv(Path.of(java.net.URI.create(r.out()))
        .resolve("truth").resolve(table).toString());
  }

  private static Map<String, String> hashes(String uri) throws Exception {
    return hashes(Path.of(java.net.URI.create(uri)));
  }

  static Map<String, String> hashes(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(f).toString(), sha256(f));
      }
    }
    return out;
  }

  private static String sha256(Path f) throws IOException, java.security.NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 16];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
