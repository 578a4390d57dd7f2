package dev.plg360.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.io.Lake;
import dev.plg360.common.model.ModelRegistry;
import dev.plg360.common.tables.ModelTables.Calibration;
import dev.plg360.common.tables.ModelTables.Coefficients;
import dev.plg360.common.tables.ModelTables.Predictions;
import dev.plg360.common.tables.ModelTables.Versions;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.jobs.Cli;
import dev.plg360.testkit.FrameBuilder;
import dev.plg360.testkit.SparkTestBase;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code plg360 report} on a small lake written by hand: two model versions with their calibration, coefficients
 * and held-out predictions, a few job runs, quarantined records and scores. The HTML must show those numbers, its
 * charts must be real images, Chromium must draw them, and a lake without a model still gets both reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportCommandTest extends SparkTestBase {

  @TempDir
  static Path dir;

  Path out;
  String card;
  String runs;
  String cliOutput;

  @BeforeAll
  void writeTheLakeAndReport() throws Exception {
    startSpark();
    Lake lake = new Lake(spark(), dir.resolve("lake").toString());
    writeModels(lake);
    writeRunsAndQuarantine(lake);
    writeScores(lake);
    out = dir.resolve("out");
    cliOutput = report("-D", "plg360.lake.root=" + dir.resolve("lake"), "--out", out.toString());
    card = Files.readString(out.resolve("model-card.html"));
    runs = Files.readString(out.resolve("run-report.html"));
  }

  private String report(String... args) {
    StringWriter text = new StringWriter();
    CommandLine cli = new CommandLine(new Cli());
    cli.setOut(new PrintWriter(text));
    cli.setErr(new PrintWriter(text));
    List<String> all = new ArrayList<>(List.of("report", "--as-of", "2026-10-31"));
    all.addAll(List.of(args));
    assertEquals(0, cli.execute(all.toArray(String[]::new)), text.toString());
    return text.toString();
  }

  private void writeModels(Lake lake) {
    FrameBuilder versions = frame(Versions.TABLE.schema());
    versions.row(Versions.VERSION, "v0001", Versions.TRAINED_AT, Timestamp.valueOf("2026-10-01 08:00:00"),
        Versions.AS_OF, Date.valueOf("2026-09-30"), Versions.RUN_ID, "train-1", Versions.TRAINING_TABLE, "gold.conversion_training",
        Versions.TRAINING_VERSION, 3L, Versions.TRAIN_ROWS, 300L, Versions.TEST_ROWS, 40L, Versions.AUC_ROC, 0.7456,
        Versions.AUC_PR, 0.41, Versions.LOG_LOSS, 0.35, Versions.BRIER, 0.11, Versions.ECE, 0.04, Versions.BASE_RATE, 0.125,
        Versions.TOP_DECILE_RATE, 0.5, Versions.TOP_DECILE_LIFT, 4.0, Versions.PROMOTED, true, Versions.DECISION, "first version");
    versions.row(Versions.VERSION, "v0002", Versions.TRAINED_AT, Timestamp.valueOf("2026-10-31 08:00:00"),
        Versions.AS_OF, Date.valueOf("2026-10-30"), Versions.RUN_ID, "train-2", Versions.TRAINING_TABLE, "gold.conversion_training",
        Versions.TRAINING_VERSION, 7L, Versions.TRAIN_ROWS, 412L, Versions.TEST_ROWS, 40L,
        Versions.TEST_FROM, Date.valueOf("2026-09-01"), Versions.TEST_TO, Date.valueOf("2026-09-20"),
        Versions.REG_PARAM, 0.01, Versions.ELASTIC_NET_PARAM, 0.0, Versions.AUC_ROC, 0.8123,
        Versions.AUC_PR, 0.52, Versions.LOG_LOSS, 0.31, Versions.BRIER, 0.10, Versions.ECE, 0.03, Versions.BASE_RATE, 0.15,
        Versions.TOP_DECILE_RATE, 0.75, Versions.TOP_DECILE_LIFT, 5.0, Versions.CHAMPION_VERSION, "v0001",
        Versions.CHAMPION_AUC_ROC, 0.7301, Versions.PROMOTED, true, Versions.DECISION, "AUC 0.812 >= champion's 0.730 - 0.01");
    lake.overwrite(versions.build(), Versions.TABLE);

    FrameBuilder calibration = frame(Calibration.TABLE.schema());
    for (int d = 1; d <= 10; d++) {
      double observed = (11 - d) / 20.0;
      calibration.row(Calibration.VERSION, "v0002", Calibration.DECILE, d, Calibration.ROWS, 4L, Calibration.CONVERTED,
          Math.round(observed * 4), Calibration.MEAN_PREDICTED, observed * 0.9, Calibration.OBSERVED_RATE, observed,
          Calibration.LIFT, observed / 0.15);
    }
    lake.overwrite(calibration.build(), Calibration.TABLE);

    FrameBuilder coefficients = frame(Coefficients.TABLE.schema());
    Object[][] terms = {{"log1p(invites)", "invites", 0.9}, {"log1p(active_days)", "active_days", 0.6},
        {"personal", "personal", -0.5}, {"industry = Retail", "industry", -0.2}};
    for (int i = 0; i < terms.length; i++) {
      double w = (Double) terms[i][2];
      coefficients.row(Coefficients.VERSION, "v0002", Coefficients.RANK, i + 1, Coefficients.TERM, terms[i][0],
          Coefficients.FEATURE, terms[i][1], Coefficients.COEFFICIENT, w, Coefficients.ODDS_RATIO, Math.exp(w),
          Coefficients.DIRECTION, w > 0 ? "more likely" : "less likely");
    }
    coefficients.row(Coefficients.VERSION, "v0002", Coefficients.RANK, 5, Coefficients.TERM, "(intercept)",
        Coefficients.FEATURE, "(intercept)", Coefficients.COEFFICIENT, -2.0, Coefficients.ODDS_RATIO, Math.exp(-2.0),
        Coefficients.DIRECTION, "none");
    lake.overwrite(coefficients.build(), Coefficients.TABLE);

    FrameBuilder predictions = frame(Predictions.TABLE.schema());
    Random random = new Random(7);
    for (String v : List.of("v0001", "v0002")) {
      for (int i = 0; i < 40; i++) {
        int label = i % 4 == 0 ? 1 : 0;
        double p = Math.min(0.99, 0.1 + 0.4 * label + 0.3 * random.nextDouble());
        predictions.row(Predictions.VERSION, v, Predictions.ENTITY_ID, "w" + i, Predictions.LABEL, label,
            Predictions.PROBABILITY, p);
      }
    }
    lake.overwrite(predictions.build(), Predictions.TABLE);
    new ModelRegistry(spark(), lake.file("models/conversion")).promote("v0002");
  }

  private void writeRunsAndQuarantine(Lake lake) {
    FrameBuilder jobRuns = frame(JobRuns.TABLE.schema());
    jobRuns.row(JobRuns.RUN_ID, "ingest-1", JobRuns.JOB, "ingest", JobRuns.AS_OF, Date.valueOf("2026-10-31"),
        JobRuns.STARTED_AT, Timestamp.valueOf("2026-10-31 06:00:00"), JobRuns.ENDED_AT, Timestamp.valueOf("2026-10-31 06:00:42"),
        JobRuns.STATUS, "SUCCEEDED", JobRuns.ROWS_READ, Map.of("segment", 1000L),
        JobRuns.ROWS_WRITTEN, Map.of("bronze.product_events", 995L, "bronze.quarantine", 5L),
        JobRuns.ROWS_REJECTED, Map.of("MALFORMED_JSON", 3L, "DUPLICATE", 2L));
    jobRuns.row(JobRuns.RUN_ID, "train-3", JobRuns.JOB, "train", JobRuns.AS_OF, Date.valueOf("2026-10-31"),
        JobRuns.STARTED_AT, Timestamp.valueOf("2026-10-31 07:00:00"), JobRuns.ENDED_AT, Timestamp.valueOf("2026-10-31 07:01:30"),
        JobRuns.STATUS, "FAILED", JobRuns.ERROR, "<boom> & 'quotes'");
    lake.overwrite(jobRuns.build(), JobRuns.TABLE);

    FrameBuilder quarantine = frame(Quarantine.TABLE.schema());
    for (int line = 1; line <= 3; line++) {
      quarantine.row(Quarantine.SOURCE, "segment", Quarantine.SOURCE_FILE, "a.jsonl", Quarantine.LINE, (long) line,
          Quarantine.REASON, "MALFORMED_JSON");
    }
    for (int line = 1; line <= 2; line++) {
      quarantine.row(Quarantine.SOURCE, "hubspot", Quarantine.SOURCE_FILE, "b.jsonl", Quarantine.LINE, (long) line,
          Quarantine.REASON, "DUPLICATE");
    }
    lake.overwrite(quarantine.build(), Quarantine.TABLE);
  }

  private void writeScores(Lake lake) {
    FrameBuilder accounts = frame(AccountScores.TABLE.schema());
    String[] segments = {"top_free_trial", "top_free_trial", "dead_zone", "dead_zone", "dead_zone", "<i>odd</i> & \"co\""};
    double[] pql = {82, 64, 3, 4, 12, 51};
    for (int i = 0; i < segments.length; i++) {
      accounts.row(AccountScores.ACCOUNT_ID, "a" + i, AccountScores.SEGMENT, segments[i],
          AccountScores.PQL_SCORE, pql[i], AccountScores.ICP_SCORE, 10.0 * i + 30);
    }
    lake.overwrite(accounts.build(), AccountScores.TABLE);

    FrameBuilder leads = frame(LeadScores.TABLE.schema());
    leads.row(LeadScores.LEAD_ID, "l1", LeadScores.LEAD_STATUS, "OPEN_PLG");
    leads.row(LeadScores.LEAD_ID, "l2", LeadScores.LEAD_STATUS, "OPEN_PLG");
    leads.row(LeadScores.LEAD_ID, "l3", LeadScores.LEAD_STATUS, "REMARKET", LeadScores.REMARKET_REASON, "TRASH");
    lake.overwrite(leads.build(), LeadScores.TABLE);
  }

  @Test
  void modelCardShowsTheCurrentVersionBesideThePreviousOne() {
    assertTrue(cliOutput.contains("wrote " + out.resolve("model-card.html")), cliOutput);
    assertTrue(card.contains("<title>Conversion model card v0002</title>"), card);
    assertTrue(card.contains("<tr><td>AUC-ROC</td><td class=\"n\">0.812</td><td class=\"n\">0.746</td>"
        + "<td class=\"n better\">+0.067</td>"), "AUC of v0002 beside v0001's, and the change:\n" + card);
    assertTrue(card.contains("<tr><td>log loss</td><td class=\"n\">0.310</td><td class=\"n\">0.350</td>"
        + "<td class=\"n better\">-0.040</td>"), "a lower log loss is better");
    assertTrue(card.contains("<tr><td>top-decile lift</td><td class=\"n\">5.00x</td><td class=\"n\">4.00x</td>"), card);
    assertTrue(card.contains("<tr><td>base rate</td><td class=\"n\">15.0%</td><td class=\"n\">12.5%</td>"
        + "<td class=\"n\">+2.5 pp</td>"), card);
    assertTrue(card.contains("v0001 scored AUC-ROC 0.730 on v0002&#39;s cohort"), "the champion's AUC on the new cohort");
    assertTrue(card.contains("<tr><td>training table</td><td>gold.conversion_training</td></tr>")
        && card.contains("<tr><td>Delta version</td><td>7</td></tr>")
        && card.contains("<tr><td>rows fitted on</td><td>412</td></tr>"), "the data it was trained on");
    assertTrue(card.contains("<td>log1p(invites)</td><td class=\"n\">0.900</td><td class=\"n\">2.46</td>"), "odds ratios");
    assertTrue(card.contains("<td>v0002 (current)</td>"), "every version listed");
    assertEquals(4, images(card).size(), "ROC, calibration, lift and odds-ratio charts");
  }

  @Test
  void runReportShowsRunsQuarantineScoresAndLeads() {
    assertTrue(runs.contains("<tr><td>segment</td><td>MALFORMED_JSON</td><td class=\"n\">3</td></tr>")
        && runs.contains("<tr><td>hubspot</td><td>DUPLICATE</td><td class=\"n\">2</td></tr>"), "quarantine by reason:\n" + runs);
    assertTrue(runs.contains("<td>ingest</td><td class=\"SUCCEEDED\">SUCCEEDED</td>")
        && runs.contains("<td class=\"n\">42.0 s</td><td class=\"n\">1,000</td><td class=\"n\">1,000</td>"
        + "<td>DUPLICATE 2; MALFORMED_JSON 3</td>"), "the ingest run with its duration, rows and rejections:\n" + runs);
    assertTrue(runs.contains("<td>train</td><td class=\"FAILED\">FAILED</td>"), "the failed run");
    assertTrue(runs.contains("<tr><td>dead_zone</td><td class=\"n\">3</td><td class=\"n\">50.0%</td></tr>")
        && runs.contains("<tr><td>top_free_trial</td><td class=\"n\">2</td><td class=\"n\">33.3%</td></tr>"), "segments");
    assertTrue(runs.contains("<tr><td>OPEN_PLG</td><td class=\"n\">2</td>")
        && runs.contains("<tr><td>REMARKET TRASH</td><td class=\"n\">1</td>"), "lead statuses");
    assertTrue(runs.contains("6 of 6 accounts have one."), "every account has a PQL score here");
    assertFalse(runs.contains("<td>report</td>"), "the report's own run is not listed");
    assertEquals(6, images(runs).size(), "durations, quarantine, PQL, ICP, segment and lead charts");
  }

  @Test
  void everyValueIsEscaped() {
    assertTrue(runs.contains("<td>&lt;i&gt;odd&lt;/i&gt; &amp; &quot;co&quot;</td>"), runs);
    assertTrue(runs.contains("<td>&lt;boom&gt; &amp; &#39;quotes&#39;</td>"), runs);
    assertFalse(runs.contains("<i>odd</i>") || runs.contains("<boom>"), "no value from the lake is read as markup");
  }

  @Test
  void everyChartIsARealImage() throws IOException {
    for (String html : List.of(card, runs)) {
      for (BufferedImage img : images(html)) {
        assertTrue(img.getWidth() >= 700 && img.getHeight() >= 400, img.getWidth() + "x" + img.getHeight());
        assertTrue(colours(img, 0, img.getHeight()) > 10, "a drawn chart has more than a few colours");
      }
    }
  }

  @Test
  void theReportRunIsRecorded() {
    Lake lake = new Lake(spark(), dir.resolve("lake").toString());
    Row run = lake.read(JobRuns.TABLE).where(JobRuns.JOB.col().equalTo("report")).first();
    assertEquals("SUCCEEDED", run.getAs(JobRuns.STATUS.name()));
    Map<String, Long> written = run.getJavaMap(run.fieldIndex(JobRuns.ROWS_WRITTEN.name()));
    assertEquals(Set.of("model-card.html", "run-report.html", "index.html"),
        written.keySet().stream().map(f -> f.substring(f.lastIndexOf('/') + 1)).collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  void aLakeWithoutAModelStillGetsBothReports() throws IOException {
    Path empty = dir.resolve("empty");
    report("-D", "plg360.lake.root=" + empty.resolve("lake"));
    Path reports = empty.resolve("lake/reports");
    String noCard = Files.readString(reports.resolve("model-card.html"));
    String noRuns = Files.readString(reports.resolve("run-report.html"));
    assertTrue(noCard.contains("No conversion model yet"), noCard);
    assertTrue(noRuns.contains("No job has run on this lake yet.") && noRuns.contains("Nothing rejected")
        && noRuns.contains("No account scores yet"), noRuns);
    assertTrue(Files.readString(reports.resolve("index.html")).contains("no model yet"));
  }

  @Test
  void aBadSettingStopsTheRunBeforeSpark() {
    assertEquals(2, Cli.execute("report", "-D", "plg360.lake.root=" + dir.resolve("bad"), "-D",
        "plg360.report.histogram-bins=101"), "a configuration error's exit code");
    assertFalse(Files.exists(dir.resolve("bad")), "nothing was written");
  }

  @Test
  void chromiumDrawsTheCharts() throws Exception {
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null,
        "Chromium not found on the PATH (apt-get install chromium; .ci/run installs it): the page is not drawn");
    for (String page : List.of("model-card.html", "run-report.html")) {
      Path shot = dir.resolve(page + ".png");
      Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
          "--disable-background-networking", "--hide-scrollbars", "--user-data-dir=" + dir.resolve("chromium-profile"),
          "--screenshot=" + shot, "--window-size=1200,2400", out.resolve(page).toUri().toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium ends");
      assertTrue(Files.exists(shot), Files.readString(dir.resolve("chromium.log")));
      BufferedImage img = ImageIO.read(shot.toFile());
      // The charts' blue (lines, bars) appears only where Chromium drew an embedded image: text and links are
      // other colours, and a broken image is an icon.
      int blue = 0;
      for (int y = 0; y < img.getHeight(); y++) {
        for (int x = 0; x < img.getWidth(); x++) {
          int rgb = img.getRGB(x, y);
          if (near((rgb >> 16) & 0xff, 0x1f) && near((rgb >> 8) & 0xff, 0x77) && near(rgb & 0xff, 0xb4)) {
            blue++;
          }
        }
      }
      assertTrue(blue > 1000, page + ": " + blue + " pixels of the charts' blue in the screenshot");
      assertTrue(colours(img, 0, img.getHeight()) > 50, page + ": text and charts, not a blank page");
    }
  }

  private static boolean near(int a, int b) {
    return Math.abs(a - b) <= 24;
  }

  private static String chromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (Files.isExecutable(Path.of(d, name))) {
          return Path.of(d, name).toString();
        }
      }
    }
    return null;
  }

  /** The embedded PNG charts of a page, decoded. */
  static List<BufferedImage> images(String html) {
    List<BufferedImage> out = new ArrayList<>();
    Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
    while (m.find()) {
      try {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
        assertNotNull(img, "a PNG");
        out.add(img);
      } catch (IOException e) {
        throw new AssertionError("an embedded image does not decode", e);
      }
    }
    return out;
  }

  static int colours(BufferedImage img, int fromY, int toY) {
    Set<Integer> seen = new HashSet<>();
    for (int y = fromY; y < toY; y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        seen.add(img.getRGB(x, y));
      }
    }
    return seen.size();
  }
}
