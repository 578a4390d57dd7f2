package dev.plg360.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The smallest-heap search's figures in the results file and on the page, and --min-heap-only's check of the scales
 * it is given, without running a chain (BenchTest runs the harness itself).
 */
class BenchReportTest {

  @TempDir
  Path dir;

  /** A scale as the results file holds it, with only what these tests read. */
  private static ObjectNode scale(int workspaces, int days, long seed) {
    ObjectNode s = Results.JSON.createObjectNode();
    s.put("workspaces", workspaces);
    s.put("days", days);
    s.put("seed", seed);
    s.put("date", "2026-11-30");
    s.put("commit", "abc1234");
    return s;
  }

  @Test
  void theSmallestHeapIsShownForEachScaleSearched() {
    ObjectNode searched = scale(120, 75, 42);
    Results.minHeap(searched, new Results.MinHeap(1536, 1024));
    ObjectNode noneFailed = scale(1000, 180, 7);
    Results.minHeap(noneFailed, new Results.MinHeap(3072, 0));
    ObjectNode notSearched = scale(2000, 180, 7);

    assertEquals(1536, searched.path("min_heap").path("completed_mib").asLong());
    assertEquals(1024, searched.path("min_heap").path("failed_mib").asLong());
    assertFalse(searched.path("min_heap").path("date").asText().isEmpty(), "the search's own day: " + searched);

    String md = BenchReport.render(List.of(searched, noneFailed, notSearched));
    assertTrue(md.contains("### The smallest driver heap"), md);
    assertTrue(md.contains("| 120 | -Xmx1536m | -Xmx1024m | "), "completed with, failed with: " + md);
    assertTrue(md.contains("| 1,000 | -Xmx3072m | none tried | "), "a search in which nothing failed: " + md);
    assertFalse(md.contains("| 2,000 | -Xmx"), "no row for a scale not searched: " + md);

    assertFalse(BenchReport.render(List.of(notSearched)).contains("smallest driver heap"),
        "no section when no scale was searched");
  }

  @Test
  void minHeapOnlyRefusesAScaleWithoutFiguresBeforeStartingAnything() throws Exception {
    Path json = dir.resolve("benchmarks.json");
    Results results = new Results();
    results.put(120, scale(120, 75, 42));
    results.write(json);
    Path work = dir.resolve("work");

    for (List<String> args : List.of(List.of("--scales", "120,999", "--days", "75", "--seed", "42"),
        List.of("--scales", "120", "--days", "90", "--seed", "42"))) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new Bench());
      cli.setErr(new PrintWriter(err));
      List<String> all = new ArrayList<>(List.of("--min-heap-only", "--json", json.toString(),
          "--markdown", dir.resolve("BENCHMARKS.md").toString(), "--dir", work.toString()));
      all.addAll(args);
      assertEquals(2, cli.execute(all.toArray(String[]::new)), args + ": " + err);
      String expected = args.contains("120,999") ? "no figures for 999 workspaces of 75 days" : "no figures for 120 workspaces of 90 days";
      assertTrue(err.toString().contains(expected), args + ": " + err);
      assertFalse(Files.exists(work), "nothing was started (no work folder, no PostgreSQL, no Spark): " + args);
    }
  }
}
