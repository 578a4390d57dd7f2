package dev.plg360.common.source;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.quality.Reason;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.types.DataTypes;

/**
 * One landing source as configured under {@code plg360.ingest.sources.<name>}: where its files are, how they
 * are written, which bronze table they land in and how each raw field maps to a bronze column. Validated when
 * read, so a mapping that names an unknown column or an expectation that does not parse fails at start.
 */
public record SourceSpec(
    String name,
    Format format,
    String dir,
    String filePattern,
    TableDef table,
    List<Col> key,
    List<Col> required,
    Map<Col, FieldPath> fields,
    Map<Col, String> timestampFormats,
    Map<String, Expectation> expectations,
    Map<Col, String> derived,
    Optional<Col> versionFromFile,
    Map<String, Lookup> lookups) {

  public enum Format { JSON_LINES, CSV }

  /**
   * Values a record takes from another landed table, found by one of its fields ({@code lookups.<name>}): the newest
   * row of {@code table} whose {@code key} (SQL over that table) equals the record's {@code value} (a field path), and
   * from that row each {@code take} column's SQL. A company's own exports are joined this way: feature usage keyed by
   * a subscription takes the subscription's account.
   */
  public record Lookup(String name, TableDef table, String key, FieldPath value, Map<Col, String> take) {
    /** How a column this lookup fills is found, for a record whose value is missing. */
    public String describe(Col c) {
      return "lookups." + name + ": the newest " + table + " row whose " + key + " is the record's " + value.text()
          + ", its " + take.get(c);
    }
  }

  /** The lookup that fills the column, if one does. */
  public Optional<Lookup> lookupOf(Col c) {
    return lookups.values().stream().filter(l -> l.take().containsKey(c)).findFirst();
  }

  /** Where a mapped column's value comes from, as configured: its field path, or the lookup that fills it. */
  public String describeSource(Col c) {
    return fields.containsKey(c) ? fields.get(c).text() : lookupOf(c).map(l -> l.describe(c)).orElse("derived");
  }

  /** A named SQL predicate every accepted record satisfies, and the reason a record that breaks it gets. */
  public record Expectation(String name, String sql, Reason reason) {}

  private static final String SOURCES = "plg360.ingest.sources";

  /** Every configured source, in configuration order. */
  public static List<SourceSpec> all(Settings settings) {
    Config sources = settings.config().getConfig(SOURCES);
    List<SourceSpec> out = new ArrayList<>();
    for (String name : Settings.named(sources)) {
      out.add(read(name, sources.getConfig(quoteKey(name))));
    }
    return out;
  }

  private static String quoteKey(String name) {
    return name.matches("[A-Za-z0-9_-]+") ? name : "\"" + name + "\"";
  }

  static SourceSpec read(String name, Config c) {
    String where = SOURCES + "." + name;
    try {
      TableDef table = Tables.byName(c.getString("table"))
          .orElseThrow(() -> new SettingsException(where + ".table: no table " + c.getString("table") + " in the catalog"));
      Format format = switch (c.getString("format")) {
        case "json-lines" -> Format.JSON_LINES;
        case "csv" -> Format.CSV;
        default -> throw new SettingsException(where + ".format must be json-lines or csv, was " + c.getString("format"));
      };
      Map<Col, FieldPath> fields = new LinkedHashMap<>();
      Config f = c.getConfig("fields");
      for (String column : Settings.named(f)) {
        fields.put(column(table, column, where + ".fields"), FieldPath.parse(f.getString(column), where + ".fields." + column));
      }
      Map<Col, String> timestamps = new LinkedHashMap<>();
      Config ts = c.hasPath("timestamps") ? c.getConfig("timestamps") : ConfigFactory.empty();
      for (String column : Settings.named(ts)) {
        Col col = column(table, column, where + ".timestamps");
        String fmt = ts.getString(column);
        checkTimestampFormat(fmt, where + ".timestamps." + column);
        timestamps.put(col, fmt);
      }
      Map<String, Expectation> expectations = new LinkedHashMap<>();
      Config ex = c.hasPath("expectations") ? c.getConfig("expectations") : ConfigFactory.empty();
      for (String rule : Settings.named(ex)) {
        expectations.put(rule, expectation(ex, rule, where + ".expectations." + rule));
      }
      Map<Col, String> derived = new LinkedHashMap<>();
      if (c.hasPath("derived")) {
        Config d = c.getConfig("derived");
        for (String column : Settings.named(d)) {
          String sql = d.getString(column);
          checkSql(sql, where + ".derived." + column);
          derived.put(column(table, column, where + ".derived"), sql);
        }
      }
      // A snapshot export (a CRM report of current values) has no version column: its file's time is each record's.
      Optional<Col> versionFromFile = c.hasPath("version-from-file")
          ? Optional.of(column(table, c.getString("version-from-file"), where + ".version-from-file")) : Optional.empty();
      if (versionFromFile.isPresent()) {
        Col v = versionFromFile.get();
        if (!v.type().equals(DataTypes.TimestampType) || !table.key().contains(v)) {
          throw new SettingsException(where + ".version-from-file names " + v + ", which is not a timestamp column of "
              + table + "'s key " + table.key());
        }
        if (fields.containsKey(v) || derived.containsKey(v)) {
          throw new SettingsException(where + ".version-from-file names " + v + ", which fields or derived map too:"
              + " take it from one place");
        }
      }
      Map<String, Lookup> lookups = new LinkedHashMap<>();
      Config lk = c.hasPath("lookups") ? c.getConfig("lookups") : ConfigFactory.empty();
      for (String lookupName : Settings.named(lk)) {
        String at = where + ".lookups." + lookupName;
        Lookup l = lookup(lookupName, lk.getConfig(quoteKey(lookupName)), table, at);
        for (Col taken : l.take().keySet()) {
          if (fields.containsKey(taken) || derived.containsKey(taken) || lookups.values().stream()
              .anyMatch(other -> other.take().containsKey(taken))) {
            throw new SettingsException(at + ".take." + taken.name()
                + ": fields, derived or another lookup fill it too: take it from one place");
          }
        }
        lookups.put(lookupName, l);
      }
      List<Col> key = columns(table, c.getStringList("key"), where + ".key");
      if (!key.equals(table.key())) {
        throw new SettingsException(where + ".key " + key + " differs from " + table + "'s key " + table.key());
      }
      List<Col> required = columns(table, c.getStringList("required"), where + ".required");
      for (Col k : key) {
        if (!required.contains(k) && !versionFromFile.equals(Optional.of(k))) {
          throw new SettingsException(where + ".required must include the key column " + k);
        }
      }
      for (Col r : required) {
        boolean looked = lookups.values().stream().anyMatch(l -> l.take().containsKey(r));
        if (!fields.containsKey(r) && !looked && !derived.containsKey(r) && !versionFromFile.equals(Optional.of(r))) {
          throw new SettingsException(where + ".required names " + r
              + ", which has no entry in fields, derived or lookups");
        }
      }
      for (Map.Entry<Col, FieldPath> e : fields.entrySet()) {
        boolean isTimestamp = e.getKey().type().equals(DataTypes.TimestampType);
        if (isTimestamp != timestamps.containsKey(e.getKey())) {
          throw new SettingsException(where + ".timestamps must name exactly the timestamp columns; check " + e.getKey());
        }
        if (format == Format.CSV && e.getValue().isNested()) {
          throw new SettingsException(where + ".fields." + e.getKey() + ": a CSV column has no nested path");
        }
      }
      String pattern = c.hasPath("file-pattern") ? c.getString("file-pattern") : "*";
      return new SourceSpec(name, format, c.getString("dir"), pattern, table, key, required, fields, timestamps,
          expectations, derived, versionFromFile, lookups);
    } catch (ConfigException e) {
      throw new SettingsException("bad source " + where + ": " + e.getMessage(), e);
    }
  }

  private static Lookup lookup(String name, Config c, TableDef into, String where) {
    TableDef table = Tables.byName(c.getString("table"))
        .orElseThrow(() -> new SettingsException(where + ".table: no table " + c.getString("table") + " in the catalog"));
    if (table.equals(into)) {
      throw new SettingsException(where + ".table: a source looks up another table than its own, not " + table);
    }
    String key = c.getString("key");
    checkSql(key, where + ".key");
    FieldPath value = FieldPath.parse(c.getString("value"), where + ".value");
    Map<Col, String> take = new LinkedHashMap<>();
    Config t = c.getConfig("take");
    for (String column : Settings.named(t)) {
      String sql = t.getString(column);
      checkSql(sql, where + ".take." + column);
      Col col = column(into, column, where + ".take");
      if (col.type().equals(DataTypes.TimestampType)) {
        throw new SettingsException(where + ".take." + column + ": a timestamp is taken from a field, not a lookup");
      }
      take.put(col, sql);
    }
    if (take.isEmpty()) {
      throw new SettingsException(where + ".take names no column to fill");
    }
    return new Lookup(name, table, key, value, take);
  }

  /** Either {@code name = "sql"} (reason VALUE_OUT_OF_RANGE) or {@code name { rule = "sql", reason = CODE }}. */
  private static Expectation expectation(Config ex, String rule, String where) {
    String sql;
    Reason reason = Reason.VALUE_OUT_OF_RANGE;
    if (ex.getValue(rule).valueType() == ConfigValueType.OBJECT) {
      Config o = ex.getConfig(rule);
      sql = o.getString("rule");
      try {
        reason = Reason.valueOf(o.getString("reason"));
      } catch (IllegalArgumentException e) {
        throw new SettingsException(where + ".reason: " + o.getString("reason") + " is not one of "
            + java.util.Arrays.toString(Reason.values()));
      }
    } else {
      sql = ex.getString(rule);
    }
    checkSql(sql, where);
    return new Expectation(rule, sql, reason);
  }

  private static Col column(TableDef table, String name, String where) {
    return table.column(name).orElseThrow(() -> new SettingsException(
        where + " names " + name + ", which is not a column of " + table + " (" + String.join(", ", table.columnNames()) + ")"));
  }

  private static List<Col> columns(TableDef table, List<String> names, String where) {
    return names.stream().map(n -> column(table, n, where)).toList();
  }

  private static void checkSql(String sql, String where) {
    try {
      CatalystSqlParser$.MODULE$.parseExpression(sql);
    } catch (Exception e) { // ParseException, which Scala throws undeclared
      throw new SettingsException(where + " is not a SQL expression: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  private static void checkTimestampFormat(String fmt, String where) {
    if (List.of("iso", "iso-local-as-utc", "epoch-seconds", "epoch-millis").contains(fmt)) {
      return;
    }
    try {
      DateTimeFormatter.ofPattern(fmt);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(where + ": '" + fmt + "' is neither iso, iso-local-as-utc, epoch-seconds, epoch-millis nor a date-time pattern");
    }
  }

  /** The file name glob as a regular expression. */
  public Pattern fileRegex() {
    StringBuilder sb = new StringBuilder();
    for (char ch : filePattern.toCharArray()) {
      switch (ch) {
        case '*' -> sb.append(".*");
        case '?' -> sb.append('.');
        default -> sb.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(sb.toString());
  }
}
