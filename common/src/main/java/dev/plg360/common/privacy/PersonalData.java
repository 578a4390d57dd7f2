package dev.plg360.common.privacy;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Masking of personal data for BI tools: with {@value #SETTING} on, every column the catalog marks personal (emails,
 * people's names, ids made of emails) is shown as a keyed hash, HMAC-SHA256 of the value under the secret in
 * {@value #SECRET_ENV}, as 32 hex digits. The same value gives the same hash in every run and every table, so joins
 * and distinct counts still work, and nobody without the secret can recompute it from a guessed email.
 *
 * <p>In SQL the mask is Spark's built-in {@code java_method} calling {@link #mask(String)}: a built-in, so a view
 * stored in a metastore may use it, and the secret is read from the environment of the JVM that evaluates it, never
 * written into a view, a setting or a log.
 */
public final class PersonalData {

  public static final String SETTING = "plg360.privacy.mask-personal-data";
  public static final String SECRET_ENV = "PLG360_MASK_SECRET";
  /** Hex digits kept of the HMAC: 128 bits, no collision in any real table. */
  static final int HEX_DIGITS = 32;
  static final int MIN_SECRET_CHARS = 16;

  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> hmac(secret()));

  private PersonalData() {}

  /**
   * Whether masking is on; when it is, the secret must be set, and a missing or short one fails here, at start,
   * naming the variable.
   */
  public static boolean masking(Settings settings) {
    return masking(settings, System.getenv(SECRET_ENV));
  }

  static boolean masking(Settings settings, String secret) {
    boolean on = settings.config().getBoolean(SETTING);
    if (on) {
      if (secret == null || secret.length() < MIN_SECRET_CHARS) {
        throw new SettingsException(SETTING + " is on but " + SECRET_ENV + " is " + (secret == null ? "not set" : "shorter than "
            + MIN_SECRET_CHARS + " characters") + ": set it in the environment to a random secret of at least "
            + MIN_SECRET_CHARS + " characters, the same in every run so that masked values stay joinable");
      }
    }
    return on;
  }

  /** The masked form of a value (null stays null), under the secret in {@value #SECRET_ENV}. */
  public static String mask(String value) {
    return value == null ? null : hex(MAC.get(), value);
  }

  /** The masked form under a given secret: what {@link #mask(String)} gives when the environment holds it. */
  public static String mask(String value, String secret) {
    return value == null ? null : hex(hmac(secret), value);
  }

  /** SQL for the masked value of a SQL expression of type string; null stays null (java_method alone gives 'null'). */
  public static String maskSql(String expression) {
    return "if(" + expression + " IS NULL, NULL, java_method('" + PersonalData.class.getName() + "', 'mask', " + expression + "))";
  }

  /**
   * The SELECT list that shows the given columns of a table to BI tools: each personal column masked under its own
   * name, the others as they are.
   */
  public static List<Column> shown(TableDef table, List<String> columns, boolean mask) {
    return columns.stream().map(name -> functions.expr(shownSql(table, name, mask))).toList();
  }

  /** The SQL form of {@link #shown}: for a view's definition. */
  public static String shownSql(TableDef table, List<String> columns, boolean mask) {
    return String.join(", ", columns.stream().map(name -> shownSql(table, name, mask)).toList());
  }

  private static String shownSql(TableDef table, String column, boolean mask) {
    java.util.Optional<Col> c = table.column(column).filter(x -> mask && x.personalData());
    if (c.isEmpty()) {
      return quoted(column);
    }
    // A map of fields no mapping names (bronze's extra): every value masked, the field names kept.
    String masked = c.get().type() instanceof org.apache.spark.sql.types.MapType
        ? "transform_values(" + quoted(column) + ", (k, v) -> " + maskSql("v") + ")"
        : maskSql(quoted(column));
    return masked + " AS " + quoted(column);
  }

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String secret() {
    String secret = System.getenv(SECRET_ENV);
    if (secret == null || secret.isEmpty()) {
      throw new IllegalStateException(SECRET_ENV + " is not set in this JVM, so personal data cannot be masked here; "
          + "on a cluster pass it to executors too (spark.executorEnv." + SECRET_ENV + ")");
    }
    return secret;
  }

  private static Mac hmac(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private static String hex(Mac mac, String value) {
    byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest).substring(0, HEX_DIGITS);
  }
}
