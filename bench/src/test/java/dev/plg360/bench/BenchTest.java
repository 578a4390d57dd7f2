package dev.plg360.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.common.tables.GoldTables.Account360;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The harness at its smallest scale, once, so that it cannot rot: a small company, one chain run, every comparison.
 * It checks that each figure was measured and that the comparisons compare (not how fast anything is).
 */
class BenchTest {

  @TempDir
  Path dir;

  @Test
  void measuresTheChainAndComparesWithDuckDbScikitLearnAndPostgres() throws Exception {
    Path json = dir.resolve("benchmarks.json");
    Path page = dir.resolve("BENCHMARKS.md");
    Files.writeString(page, "# Benchmarks\n\nWritten by hand.\n\n" + BenchReport.BEGIN + "\nan older table\n"
        + BenchReport.END + "\n\nAlso by hand.\n");

    int code = new CommandLine(new Bench()).execute("--scales", "120", "--runs", "1", "--days", "75", "--seed", "42",
        "--heap", "2g", "--repeats", "1", "--changed-rows", "50", "--dir", dir.resolve("work").toString(),
        "--json", json.toString(), "--markdown", page.toString(),
        // The tests' story company (dev.plg360.jobs.StoryWorld.COMPANY): about 40 workspaces have a label by the last day, enough
        // for the three cohorts of a small model, and every feature varies among them.
        "-D", "plg360.generate.surge-share=0.15", "-D", "plg360.generate.invite-spike-share=0.08",
        "-D", "plg360.generate.near-cap-share=0.1", "-D", "plg360.build360.signals.lookback-days=21",
        "-D", "plg360.model.min-training-rows=30", "-D", "plg360.model.test-share=0.3",
        "-D", "plg360.model.validation-share=0.25",
        "-D", "plg360.model.reg-params=[0.05]", "-D", "plg360.model.elastic-net-params=[0.0]");
    assertEquals(0, code);

    JsonNode s = Results.JSON.readTree(json.toFile()).path("scales").path("120");
    assertTrue(s.path("product_events").asLong() > 1_000, s.toString());
    assertTrue(s.path("chain").path("median_seconds").asDouble() > 0, s.toString());
    assertTrue(s.path("chain").path("peak_rss_mib").asLong() > 100, "the driver's peak memory was read: " + s);
    assertTrue(s.path("chain").path("peak_live_heap_mib").asLong() > 0, "and its GC log: " + s);
    for (String job : Bench.JOBS) {
      assertTrue(s.path("jobs").path(job).path("median_seconds").asDouble() > 0, job + " was timed: " + s);
    }
    assertTrue(s.path("events_per_second_per_core").path("build360").asLong() > 0, s.toString());

    JsonNode duck = s.path("duckdb");
    assertTrue(duck.path("equal").asBoolean(), "DuckDB computed what build360 wrote: " + duck);
    assertTrue(duck.path("accounts").asLong() > 50 && duck.path("workspaces").asLong() > 50, duck.toString());
    assertTrue(duck.path("median_seconds").asDouble() > 0, duck.toString());

    JsonNode model = s.path("model");
    assertTrue(model.path("fit_rows").asLong() > 0 && model.path("held_out_rows").asLong() > 0, model.toString());
    assertTrue(model.path("mllib_auc").asDouble() > 0.5, model.toString());
    assertTrue(Math.abs(model.path("auc_difference").asDouble()) < 0.05,
        "the two libraries fit the same objective on the same rows: " + model);

    // Each surge threshold pair and invite threshold once, the configured ones marked (SignalAccuracy checks that its
    // surges there are those build360 fired); what is found is planted and fired both; a higher invite threshold
    // never fires more.
    JsonNode signals = s.path("signals");
    assertEquals(SignalAccuracy.Z_SCORES.length * SignalAccuracy.RATIOS.length + SignalAccuracy.MIN_INVITES.length,
        signals.size(), signals.toString());
    Map<String, Integer> configured = new HashMap<>();
    Map<String, Integer> firedBefore = new HashMap<>();
    for (JsonNode p : signals) {
      String signal = p.path("signal").asText();
      configured.merge(signal, p.path("configured").asBoolean() ? 1 : 0, Integer::sum);
      assertTrue(p.path("found").asInt() <= Math.min(p.path("planted").asInt(), p.path("fired").asInt()), p.toString());
      if (signal.equals("invite_spike")) {
        Integer before = firedBefore.put(signal, p.path("fired").asInt());
        assertTrue(before == null || before >= p.path("fired").asInt(), "a higher threshold fires no more: " + signals);
      }
    }
    assertEquals(Map.of("activity_surge", 1, "invite_spike", 1), configured, signals.toString());
    assertTrue(signals.get(0).path("planted").asInt() > 0, "surges were planted: " + signals.get(0));

    JsonNode delivery = s.path("activation");
    assertEquals(50, delivery.path("delivered_rows").asLong(), "only the changed rows are sent: " + delivery);
    assertTrue(delivery.path("rows_per_second").asLong() > 0, delivery.toString());

    String written = Files.readString(page);
    assertTrue(written.startsWith("# Benchmarks\n\nWritten by hand.") && written.endsWith("Also by hand.\n"), written);
    assertFalse(written.contains("an older table"), written);
    assertTrue(written.contains("| 120 | 75 |"), "the chain's row of the scale: " + written);
    assertTrue(written.contains("| 120 | 50 | 50 |"), "50 rows changed, 50 delivered: " + written);
    assertTrue(written.contains("| 120 | activity_surge | **surge-min-ratio 2, surge-min-z-score 3** |"),
        "the configured surge thresholds in bold: " + written);
    Path again = dir.resolve("again.md");
    assertEquals(0, new CommandLine(new Bench()).execute("--report-only", "--json", json.toString(),
        "--markdown", again.toString()));
    assertTrue(Files.readString(again).contains("| 120 | 50 | 50 |"), "the same tables from the results file alone");

    // The equality check can fail: one changed aggregate in build360's output is found.
    Lake lake = new Lake(SparkSessions.create(Settings.defaults()), dir.resolve("work/w120/lake-1").toString());
    String active = lake.read(Account360.TABLE).where("events_7d > 0").selectExpr("min(account_id)").first().getString(0);
    lake.spark().sql("UPDATE delta.`" + lake.path(Account360.TABLE) + "` SET events_7d = events_7d + 1 WHERE account_id = '"
        + active + "'");
    DuckDbComparison.Result changed = DuckDbComparison.run(lake, LocalDate.parse("2026-10-31"), 1);
    assertEquals(1, changed.mismatchedRows(), changed.mismatchExamples().toString());
  }
}
