package dev.plg360.jobs.activate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything {@code plg360 activate} reads from {@code plg360.activate}, checked at start. The password is not a
 * setting: it comes from the environment ({@value #PASSWORD_ENV}) and is never logged or recorded.
 */
public record ActivateSettings(
    Optional<String> url,
    String user,
    String schema,
    int batchSize,
    int retries,
    Duration retryWait,
    Duration connectTimeout,
    List<TableDef> tables,
    Optional<String> crmDir) {

  public static final String PASSWORD_ENV = "PLG360_JDBC_PASSWORD";
  public static final String URL_KEY = "plg360.activate.jdbc.url";
  private static final String A = "plg360.activate.";
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public static ActivateSettings from(Settings settings) {
    Config c = settings.config();
    try {
      String url = c.getString(URL_KEY).trim();
      if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:")) {
        throw new SettingsException(URL_KEY + " must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db), was "
            + withoutParameters(url));
      }
      String schema = c.getString(A + "jdbc.schema");
      if (!IDENTIFIER.matcher(schema).matches()) {
        throw new SettingsException(A + "jdbc.schema must be a lower-case SQL name (letters, digits, _), was '" + schema + "'");
      }
      int retries = c.getInt(A + "jdbc.retries");
      if (retries < 0) {
        throw new SettingsException(A + "jdbc.retries must be 0 or more, was " + retries);
      }
      String crm = c.getString(A + "crm.dir").trim();
      return new ActivateSettings(url.isEmpty() ? Optional.empty() : Optional.of(url), settings.string(A + "jdbc.user"),
          schema, settings.positiveInt(A + "jdbc.batch-size"), retries, positive(c, A + "jdbc.retry-wait"),
          positive(c, A + "jdbc.connect-timeout"), tables(c.getStringList(A + "tables")),
          crm.isEmpty() ? Optional.empty() : Optional.of(crm));
    } catch (ConfigException e) {
      throw new SettingsException("bad setting under plg360.activate: " + e.getMessage(), e);
    }
  }

  private static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new SettingsException(key + " must be positive, was " + d);
    }
    return d;
  }

  private static List<TableDef> tables(List<String> names) {
    List<TableDef> out = new ArrayList<>();
    for (String n : names) {
      TableDef t = Tables.byName(n).orElseThrow(() -> new SettingsException(
          A + "tables: no table " + n + " in the catalog"));
      if (!t.changeDataFeed() || t.key().isEmpty()) {
        throw new SettingsException(A + "tables: " + n + " has no key or no change data feed, so its changes cannot be sent");
      }
      out.add(t);
    }
    if (out.isEmpty()) {
      throw new SettingsException(A + "tables is empty: nothing to deliver");
    }
    return List.copyOf(out);
  }

  /** The URL, or a failure naming the setting when none is configured. */
  public String requireUrl() {
    return url.orElseThrow(() -> new SettingsException(URL_KEY + " is empty: set it (or PLG360_JDBC_URL) to the "
        + "PostgreSQL server to deliver to, e.g. jdbc:postgresql://db.internal:5432/analytics; the password comes from "
        + PASSWORD_ENV));
  }

  /**
   * What the delivery state is kept under: the URL without its parameters (which may carry credentials) and the
   * schema. Another server or schema is another target, and gets everything.
   */
  public String target() {
    return withoutParameters(requireUrl()) + " schema " + schema;
  }

  static String withoutParameters(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  /**
   * For an embedded server this process started (the demo's), its own password; else the one from the environment;
   * null when neither (a server that trusts the connection needs none).
   */
  static String password(String url) {
    return EmbeddedPostgresServer.passwordFor(url).orElseGet(() -> System.getenv(PASSWORD_ENV));
  }
}
