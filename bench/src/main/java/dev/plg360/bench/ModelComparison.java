package dev.plg360.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ConversionPipeline;
import dev.plg360.common.model.ConversionPipeline.Params;
import dev.plg360.common.model.ConversionPipeline.Term;
import dev.plg360.common.model.FeatureDef;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.model.TrainingSet;
import dev.plg360.common.tables.ModelTables.ConversionTraining;
import dev.plg360.common.tables.TableDef;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model side of the benchmark: plg360's logistic regression in Spark MLlib against scikit-learn's, on the rows
 * the lake's current model version was fitted on, by fit time and AUC-ROC on its held-out cohort.
 *
 * <p>Reads the version's metadata in the model registry (its training table and Delta version, features, held-out
 * cohort's first day, chosen regularisation, max-iter and class weights) and rebuilds the rows as {@code plg360
 * train} did: the labelled rows of gold.conversion_training at that version, in entity order in one partition,
 * weighted over all of them when the classes were balanced; the fit rows are those that signed up before the
 * held-out cohort. It fails if the rebuilt row counts are not the recorded ones. The preparation stages are fitted
 * once on the fit rows; their standardised terms, label and weight of both sets go to {@code train.csv} and
 * {@code test.csv} in the work folder, which {@code sklearn_fit.py} (written beside them) reads.
 *
 * <p>The registry is where the settings put it (reference.conf, {@code $PLG360_CONF}, {@code plg360.*} system
 * properties). The script runs on {@code $PLG360_PYTHON}, else /usr/bin/python3 (Debian's, where python3-sklearn
 * installs), else {@code python3} from the PATH, with one BLAS thread: train
 * fits on one partition, so MLlib fits on one core too. The script's docstring shows why both minimise one objective.
 */
public final class ModelComparison {
  private ModelComparison() {}

