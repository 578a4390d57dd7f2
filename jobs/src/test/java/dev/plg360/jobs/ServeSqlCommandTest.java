package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.io.Lake;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.tables.GoldTables.Snapshot;
import dev.plg360.common.tables.GoldTables.User360;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.Tables.IdentityLinks;
import dev.plg360.common.tables.Tables.People;
import dev.plg360.common.tables.Tables.Quarantine;
import dev.plg360.jobs.serve.ServeLogin;
import dev.plg360.testkit.SparkTestBase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plg360 serve-sql} as a BI tool meets it: the server in its own JVM (a Hive-metastore session cannot share
 * the tests' one SparkSession), queried through the Hive JDBC driver that Tableau, Superset and DBeaver use.
 */
// Among the longest classes: at the end of the order, which one test thread takes first (jobs/pom.xml).
@Order(Order.DEFAULT + 1)
class ServeSqlCommandTest extends SparkTestBase {

  /** Set for the test JVM by the build (surefire's environmentVariables), and passed on to the server's JVM. */
  static final String SECRET = System.getenv(PersonalData.SECRET_ENV);

  @TempDir
  static Path dir;

  @Test
  void servesTheLakeOverJdbcWithPersonalDataMaskedAndKeepsTheNamesAcrossRuns() throws Exception {
    writeLake();
    int port = freePort();
    String url = "jdbc:hive2://127.0.0.1:" + port + "/default";

    try (Server server = Server.start(port, true, null)) {
      assertTrue(server.out.contains("0 names from earlier runs") && server.out.contains("Personal data is masked"), server.out);
      try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
        assertEquals(List.of(List.of("1")), rows(st, "SELECT count(*) FROM gold.account_scores"));
        assertEquals(List.of(
                List.of(PersonalData.mask("ada@acme.com", SECRET), PersonalData.mask("ada@acme.com", SECRET),
                    PersonalData.mask("Ada Lovelace", SECRET), "acme.com"),
                Arrays.asList(PersonalData.mask("user:u9", SECRET), null, null, "acme.com")),
            rows(st, "SELECT person_id, email, name, account_id FROM gold.user_360 ORDER BY email IS NULL"),
            "personal columns are keyed hashes of the values; the others as they are; null stays null");
        assertEquals(List.of(List.of("Ada's lead")), rows(st,
                "SELECT l.lead_id FROM gold.user_360 u JOIN gold.lead_scores l ON u.email = l.email"),
            "the same email hashes alike in two tables, so a join on it still works");
        assertTrue(rows(st, "DESCRIBE gold.user_360").contains(List.of("email", "string", User360.EMAIL.comment())),
            "BI tools see the catalog's comments");
        List<List<String>> silver = rows(st, "SHOW TABLES IN silver");
        assertTrue(silver.toString().contains("people") && !silver.toString().contains("identity_links"),
            "silver.identity_links mixes people with workspaces in one id column: not shown when masking\n" + silver);
        assertFalse(rows(st, "SHOW DATABASES").toString().contains("bronze"), "bronze is not among the layers served");
        assertRefused(st, "SELECT from_id FROM silver.identity_links", "TABLE_OR_VIEW_NOT_FOUND");
        assertBiUserCannotGoAround(st);
      }
    }

    String password = "correct horse battery staple";
    try (Server server = Server.start(port, false, password)) {
      assertTrue(server.out.matches("(?s).*Serving \\d+ tables.*\\(metastore: .*_metastore, [1-9]\\d* names from earlier runs\\).*"),
          "the names the first run registered are still in the metastore:\n" + server.out);
      for (String[] login : new String[][] {{"", ""}, {"plg360", "wrong"}, {"someone", password}}) {
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url, login[0], login[1]).close(),
            "with " + ServeLogin.PASSWORD_ENV + " set, a wrong login is refused: " + login[0]);
      }
      try (Connection c = DriverManager.getConnection(url, "plg360", password); Statement st = c.createStatement()) {
        assertEquals(List.of(List.of("ada@acme.com", "Ada Lovelace")),
            rows(st, "SELECT email, name FROM gold.user_360 WHERE email IS NOT NULL"), "masking off: the values themselves");
        assertTrue(rows(st, "SHOW TABLES IN silver").toString().contains("identity_links"));
        assertBiUserCannotGoAround(st);
      }
    }
  }

  /** What BI.md says a BI user cannot do, each refused by the server with its reason, masking on or off. */
  private static void assertBiUserCannotGoAround(Statement st) throws SQLException {
    String lake = dir.resolve("lake").toUri().toString();
    assertRefused(st, "SELECT email FROM delta.`" + lake + "silver/people`", "only tables of the catalog");
    assertRefused(st, "SELECT count(*) FROM parquet.`" + lake + "gold/account_scores`", "only tables of the catalog");
    assertRefused(st, "SELECT java_method('java.lang.System', 'getenv', '" + PersonalData.SECRET_ENV + "')",
        "java_method and reflect");
    assertRefused(st, "SELECT reflect('" + PersonalData.class.getName() + "', 'mask', 'ada@acme.com')",
        "java_method and reflect");
    assertRefused(st, "SELECT '${spark.executorEnv." + PersonalData.SECRET_ENV + "}'", "variable substitution");
    assertRefused(st, "DELETE FROM gold.account_scores", "read-only");
    assertRefused(st, "DELETE FROM delta.`" + lake + "gold/account_scores`", "read-only");
    assertRefused(st, "CREATE TABLE default.mine USING delta LOCATION '" + lake + "silver/people'", "read-only");
    assertRefused(st, "SET spark.sql.variable.substitute=true", "read-only");
    assertRefused(st, "SELECT TRANSFORM(account_id) USING 'cat' FROM gold.account_scores", "TRANSFORM");
    assertEquals(List.of(List.of("1")), rows(st, "SELECT count(*) FROM gold.account_scores"), "nothing was deleted");
  }

  private static void assertRefused(Statement st, String sql, String because) {
    SQLException e = assertThrows(SQLException.class, () -> rows(st, sql), sql);
    assertTrue(e.getMessage().contains(because), sql + " -> " + e.getMessage());
  }

  private void writeLake() {
    Lake lake = new Lake(spark(), dir.resolve("lake").toString());
    Date day = Date.valueOf("2026-10-31");
    lake.overwrite(frame(User360.TABLE.schema())
        .row(Snapshot.AS_OF, day, User360.PERSON_ID, "ada@acme.com", User360.EMAIL, "ada@acme.com", User360.NAME,
            "Ada Lovelace", User360.ACCOUNT_ID, "acme.com")
        .row(Snapshot.AS_OF, day, User360.PERSON_ID, "user:u9", User360.ACCOUNT_ID, "acme.com")
        .build(), User360.TABLE);
    lake.overwrite(frame(LeadScores.TABLE.schema())
        .row(Snapshot.AS_OF, day, LeadScores.LEAD_ID, "Ada's lead", LeadScores.EMAIL, "ada@acme.com")
        .build(), LeadScores.TABLE);
    lake.overwrite(frame(AccountScores.TABLE.schema())
        .row(Snapshot.AS_OF, day, AccountScores.ACCOUNT_ID, "acme.com")
        .build(), AccountScores.TABLE);
    lake.overwrite(frame(People.TABLE.schema())
        .row(People.PERSON_ID, "ada@acme.com", People.EMAIL, "Ada@Acme.com")
        .build(), People.TABLE);
    lake.overwrite(frame(IdentityLinks.TABLE.schema())
        .row(IdentityLinks.FROM_TYPE, "person", IdentityLinks.FROM_ID, "ada@acme.com", IdentityLinks.TO_TYPE, "account",
            IdentityLinks.TO_ID, "acme.com")
        .build(), IdentityLinks.TABLE);
    lake.overwrite(frame(Quarantine.TABLE.schema())
        .row(Quarantine.SOURCE, "zendesk", Quarantine.RAW, "{\"requester\":{\"email\":\"ada@acme.com\"")
        .build(), Quarantine.TABLE);
  }

  private static List<List<String>> rows(Statement st, String sql) throws SQLException {
    List<List<String>> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          String value = rs.getString(i);
          row.add(value == null ? null : value.trim());
        }
        out.add(row);
      }
    }
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** {@code plg360 serve-sql} in its own JVM, up once it has printed how to stop it; closing it is Ctrl-C. */
  private static final class Server implements AutoCloseable {
    final Process process;
    final String out;

    private Server(Process process, String out) {
      this.process = process;
      this.out = out;
    }

    static Server start(int port, boolean mask, String password) throws Exception {
      ProcessBuilder pb = new ProcessBuilder(CliProcess.command("serve-sql",
          "-D", "plg360.lake.root=" + dir.resolve("lake"), "-D", "plg360.serve-sql.port=" + port,
          "-D", "plg360.privacy.mask-personal-data=" + mask));
      pb.environment().put(PersonalData.SECRET_ENV, SECRET);
      if (password != null) {
        pb.environment().put(ServeLogin.PASSWORD_ENV, password);
      }
      Path log = Files.createTempFile(dir, "serve-sql", ".log");
      pb.redirectError(log.toFile());
      Process p = pb.start();
      StringBuilder out = new StringBuilder();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          out.append(line).append('\n');
          if (line.startsWith("Ctrl-C stops it")) {
            return new Server(p, out.toString());
          }
        }
      }
      p.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("serve-sql stopped before serving (exit " + p.exitValue() + "):\n" + out
          + Files.readString(log));
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "serve-sql stops on SIGTERM");
    }
  }
}
