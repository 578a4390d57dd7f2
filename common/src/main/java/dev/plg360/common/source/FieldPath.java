package dev.plg360.common.source;

import dev.plg360.common.config.SettingsException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a bronze column's value is in a raw record: a top-level field ({@code userId}), a nested one
 * ({@code data.object.plan.id}), an element of an array by its index, from 0 ({@code data.object.items.data[0].price.id},
 * {@code lines[1].amount}), or the value of a name/value list entry ({@code values[name=email].value}); and paths to
 * try in turn, the first that has a value winning ({@code groupId | context.groupId}: {@link #orElse}); or a text in
 * single quotes, the same for every record ({@code 'track'}: a file of one kind of record that does not say its kind),
 * alone or as the last path to try ({@code plan | 'free'}).
 * {@code rest} is the path below the top-level field, as JSONPath takes it after {@code $.} ({@code plan.id},
 * {@code data[0].price.id}) or after {@code $} when it starts with an index ({@code [1].amount}).
 */
public record FieldPath(String top, String rest, String listKey, String listMatch, String listValue, FieldPath orElse,
                        String constant) {

  private static final Pattern LIST = Pattern.compile("([^.\\[\\]]+)\\[([^=\\]]+)=([^\\]]+)\\]\\.([^.\\[\\]]+)");
  private static final String NAME = "[^.\\[\\]|]+";
  private static final String STEP = NAME + "(\\[\\d+\\])*";
  private static final Pattern PLAIN = Pattern.compile(STEP + "(\\." + STEP + ")*");

  private static final Pattern CONSTANT = Pattern.compile("'([^']*)'");

  /** A single path, with nothing to fall back to. */
  public FieldPath(String top, String rest, String listKey, String listMatch, String listValue) {
    this(top, rest, listKey, listMatch, listValue, null, null);
  }

  /** The same text for every record. */
  public static FieldPath constant(String text) {
    return new FieldPath(null, null, null, null, null, null, text);
  }

  public static FieldPath parse(String path, String where) {
    int bar = path.indexOf('|');
    if (bar >= 0) {
      FieldPath first = parse(path.substring(0, bar).strip(), where);
      if (first.isConstant()) {
        throw new SettingsException(where + ": '" + path + "' tries a path after a constant, which always has a value");
      }
      return new FieldPath(first.top, first.rest, first.listKey, first.listMatch, first.listValue,
          parse(path.substring(bar + 1).strip(), where), null);
    }
    Matcher constant = CONSTANT.matcher(path);
    if (constant.matches()) {
      return constant(constant.group(1));
    }
    Matcher list = LIST.matcher(path);
    if (list.matches()) {
      return new FieldPath(list.group(1), null, list.group(2), list.group(3), list.group(4));
    }
    if (!PLAIN.matcher(path).matches()) {
      throw new SettingsException(where + ": '" + path + "' is not a field path (a.b.c, a.b[0].c, list[name=x].value, "
          + "a text in single quotes, or paths to try in turn: a | b.c | 'default')");
    }
    int end = 0;
    while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
      end++;
    }
    if (end == path.length()) {
      return new FieldPath(path, null, null, null, null);
    }
    return new FieldPath(path.substring(0, end), path.charAt(end) == '.' ? path.substring(end + 1) : path.substring(end),
        null, null, null);
  }

  /** This path and the ones it falls back to, in order. */
  public List<FieldPath> alternatives() {
    List<FieldPath> out = new ArrayList<>();
    for (FieldPath p = this; p != null; p = p.orElse) {
      out.add(new FieldPath(p.top, p.rest, p.listKey, p.listMatch, p.listValue, null, p.constant));
    }
    return out;
  }

  /** The path as it is written in configuration. */
  public String text() {
    String own = isConstant() ? "'" + constant + "'" : isListEntry() ? top + "[" + listKey + "=" + listMatch + "]." + listValue
        : rest == null ? top : rest.startsWith("[") ? top + rest : top + "." + rest;
    return orElse == null ? own : own + " | " + orElse.text();
  }

  /** The JSONPath of {@link #rest} in the top-level field's JSON text. */
  public String jsonPath() {
    return rest.startsWith("[") ? "$" + rest : "$." + rest;
  }

  public boolean isNested() {
    return rest != null || listKey != null;
  }

  public boolean isListEntry() {
    return listKey != null;
  }

  public boolean isConstant() {
    return constant != null;
  }
}
