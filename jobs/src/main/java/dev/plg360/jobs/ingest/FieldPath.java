package dev.plg360.jobs.ingest;

import dev.plg360.common.config.SettingsException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a bronze column's value is in a raw record: a top-level field ({@code userId}), a nested one
 * ({@code data.object.plan.id}), or the value of a name/value list entry ({@code values[name=email].value}).
 */
public record FieldPath(String top, String rest, String listKey, String listMatch, String listValue) {

  private static final Pattern LIST = Pattern.compile("([^.\\[\\]]+)\\[([^=\\]]+)=([^\\]]+)\\]\\.([^.\\[\\]]+)");
  private static final Pattern PLAIN = Pattern.compile("[^.\\[\\]]+(\\.[^.\\[\\]]+)*");

  public static FieldPath parse(String path, String where) {
    Matcher list = LIST.matcher(path);
    if (list.matches()) {
      return new FieldPath(list.group(1), null, list.group(2), list.group(3), list.group(4));
    }
    if (!PLAIN.matcher(path).matches()) {
      throw new SettingsException(where + ": '" + path + "' is not a field path (a.b.c or list[name=x].value)");
    }
    int dot = path.indexOf('.');
    return dot < 0 ? new FieldPath(path, null, null, null, null)
        : new FieldPath(path.substring(0, dot), path.substring(dot + 1), null, null, null);
  }

  public boolean isNested() {
    return rest != null || listKey != null;
  }

  public boolean isListEntry() {
    return listKey != null;
  }
}