  private static final Logger LOG = LoggerFactory.getLogger(ModelComparison.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The interpreter that has scikit-learn, when the system's has not. */
  private static final String PYTHON_ENV = "PLG360_PYTHON";
  /** Debian's interpreter, the one python3-sklearn installs for (another python3 may come first on the PATH). */
  private static final String DEBIAN_PYTHON = "/usr/bin/python3";
  private static final String SCRIPT = "sklearn_fit.py";
  /** Both fit the same objective, so their held-out AUCs should agree to a swapped pair of close scores or so. */
  private static final double AUC_TOLERANCE = 0.005;
  /** The rebuilt fit is the recorded one when its coefficients and held-out AUC-ROC are within this of those recorded. */
  private static final double REBUILT_TOLERANCE = 1e-6;

  /** One comparison: the version, its rows and regularisation, and each library's median fit time and held-out AUC-ROC. */
  public record Result(String modelVersion, long trainRows, long testRows, int terms, double regParam, double elasticNetParam,
                       double mllibFitSeconds, double mllibAuc, double sklearnFitSeconds, double sklearnAuc, String sklearnVersion) {
    public double fitRatio() {
      return mllibFitSeconds / sklearnFitSeconds;
    }

    public double aucDifference() {
      return mllibAuc - sklearnAuc;
    }
  }

  /** What a version's metadata records about its final fit. */
  private record Trained(String version, String table, long tableVersion, List<FeatureDef> features, LocalDate testFrom,
                         long fitRows, long testRows, Params params, int maxIter, boolean weighted, double auc,
                         double intercept, Map<String, Double> coefficients) {

    static Trained of(String version, JsonNode m) {
      JsonNode training = m.path("training");
      JsonNode params = m.path("parameters");
      List<FeatureDef> features = new ArrayList<>();
      for (JsonNode f : m.path("features")) {
        features.add(new FeatureDef(f.path("name").asText(),
            FeatureDef.Kind.valueOf(f.path("kind").asText().toUpperCase(Locale.ROOT)), f.path("sql").asText(null)));
      }
      Map<String, Double> coefficients = new LinkedHashMap<>();
      for (JsonNode c : m.path("coefficients")) {
        coefficients.put(c.path("term").asText(), c.path("coefficient").asDouble());
      }
      return new Trained(version, training.path("table").asText(), training.path("delta_version").asLong(-1), features,
          LocalDate.parse(training.path("test_from").asText()), training.path("fit_rows").asLong(),
          m.path("metrics").path("rows").asLong(),
          new Params(params.path("reg_param").asDouble(), params.path("elastic_net_param").asDouble()),
          params.path("max_iter").asInt(), "balanced".equals(params.path("class_weights").asText()),
          m.path("metrics").path("aucRoc").asDouble(Double.NaN), m.path("intercept").asDouble(Double.NaN), coefficients);
    }
  }

  /**
   * One library's fits: its version, each fit's seconds, and of the last fit the held-out AUC-ROC, intercept,
   * coefficients (in the order of the terms), iterations, and whether it converged before its iteration limit.
   */
  private record Fits(String version, List<Double> seconds, double auc, double intercept, double[] coefficients,
                      int iterations, boolean converged) {
    double medianSeconds() {
      return Results.median(seconds);
    }
  }

  /** For the lake's current model version: prepares its training set once, exports it to workDir, times `repeats` fits of each library (median), and scores both on the held-out cohort. */
  public static Result run(Lake lake, Path workDir, int repeats) throws IOException, InterruptedException {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be at least 1, was " + repeats);
    }
    ModelSettings settings = ModelSettings.from(Settings.defaults());
    ModelRegistry registry = new ModelRegistry(lake.spark(), lake.file(settings.registryDir()));
    String version = registry.current().orElseThrow(() ->
        new IllegalStateException("no current model under " + registry.dir() + ": run plg360 train first"));
    Trained trained = Trained.of(version, registry.metadata(version));
    long started = System.nanoTime();
    Dataset<Row> labelled = labelled(lake, trained).persist(StorageLevel.MEMORY_AND_DISK());
    Column signup = col(ConversionTraining.SIGNUP_DATE.name());
    Date testFrom = Date.valueOf(trained.testFrom());
    Dataset<Row> fit = null;
    Dataset<Row> test = null;
    try {
      // As train's final fit: the preparation is fitted on the rows before the held-out cohort.
      Dataset<Row> fitRows = labelled.where(signup.lt(testFrom));
      PipelineModel preparation = new Pipeline()
          .setStages(ConversionPipeline.preparation(trained.features()).toArray(PipelineStage[]::new)).fit(fitRows);
      Dataset<Row> preparedFit = preparation.transform(fitRows);
      List<Term> terms = ConversionPipeline.terms(preparedFit, trained.features());
      List<Column> inputs = new ArrayList<>(List.of(col(ConversionPipeline.SCALED), col(ConversionPipeline.LABEL)));
      if (trained.weighted()) {
        inputs.add(col(ConversionPipeline.WEIGHT));
      }
      Column[] kept = inputs.toArray(Column[]::new);
      fit = preparedFit.select(kept).persist(StorageLevel.MEMORY_AND_DISK());
      test = preparation.transform(labelled.where(signup.geq(testFrom))).select(kept).persist(StorageLevel.MEMORY_AND_DISK());
      long fitCount = fit.count();
      long testCount = test.count();
      if (fitCount != trained.fitRows() || testCount != trained.testRows()) {
        throw new IllegalStateException("model " + version + " was fitted on " + trained.fitRows() + " rows and tested on "
            + trained.testRows() + ", but " + trained.table() + " version " + trained.tableVersion() + " gives " + fitCount
            + " and " + testCount + ": these are not its rows");
      }
      LOG.info("model {}: prepared {} fit rows and {} held-out rows of {} version {}, {} terms, in {}s", version, fitCount,
          testCount, trained.table(), trained.tableVersion(), terms.size(), String.format("%.1f", seconds(started)));

      Files.createDirectories(workDir);
      Path trainCsv = export(fit, terms, trained.weighted(), workDir.resolve("train.csv"));
      Path testCsv = export(test, terms, trained.weighted(), workDir.resolve("test.csv"));

      Fits mllib = fitMllib(fit, test, trained, repeats);
      checkRebuilt(trained, terms, mllib);
      Fits sklearn = fitSklearn(workDir, trainCsv, testCsv, trained, repeats);
      Result result = new Result(version, fitCount, testCount, terms.size(), trained.params().regParam(),
          trained.params().elasticNetParam(), mllib.medianSeconds(), mllib.auc(), sklearn.medianSeconds(), sklearn.auc(),
          sklearn.version());
      compare(result, mllib, sklearn);
      return result;
    } finally {
      for (Dataset<Row> cached : Arrays.asList(fit, test, labelled)) {
        if (cached != null) {
          cached.unpersist();
        }
      }
    }
  }

  /**
   * The labelled rows of the version's training table as train read them: in entity order in one partition (its
   * coefficients depend on the order of partial sums), with the label as a double and, for balanced classes, each
   * class weighted by the inverse of its share of all labelled rows.
   */
  private static Dataset<Row> labelled(Lake lake, Trained trained) {
    TableDef table = TrainingSet.table(trained.features());
    if (!table.qualifiedName().equals(trained.table()) || trained.tableVersion() < 0) {
      throw new IllegalStateException("model " + trained.version() + " was trained on " + trained.table() + " (version "
          + trained.tableVersion() + "), not on a version of " + table.qualifiedName() + "; it cannot be rebuilt");
    }
    Dataset<Row> rows = lake.readVersion(table, trained.tableVersion())
        .where(col(ConversionTraining.LABEL.name()).isNotNull())
        .orderBy(ConversionTraining.ENTITY_ID.name())
        .coalesce(1);
    return ConversionPipeline.withWeights(rows, trained.weighted());
  }


