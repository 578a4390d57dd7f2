package dev.plg360.common.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.functions;

/**
 * A conversion feature, defined in configuration: its name, how the model treats it, and the Spark SQL aggregate
 * that computes it from an entity's observation-window rows (see {@link TrainingSet#WINDOW_COLUMNS}). A feature
 * of a table trained on directly ({@code plg360 train --table}) has no SQL: it is the column of that name.
 */
public record FeatureDef(String name, Kind kind, String sql) implements Serializable {

  /** How the pipeline prepares a feature before scaling. */
  public enum Kind {
    /** A heavy-tailed count: imputed, then log1p. */
    COUNT,
    /** A measure used as it is: imputed. */
    NUMERIC,
    /** 0 or 1: imputed. */
    BINARY,
    /** Text: one indicator per value seen in training; a missing value is its own value. */
    CATEGORICAL
  }

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  public boolean isCategorical() {
    return kind == Kind.CATEGORICAL;
  }

  /**
   * The features under a config block, in name order: each {@code name { kind = count, sql = "..." }}, or
   * {@code name = "sql"} for a numeric one. {@code where} names the block in errors. With {@code sqlRequired}
   * false a feature may leave out its SQL (a column of a table).
   */
  public static List<FeatureDef> parse(Config block, String where, boolean sqlRequired) {
    List<FeatureDef> out = new ArrayList<>();
    for (String name : new TreeSet<>(Settings.named(block))) {
      String key = where + "." + name;
      if (!NAME.matcher(name).matches()) {
        throw new SettingsException(key + ": a feature name is lower-case letters, digits and _, starting with a letter");
      }
      String quoted = "\"" + name + "\"";
      try {
        FeatureDef f;
        if (block.getValue(quoted).valueType() == ConfigValueType.STRING) {
          f = new FeatureDef(name, Kind.NUMERIC, block.getString(quoted));
        } else {
          Config c = block.getConfig(quoted);
          f = new FeatureDef(name, kind(c.hasPath("kind") ? c.getString("kind") : "numeric", key),
              c.hasPath("sql") ? c.getString("sql") : null);
        }
        out.add(f.checked(key, sqlRequired));
      } catch (ConfigException e) {
        throw new SettingsException("bad setting " + key + ": " + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new SettingsException(where + " defines no feature");
    }
    return out;
  }

  /** A feature named on the command line: {@code name} or {@code name:kind}. */
  public static FeatureDef ofColumn(String spec) {
    String[] parts = spec.split(":", 2);
    FeatureDef f = new FeatureDef(parts[0].trim(), parts.length == 2 ? kind(parts[1].trim(), "--features " + spec)
        : Kind.NUMERIC, null);
    return f.checked("--features " + spec, false);
  }

  private static Kind kind(String text, String key) {
    try {
      return Kind.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(key + ": kind must be count, numeric, binary or categorical, was '" + text + "'");
    }
  }

  /** Checks the SQL parses (not yet that it resolves: that needs the window's columns, see TrainingSet). */
  private FeatureDef checked(String key, boolean sqlRequired) {
    if (sql == null || sql.isBlank()) {
      if (sqlRequired) {
        throw new SettingsException(key + ".sql is missing: a feature is a SQL aggregate over the observation window");
      }
      return new FeatureDef(name, kind, null);
    }
    try {
      functions.expr(sql);
    } catch (Exception e) { // Spark's ParseException, a checked exception Scala does not declare
      if (!(e instanceof ParseException)) {
        throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
      }
      throw new SettingsException(key + ".sql does not parse: " + firstLine(e.getMessage()) + " in: " + sql, e);
    }
    return this;
  }

  public static String firstLine(String message) {
    String m = message == null ? "" : message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
