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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.plg360.jobs.resolve.Domains;
import dev.plg360.jobs.resolve.ResolveTransforms;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import static org.apache.spark.sql.functions.explode;
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

    assertIdentityMatchesTheTruth(lake);

    String second = demo();
    assertTrue(second.contains("Using the company generated before"), second);
    assertEquals(events, lake.read(ProductEvents.TABLE).count(), "a second demo adds nothing");
    assertEquals(people, lake.read(People.TABLE).count());
    assertEquals(4, lake.read(JobRuns.TABLE).where(JobRuns.STATUS.col().equalTo("SUCCEEDED")).count(),
        "two runs of two jobs, each logged");
  }

  /**
   * Every product user's account against the company the generator planted. A free-mail user alone in a workspace
   * has no evidence of a company, so the bar (98%) is for users whose workspace has a business-domain member.
   */
  private void assertIdentityMatchesTheTruth(Lake lake) {
    Dataset<Row> truth = spark().read().option("header", "true").csv(dir.resolve("demo/truth/users").toString());
    Map<String, String> company = new HashMap<>();
    Map<String, Set<String>> businessDomainsOfWorkspace = new HashMap<>();
    Map<String, String[]> workspacesOfUser = new HashMap<>();
    for (Row r : truth.collectAsList()) {
      String user = r.getAs("user_id");
      company.put(user, r.getAs("is_personal").equals("true") ? "personal" : r.getAs("company_domain"));
      String[] ws = ((String) r.getAs("workspace_ids")).split(";");
      workspacesOfUser.put(user, ws);
      String email = r.getAs("email");
      String domain = email == null || !email.contains("@") ? null : Domains.registrable(email.substring(email.indexOf('@') + 1));
      if (domain != null && !Domains.isFreeMail(domain)) {
        for (String w : ws) {
          businessDomainsOfWorkspace.computeIfAbsent(w, k -> new HashSet<>()).add(domain);
        }
      }
    }
    int withEvidence = 0;
    int rightWithEvidence = 0;
    int right = 0;
    List<Row> resolved = lake.read(People.TABLE)
        .select(explode(People.USER_IDS.col()).as("user_id"), People.ACCOUNT_ID.col()).collectAsList();
    for (Row r : resolved) {
      String user = r.getString(0);
      String got = r.isNullAt(1) || r.getString(1).startsWith(ResolveTransforms.PERSONAL_PREFIX) ? "personal" : r.getString(1);
      boolean ok = got.equals(company.get(user));
      right += ok ? 1 : 0;
      if (java.util.Arrays.stream(workspacesOfUser.get(user)).anyMatch(businessDomainsOfWorkspace::containsKey)) {
        withEvidence++;
        rightWithEvidence += ok ? 1 : 0;
      }
    }
    assertEquals(company.size(), resolved.size(), "every product user is a person");
    assertTrue(withEvidence > 0);
    assertTrue(rightWithEvidence >= 0.98 * withEvidence,
        rightWithEvidence + " of " + withEvidence + " users with a business-domain colleague resolved to their company; "
            + right + " of " + resolved.size() + " overall");
  }
}
