package dev.plg360.jobs.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.ProductEvents;
import dev.plg360.testkit.SparkTestBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's first command, on a small company: generate, then every job of the chain, then the summary. */
class DemoCommandTest extends SparkTestBase {

  @TempDir
  Path dir;

  private String demo(String... extra) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new DemoCommand());
    cli.setOut(new PrintWriter(out));
    String[] args = new String[extra.length + 6];
    System.arraycopy(new String[] {"--dir", dir.resolve("demo").toString(), "--workspaces", "60", "-D",
        "plg360.generate.days=45"}, 0, args, 0, 6);
    System.arraycopy(extra, 0, args, 6, extra.length);
    assertEquals(0, cli.execute(args), out.toString());
    return out.toString();
  }

  @Test
  void generatesRunsTheChainAndShowsTheResultThenReRunsWithoutChange() {
    String first = demo();
    assertTrue(first.contains("Generating a company of 60 workspaces"), first);
    for (String shown : new String[] {"ingest", "resolve", "bronze.product_events", "silver.accounts", "Quarantine", "MALFORMED_JSON",
        "people linked by EMAIL_DOMAIN"}) {
      assertTrue(first.contains(shown), "the summary shows " + shown + ":\n" + first);
    }
    Lake lake = new Lake(spark(), dir.resolve("demo/lake").toString());
    long events = lake.read(ProductEvents.TABLE).count();
    long people = lake.read(People.TABLE).count();
    assertTrue(events > 1000 && people > 60, events + " events, " + people + " people");

    String second = demo();
    assertTrue(second.contains("Using the company generated before"), second);
    assertEquals(events, lake.read(ProductEvents.TABLE).count(), "a second demo adds nothing");
    assertEquals(people, lake.read(People.TABLE).count());
    assertEquals(4, lake.read(JobRuns.TABLE).where(JobRuns.STATUS.col().equalTo("SUCCEEDED")).count(),
        "two runs of two jobs, each logged");
  }
}
