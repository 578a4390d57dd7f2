package dev.plg360.jobs.serve;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.tables.Tables;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Everything {@code plg360 serve-sql} reads from {@code plg360.serve-sql}, checked at start.
 *
 * @param metastoreDir the embedded Derby metastore's folder; empty when an external metastore is used
 * @param metastoreUris an external Hive metastore (thrift://host:9083), or empty for the embedded one
 * @param user the login's user name, when a password is set ({@link ServeLogin}); empty: no login
 */
public record ServeSettings(String host, int port, Set<String> layers, Optional<Path> metastoreDir,
                            Optional<String> metastoreUris, Optional<String> user) {

  private static final String S = "plg360.serve-sql.";

  /** The settings as serve-sql starts with them: a host beyond this machine needs the login's password set. */
  public static ServeSettings from(Settings settings) {
    return from(settings, System.getenv(ServeLogin.PASSWORD_ENV) != null);
  }

  static ServeSettings from(Settings settings, boolean passwordSet) {
    ServeSettings s = read(settings);
    if (passwordSet) {
      return s.withUser(settings.string(S + "user"));
    }
    if (!loopback(s.host())) {
      throw new SettingsException(S + "host is " + s.host() + ", reachable beyond this machine, and "
          + ServeLogin.PASSWORD_ENV + " is not set: set it in the environment (clients then log in as " + S + "user"
          + " with it), or listen on 127.0.0.1");
    }
    return s;
  }

  private ServeSettings withUser(String name) {
    return new ServeSettings(host, port, layers, metastoreDir, metastoreUris, Optional.of(name));
  }

  /** Whether the address is this machine's own (a name is resolved). */
  static boolean loopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      throw new SettingsException(S + "host '" + host + "' is not an address of this machine: " + e.getMessage(), e);
    }
  }

  /** The settings, each checked, whatever the environment (what every command checks at start). */
  public static ServeSettings read(Settings settings) {
    Config c = settings.config();
    try {
      int port = c.getInt(S + "port");
      if (port < 1 || port > 65535) {
        throw new SettingsException(S + "port must be a TCP port (1-65535), was " + port);
      }
      Set<String> layers = new LinkedHashSet<>(c.getStringList(S + "layers"));
      if (layers.isEmpty() || !Tables.layers().containsAll(layers)) {
        throw new SettingsException(S + "layers must name some of " + Tables.layers() + ", was " + layers);
      }
      String uris = c.getString(S + "metastore-uris").trim();
      if (!uris.isEmpty()) {
        return new ServeSettings(settings.string(S + "host"), port, layers, Optional.empty(), Optional.of(uris),
            Optional.empty());
      }
      return new ServeSettings(settings.string(S + "host"), port, layers,
          Optional.of(derbyFolder(settings.lakeRoot(), settings.string(S + "metastore-dir"))), Optional.empty(),
          Optional.empty());
    } catch (ConfigException e) {
      throw new SettingsException("bad setting under plg360.serve-sql: " + e.getMessage(), e);
    }
  }

  /** The embedded metastore's folder: absolute, or under a lake root on this machine's disk. */
  private static Path derbyFolder(String lakeRoot, String dir) {
    Path p = Path.of(dir);
    if (p.isAbsolute()) {
      return p;
    }
    // Parsed as the lake parses its root (a Hadoop path: a plain path, file:, s3a:, ...), once.
    URI root = new org.apache.hadoop.fs.Path(lakeRoot).toUri();
    String scheme = root.getScheme();
    if (scheme != null && !scheme.equals("file")) {
      throw new SettingsException(S + "metastore-dir '" + dir + "' is relative to the lake root " + lakeRoot + ", which is "
          + "not on this machine's disk: give an absolute local folder, or an external metastore in " + S + "metastore-uris");
    }
    return Path.of(root.getPath()).toAbsolutePath().resolve(p).normalize();
  }
}
