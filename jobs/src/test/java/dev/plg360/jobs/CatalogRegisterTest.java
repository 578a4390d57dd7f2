package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plg360 catalog --register} into a real Hive metastore (Spark's own Hive support over an embedded Derby
 * metastore database, as spark-submit's {@code --conf spark.sql.catalogImplementation=hive} gives one), then a
 * second Spark session that knows only the metastore ({@link MetastoreSession}) reads the tables by name. Each in a
 * JVM of its own: the tests' session has Spark's in-memory catalog, and embedded Derby admits one JVM at a time.
 */
class CatalogRegisterTest extends SparkTestBase {

  @TempDir
  Path dir;

  @Test
  void anotherSessionReadsTheRegisteredTablesThroughTheMetastoreAlone() throws Exception {
    startSpark();
    // Two of the story's tables in a lake of this test's own (registration reads a lake, never writes it).
    StoryWorld story = StoryWorld.get(spark());
    Path lakeDir = dir.resolve("lake");
    Lake storyLake = new Lake(spark(), story.lake().toString());
    for (var t : List.of(People.TABLE, AccountScores.TABLE)) {
      StoryWorld.copy(Path.of(storyLake.path(t)), Path.of(new Lake(spark(), lakeDir.toString()).path(t)));
    }
    Path metastore = dir.resolve("metastore");
    Files.createDirectories(metastore);
    List<String> hive = List.of("-D", "plg360.spark.conf.spark.sql.catalogImplementation=hive",
        "-D", "plg360.spark.conf.spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName="
            + metastore.resolve("metastore_db") + ";create=true",
        "-D", "plg360.spark.conf.spark.sql.warehouse.dir=" + metastore.resolve("warehouse"));
    List<String> args = new ArrayList<>(List.of("catalog", "--register", "-D", "plg360.lake.root=" + lakeDir,
        "-D", "plg360.catalog.schemas.gold=plg360_gold"));
    args.addAll(hive);
    String registered = run(CliProcess.command(derbyLog(), args.toArray(String[]::new)));
    assertTrue(registered.contains("registered 2 tables of " + lakeDir + ":\n  silver.people\n  plg360_gold.account_scores\n"),
        registered);

    List<String> reader = new ArrayList<>(List.of(CliJvm.java(), "-Xmx1g"));
    reader.addAll(CliProcess.testJvmOptions());
    reader.addAll(derbyLog());
    reader.addAll(CliJvm.sparkJavaOptions());
    reader.addAll(List.of("-cp", System.getProperty("java.class.path"), MetastoreSession.class.getName(),
        metastore.toString(),
        "SHOW TABLES IN plg360_gold",
        "SELECT account_id, pql_score, segment FROM plg360_gold.account_scores ORDER BY account_id",
        "DESCRIBE TABLE plg360_gold.account_scores",
        "SELECT count(*) AS n FROM silver.people"));
    Map<String, List<JsonNode>> answers = answers(run(reader));

    assertEquals(List.of("account_scores"), answers.get("SHOW TABLES IN plg360_gold").stream()
        .map(r -> r.get("tableName").asText()).toList(), "gold's tables under the configured schema");
    List<String> want = storyLake.read(AccountScores.TABLE).orderBy("account_id")
        .selectExpr("to_json(struct(account_id, pql_score, segment))").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
    List<String> got = answers.get("SELECT account_id, pql_score, segment FROM plg360_gold.account_scores ORDER BY account_id")
        .stream().map(JsonNode::toString).toList();
    assertTrue(want.size() > 50, "the story scores its accounts: " + want.size());
    assertEquals(want, got, "the rows the lake holds, read by name through the metastore");
    String pqlComment = answers.get("DESCRIBE TABLE plg360_gold.account_scores").stream()
        .filter(r -> r.get("col_name").asText().equals("pql_score")).findFirst().orElseThrow().get("comment").asText();
    assertEquals(AccountScores.PQL_SCORE.comment(), pqlComment, "with the catalog's column comments");
    assertEquals(storyLake.read(People.TABLE).count(),
        answers.get("SELECT count(*) AS n FROM silver.people").get(0).get("n").asLong());
  }

  /** Derby writes its log into the working folder unless told otherwise. */
  private List<String> derbyLog() {
    return List.of("-Dderby.stream.error.file=" + dir.resolve("derby.log"));
  }

  private String run(List<String> command) throws Exception {
    Path log = Files.createTempFile(dir, "process", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = CliProcess.startWithin(pb, Duration.ofMinutes(5));
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the process ends");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** Each query's JSON rows, by the query, from what {@link MetastoreSession} printed. */
  private static Map<String, List<JsonNode>> answers(String printed) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<String, List<JsonNode>> out = new java.util.LinkedHashMap<>();
    List<JsonNode> current = null;
    for (String line : printed.split("\n")) {
      if (line.startsWith("-- ")) {
        current = new ArrayList<>();
        out.put(line.substring(3), current);
      } else if (current != null && line.startsWith("{")) {
        current.add(json.readTree(line));
      }
    }
    return out;
  }
}