  /** Writes the rows as CSV: one column per term (its name as the header), then the label and, if weighted, the weight. */
  private static Path export(Dataset<Row> rows, List<Term> terms, boolean weighted, Path file) throws IOException {
    List<String> header = new ArrayList<>(terms.stream().map(Term::name).toList());
    header.add(ConversionPipeline.LABEL);
    if (weighted) {
      header.add(ConversionPipeline.WEIGHT);
    }
    long written = 0;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(header.stream().map(ModelComparison::quoted).collect(Collectors.joining(",")));
      out.newLine();
      Iterator<Row> it = rows.toLocalIterator();
      StringBuilder line = new StringBuilder();
      while (it.hasNext()) {
        Row r = it.next();
        line.setLength(0);
        // Double.toString: the shortest text that reads back as the same double, so both libraries see one table.
        for (double x : r.<Vector>getAs(ConversionPipeline.SCALED).toArray()) {
          line.append(x).append(',');
        }
        line.append(r.<Double>getAs(ConversionPipeline.LABEL));
        if (weighted) {
          line.append(',').append(r.<Double>getAs(ConversionPipeline.WEIGHT));
        }
        out.write(line.toString());
        out.newLine();
        written++;
      }
    }
    LOG.info("exported {} rows of {} columns to {}", written, header.size(), file);
    return file;
  }

  /** A CSV field: quoted, with its quotes doubled (a category's value may hold a comma). */
  private static String quoted(String field) {
    return "\"" + field.replace("\"", "\"\"") + "\"";
  }

  /** Times each fit of the regression as train configures it, on the cached prepared rows; scores the last. */
  private static Fits fitMllib(Dataset<Row> fit, Dataset<Row> test, Trained trained, int repeats) {
    LogisticRegression regression = ConversionPipeline.regression(trained.params(), trained.maxIter(), trained.weighted());
    List<Double> seconds = new ArrayList<>();
    LogisticRegressionModel model = null;
    for (int i = 0; i < repeats; i++) {
      long started = System.nanoTime();
      model = regression.fit(fit);
      seconds.add(seconds(started));
    }
    double auc = new BinaryClassificationEvaluator()
        .setLabelCol(regression.getLabelCol())
        .setRawPredictionCol(regression.getProbabilityCol())
        .setMetricName("areaUnderROC")
        .setNumBins(0) // every distinct score, as train's metrics and scikit-learn count them
        .evaluate(model.transform(test));
    int iterations = model.summary().totalIterations();
    Fits out = new Fits(fit.sparkSession().version(), seconds, auc, model.intercept(), model.coefficients().toArray(),
        iterations, iterations < trained.maxIter());
    LOG.info("MLlib (Spark {}): {} fit(s), seconds each {}, {} iterations{}, held-out AUC-ROC {}", out.version(), repeats,
        seconds, iterations, out.converged() ? "" : " (its limit)", String.format("%.4f", auc));
    return out;
  }

  /** Warns when the rebuilt fit is not the one the version recorded (train's code or the table's files changed since). */
  private static void checkRebuilt(Trained trained, List<Term> terms, Fits mllib) {
    double largest = Math.abs(mllib.intercept() - trained.intercept());
    for (int i = 0; i < terms.size(); i++) {
      Double recorded = trained.coefficients().get(terms.get(i).name());
      largest = Math.max(largest, recorded == null ? Double.POSITIVE_INFINITY : Math.abs(mllib.coefficients()[i] - recorded));
    }
    if (largest > REBUILT_TOLERANCE || Math.abs(mllib.auc() - trained.auc()) > REBUILT_TOLERANCE) {
      LOG.warn("the rebuilt MLlib fit differs from model {} as recorded: coefficients by up to {}, held-out AUC-ROC {} against {}",
          trained.version(), largest, mllib.auc(), trained.auc());
    } else {
      LOG.info("the rebuilt MLlib fit is model {} as recorded (coefficients within {}, held-out AUC-ROC {})",
          trained.version(), REBUILT_TOLERANCE, String.format("%.4f", trained.auc()));
    }
  }

  /** Runs sklearn_fit.py on the exported rows with the same regularisation, and reads its one line of JSON. */
  private static Fits fitSklearn(Path workDir, Path trainCsv, Path testCsv, Trained trained, int repeats)
      throws IOException, InterruptedException {
    Path script = workDir.resolve(SCRIPT);
    try (InputStream in = ModelComparison.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IOException(SCRIPT + " is not on the classpath beside " + ModelComparison.class.getName());
      }
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    String python = python();
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(),
        "--train", trainCsv.toString(), "--test", testCsv.toString(), "--label", ConversionPipeline.LABEL,
        "--reg-param", Double.toString(trained.params().regParam()),
        "--elastic-net-param", Double.toString(trained.params().elasticNetParam()),
        "--max-iter", Integer.toString(trained.maxIter()), "--repeats", Integer.toString(repeats)));
    if (trained.weighted()) {
      cmd.addAll(List.of("--weight", ConversionPipeline.WEIGHT));
    }
    Path log = workDir.resolve("sklearn_fit.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    for (String threads : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) {
      pb.environment().put(threads, "1");
    }
    long started = System.nanoTime();
    Process p = pb.start();
    String stdout;
    try (InputStream in = p.getInputStream()) {
      stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    int exit = p.waitFor();
    if (exit != 0 || stdout.isEmpty()) {
      throw new IOException(String.join(" ", cmd) + " failed (exit " + exit + "; " + installHint(python) + "): " + tail(log));
    }
    JsonNode out = JSON.readTree(stdout.substring(stdout.lastIndexOf('\n') + 1));
    List<Double> seconds = new ArrayList<>();
    out.path("fit_seconds").forEach(s -> seconds.add(s.asDouble()));
    double[] coefficients = new double[out.path("coefficients").size()];
    for (int i = 0; i < coefficients.length; i++) {
      coefficients[i] = out.path("coefficients").get(i).asDouble();
    }
    Fits fits = new Fits(out.path("sklearn").asText(), seconds, out.path("auc").asDouble(), out.path("intercept").asDouble(),
        coefficients, out.path("iterations").asInt(), out.path("converged").asBoolean());
    LOG.info("scikit-learn {}: {} fit(s), seconds each {}, {} iterations{}, held-out AUC-ROC {}; the process took {}s",
        fits.version(), repeats, seconds, fits.iterations(), fits.converged() ? "" : " (its limit)",
        String.format("%.4f", fits.auc()), String.format("%.1f", seconds(started)));
    return fits;
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  /** Logs the comparison, with a warning when the two fits of one objective disagree. */
  private static void compare(Result r, Fits mllib, Fits sklearn) {
    if (mllib.coefficients().length != sklearn.coefficients().length) {
      throw new IllegalStateException("MLlib fitted " + mllib.coefficients().length + " coefficients, scikit-learn "
          + sklearn.coefficients().length + ": they did not read the same terms");
    }
    double largest = Math.abs(mllib.intercept() - sklearn.intercept());
    for (int i = 0; i < mllib.coefficients().length; i++) {
      largest = Math.max(largest, Math.abs(mllib.coefficients()[i] - sklearn.coefficients()[i]));
    }
    LOG.info("model {} on {} rows, {} terms, regParam {}, elasticNetParam {}: fit MLlib {}s, scikit-learn {}s (ratio {}); "
            + "held-out AUC-ROC MLlib {}, scikit-learn {} (difference {}); coefficients differ by up to {}",
        r.modelVersion(), r.trainRows(), r.terms(), r.regParam(), r.elasticNetParam(),
        String.format("%.4f", r.mllibFitSeconds()), String.format("%.4f", r.sklearnFitSeconds()),
        String.format("%.1f", r.fitRatio()), String.format("%.4f", r.mllibAuc()), String.format("%.4f", r.sklearnAuc()),
        String.format("%+.4f", r.aucDifference()), String.format("%.1e", largest));
    if (Math.abs(r.aucDifference()) > AUC_TOLERANCE) {
      List<String> stopped = new ArrayList<>();
      if (!mllib.converged()) {
        stopped.add("MLlib");
      }
      if (!sklearn.converged()) {
        stopped.add("scikit-learn");
      }
      LOG.warn("the two libraries' held-out AUC-ROC differ by {} although they fit the same objective{}",
          String.format("%+.4f", r.aucDifference()), stopped.isEmpty() ? ""
              : " (" + String.join(" and ", stopped) + " stopped at the iteration limit before converging)");
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /** $PLG360_PYTHON, else Debian's /usr/bin/python3, else python3 from the PATH. */
  private static String python() {
    return System.getenv().getOrDefault(PYTHON_ENV, Files.isExecutable(Path.of(DEBIAN_PYTHON)) ? DEBIAN_PYTHON : "python3");
  }

  private static String installHint(String python) {
    return "is scikit-learn installed for " + python + "? Debian: apt-get install python3-sklearn; or set " + PYTHON_ENV
        + " to an interpreter that has it";
  }

  /**
   * Fails at once when the interpreter cannot import what the comparison needs, rather than after the chains it
   * follows (at 100,000 workspaces, half an hour).
   */
  static void requireScikitLearn() throws IOException, InterruptedException {
    String python = python();
    Process p = new ProcessBuilder(python, "-c", "import numpy, sklearn").redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("the model comparison cannot run: " + installHint(python) + " (" + out + ")");
    }
  }
}
