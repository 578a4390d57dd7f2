package dev.plg360.jobs.activate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server takes no connection without the superuser's password, on the loopback too. */
class EmbeddedPostgresServerTest {

  @TempDir
  Path dir;

  private static Properties login(String password) {
    Properties p = new Properties();
    p.setProperty("user", EmbeddedPostgresServer.USER);
    if (password != null) {
      p.setProperty("password", password);
    }
    return p;
  }

  private static String whoAmI(EmbeddedPostgresServer pg, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), login(password));
         Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void assertRefused(EmbeddedPostgresServer pg, String password, String why) {
    SQLException e = assertThrows(SQLException.class, () -> whoAmI(pg, password), why);
    assertTrue(e.getSQLState().equals("28P01") || e.getMessage().contains("password"), why + ": " + e);
  }

  @Test
  void aGeneratedPasswordIsKeptInTheFolderForThisUserOnly() throws Exception {
    Path data = dir.resolve("generated");
    String kept;
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0, Optional.empty())) {
      Path file = data.resolve(EmbeddedPostgresServer.PASSWORD_FILE);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      kept = Files.readString(file).strip();
      assertEquals(48, kept.length(), "24 random bytes, hex");
      assertRefused(pg, null, "no password");
      assertRefused(pg, "postgres", "a guess");
      assertEquals("postgres", whoAmI(pg, kept));
      assertEquals(kept, pg.connectionProperties().getProperty("password"));
      assertEquals(Optional.of(kept), EmbeddedPostgresServer.passwordFor(pg.jdbcUrl() + "?ssl=false"),
          "activate in this process finds it by the server's URL");
    }
    try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(data, 0, Optional.empty())) {
      assertEquals("postgres", whoAmI(again, kept), "started again, the kept password still opens it");
      assertRefused(again, null, "still no password");
    }
  }

  @Test
  void aFolderMadeWithTheEnvironmentsPasswordKeepsNoCopyAndAWrongOneFailsAtStart() throws Exception {
    Path data = dir.resolve("given");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0, Optional.of("from the environment"))) {
      assertEquals("postgres", whoAmI(pg, "from the environment"));
      assertRefused(pg, null, "no password");
      assertFalse(Files.exists(data.resolve(EmbeddedPostgresServer.PASSWORD_FILE)), "the environment's is not kept");
    }
    UncheckedIOException wrong = assertThrows(UncheckedIOException.class,
        () -> EmbeddedPostgresServer.start(data, 0, Optional.of("another one")).close());
    assertTrue(wrong.getMessage().endsWith(": its superuser's password is neither plg360-superuser-password there nor "
        + "PLG360_JDBC_PASSWORD"), wrong.getMessage());
  }

  @Test
  void aFolderThatTrustedTheLoopbackIsSecuredWhenStarted() throws Exception {
    Path data = dir.resolve("trusting");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0, Optional.of("secret"))) {
      assertEquals("postgres", whoAmI(pg, "secret"));
    }
    // As initdb leaves a folder, and as plg360 left it before it required a password.
    Files.writeString(data.resolve("pg_hba.conf"), "host all all 127.0.0.1/32 trust\nlocal all all trust\n");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0, Optional.empty())) {
      assertRefused(pg, null, "trusted no more");
      assertEquals("postgres", whoAmI(pg, pg.connectionProperties().getProperty("password")));
    }
  }
}
