package dev.plg360.jobs.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plg360.common.config.Settings;
import dev.plg360.common.source.SourceSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code plg360 generate}: writes a synthetic company's landing zone ({@code <out>/landing}, in the vendor formats
 * of docs/LANDING.md) and the ground truth planted in it ({@code <out>/truth}, never read by the pipeline).
 * Workspaces are split into fixed partitions, each simulated by one Spark task seeded from (seed, partition) that
 * writes its own files under stable names; so the output is the same, byte for byte, for the same settings,
 * whatever the cluster. Events never travel to the driver: tasks return only counts.
 */
public final class Generator {
  private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

  static final String LANDING = "landing";
  static final String TRUTH = "truth";

  /** What a run wrote, for the command's summary. */
  public record Result(String out, GenerateSettings settings, int partitions, Map<String, Long> records,
                       Map<String, Long> files, Map<String, Long> defects, long workspaces, long users,
                       long labelled, double conversionRate, double meanProbability, double oracleAuc,
                       Duration took) {

    public long totalRecords() {
      return records.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalFiles() {
      return files.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalDefects() {
      return defects.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private Generator() {}

  /**
   * Generates into {@code out}; {@code overwrite} replaces an earlier output there, otherwise an existing
   * {@code landing/} or {@code truth/} is an error.
   */
  public static Result run(SparkSession spark, Settings settings, String out, boolean overwrite) {
    long started = System.nanoTime();
    GenerateSettings s = GenerateSettings.from(settings);
    Map<Feed, FeedMapping> mappings = FeedMapping.all(SourceSpec.all(settings), s.shapes());
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path root = qualified(new Path(out), hadoop);
    prepare(root, hadoop, overwrite);
    int partitions = s.partitions();
    LOG.info("generate: {} workspaces over {} days to {}, seed {}, bad rate {}, {} shapes, {} partitions -> {}",
        s.workspaces(), s.days(), s.endDate(), s.seed(), s.badRate(), s.shapes(),
        partitions, root);

    PartitionTask task = new PartitionTask(s, mappings, root.toString(), flatten(hadoop));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> indexes = IntStream.range(0, partitions).boxed().toList();
    PartitionResult total = jsc.parallelize(indexes, partitions).map(task::run).collect().stream()
        .reduce(PartitionResult.empty(), PartitionResult::plus);
    LOG.info("generate: wrote {} records in {} files, {} planted defects, {} workspaces, {} users ({} s)",
        total.totalRecords(), total.totalFiles(), total.totalDefects(), total.workspaces(), total.users(),
        seconds(started));

    double auc = OracleAuc.compute(OracleAuc.truthWorkspaces(spark, root.toString()));
    double rate = total.labelled() == 0 ? Double.NaN : (double) total.converted() / total.labelled();
    double meanP = total.labelled() == 0 ? Double.NaN : total.probabilitySum() / total.labelled();
    LOG.info("generate: oracle AUC {} over {} workspaces with a complete label; conversion {} (mean true p {})",
        round(auc), total.labelled(), round(rate), round(meanP));

    writeJson(root, hadoop, TRUTH + "/coefficients.json", coefficients(s));
    writeJson(root, hadoop, TRUTH + "/summary.json", summary(s, partitions, total, auc, rate, meanP));
    LOG.info("generate: truth written under {}/{} ({} s)", root, TRUTH, seconds(started));
    return new Result(root.toString(), s, partitions, total.records(), total.files(), total.defects(),
        total.workspaces(), total.users(), total.labelled(), rate, meanP, auc,
        Duration.ofNanos(System.nanoTime() - started));
  }

  private static Path qualified(Path p, Configuration conf) {
    try {
      return p.getFileSystem(conf).makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + p, e);
    }
  }

  private static void prepare(Path root, Configuration conf, boolean overwrite) {
    try {
      FileSystem fs = root.getFileSystem(conf);
      for (String dir : List.of(LANDING, TRUTH)) {
        Path p = new Path(root, dir);
        if (fs.exists(p)) {
          if (!overwrite) {
            throw new IllegalStateException(p + " already exists; choose another --out or pass --overwrite");
          }
          fs.delete(p, true);
        }
      }
      fs.mkdirs(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + root, e);
    }
  }

  private static Map<String, String> flatten(Configuration conf) {
    Map<String, String> out = new HashMap<>();
    conf.forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private static ObjectNode coefficients(GenerateSettings s) {
    PlantedModel m = s.model();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("form", "logit(p) = intercept + sum(coefficient * (x - center)) + industry[industry]");
    o.put("base_rate", m.baseRate());
    o.put("intercept", m.intercept());
    o.put("observation_days", s.observationDays());
    o.put("label_horizon_days", s.labelHorizonDays());
    o.put("decoy_feature", m.decoyFeature());
    ObjectNode terms = o.putObject("terms");
    for (String t : PlantedModel.TERMS) {
      ObjectNode term = terms.putObject(t);
      term.put("coefficient", m.terms().get(t).coefficient());
      term.put("center", m.terms().get(t).center());
    }
    ObjectNode industry = o.putObject("industry");
    m.industryEffects().forEach(industry::put);
    return o;
  }

  private static ObjectNode summary(GenerateSettings s, int partitions, PartitionResult total, double auc,
                                    double rate, double meanP) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("workspaces", s.workspaces());
    o.put("seed", s.seed());
    o.put("days", s.days());
    o.put("start_date", s.startDate().toString());
    o.put("end_date", s.endDate().toString());
    o.put("bad_rate", s.badRate());
    o.put("partitions", partitions);
    o.put("users", total.users());
    ObjectNode records = o.putObject("records_written");
    total.records().forEach(records::put);
    ObjectNode files = o.putObject("files_written");
    total.files().forEach(files::put);
    ObjectNode defects = o.putObject("defects_by_kind");
    total.defects().forEach(defects::put);
    ObjectNode rejected = o.putObject("defects_rejected_by_ingest");
    total.rejectedDefects().forEach(rejected::put);
    o.put("labelled_workspaces", total.labelled());
    o.put("converted_workspaces", total.converted());
    o.put("conversion_rate", round(rate));
    o.put("mean_true_probability", round(meanP));
    o.put("oracle_auc", round(auc));
    return o;
  }

  private static void writeJson(Path root, Configuration conf, String rel, ObjectNode json) {
    Path p = new Path(root, rel);
    try (OutputStream out = p.getFileSystem(conf).create(p, true)) {
      out.write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + p, e);
    }
  }

  static double round(double v) {
    return Double.isNaN(v) ? v : Math.round(v * 1_000_000) / 1_000_000.0;
  }

  private static long seconds(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
  }
}
