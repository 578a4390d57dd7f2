package dev.plg360.jobs.score;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.model.FeatureDef;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;

/**
 * A scoring rule from configuration: a name, a Spark SQL condition over the frame it is applied to, and what it
 * means when it matches (the attributes of its config object: points and reason, a segment and playbook, a status).
 * {@code key} is where it was configured, for errors.
 */
public record Rule(String key, String name, String when, Map<String, String> then) implements Serializable {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  /**
   * The rules of a list of config objects at {@code path}, each with a name, a condition ({@code when}), the
   * {@code required} attributes and any of the {@code optional} ones; anything else is an error naming the rule.
   */
  static List<Rule> list(Config c, String path, List<String> required, List<String> optional) {
    List<Rule> out = new ArrayList<>();
    List<? extends Config> items;
    try {
      items = c.getConfigList(path);
    } catch (ConfigException e) {
      throw new SettingsException("bad setting " + path + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < items.size(); i++) {
      Config item = items.get(i);
      String key = path + "[" + i + "]";
      try {
        String name = item.getString("name");
        if (!NAME.matcher(name).matches()) {
          throw new SettingsException(key + ".name must be lower-case letters, digits, - and _, was '" + name + "'");
        }
        Map<String, String> then = new java.util.LinkedHashMap<>();
        for (String a : required) {
          then.put(a, item.getString(a));
        }
        for (String a : optional) {
          if (item.hasPath(a)) {
            then.put(a, item.getString(a));
          }
        }
        for (String a : item.root().keySet()) {
          if (!a.equals("name") && !a.equals("when") && !required.contains(a) && !optional.contains(a)) {
            throw new SettingsException(key + " (" + name + ") has an unknown attribute '" + a + "'; it takes name, when, "
                + String.join(", ", required) + (optional.isEmpty() ? "" : ", " + String.join(", ", optional)));
          }
        }
        out.add(new Rule(key, name, item.getString("when"), Map.copyOf(then)).parsed());
      } catch (ConfigException e) {
        throw new SettingsException("bad setting " + key + ": " + e.getMessage(), e);
      }
    }
    if (out.stream().map(Rule::name).distinct().count() != out.size()) {
      throw new SettingsException(path + " names a rule twice");
    }
    return List.copyOf(out);
  }

  /** A single condition configured at {@code key} (not in a list), checked to parse. */
  static Rule condition(String key, String name, String sql) {
    return new Rule(key, name, sql, Map.of()).parsed();
  }

  public String get(String attribute) {
    return then.get(attribute);
  }

  /** The setting that holds the condition: {@code <list>[i].when} for a rule of a list, else the key itself. */
  String conditionKey() {
    return key.endsWith("]") ? key + ".when" : key;
  }

  public Column condition() {
    return expr(when);
  }

  /** Fails, naming the rule, if its condition does not parse. */
  private Rule parsed() {
    try {
      condition();
    } catch (Exception e) { // Spark's ParseException, a checked exception Scala does not declare
      throw new SettingsException(conditionKey() + " does not parse (" + FeatureDef.firstLine(e.getMessage()) + "): " + when, e);
    }
    return this;
  }

  /**
   * Fails, naming the rule, if its condition does not resolve against the frame's columns or is not true or
   * false. Spark's analysis only, on the frame's schema.
   */
  static void check(List<Rule> rules, Dataset<Row> frame) {
    Dataset<Row> empty = frame.sparkSession().createDataFrame(List.of(), frame.schema());
    for (Rule r : rules) {
      DataType type;
      try {
        type = empty.select(r.condition().as("c")).schema().apply("c").dataType();
      } catch (Exception e) {
        throw new SettingsException(r.conditionKey() + " (" + r.name + ") cannot be evaluated: " + FeatureDef.firstLine(e.getMessage())
            + "; the columns are " + String.join(", ", frame.columns()), e);
      }
      if (!(type instanceof BooleanType)) {
        throw new SettingsException(r.conditionKey() + " (" + r.name + ") gives " + type.simpleString() + ", not true or false: " + r.when);
      }
    }
  }

  /** The index of the first rule whose condition holds (0-based), null when none does: a CASE over the rules. */
  static Column firstMatch(List<Rule> rules) {
    Column out = null;
    for (int i = 0; i < rules.size(); i++) {
      Column c = rules.get(i).condition();
      out = out == null ? functions.when(c, lit(i)) : out.when(c, lit(i));
    }
    return out == null ? lit(null).cast("int") : out;
  }

  /** An attribute of the rule at a 0-based index (a column, as {@link #firstMatch} gives); null for a null index. */
  static Column pick(List<Rule> rules, Column index, java.util.function.Function<Rule, String> attribute) {
    Column[] values = rules.stream().map(r -> lit(attribute.apply(r))).toArray(Column[]::new);
    return element_at(array(values), index.plus(1)).cast("string");
  }
}
