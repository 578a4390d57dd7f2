package dev.plg360.common.io;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names the lake's tables go by in the platform's catalog ({@code plg360.catalog}): a schema (database) for each
 * layer, and optionally a catalog, for three-part names such as Unity Catalog's {@code main.plg360_gold.account_360}.
 * plg360's docs call a table by its layer and name ({@code gold.account_360}); with the defaults these are the same.
 *
 * @param catalog the catalog of three-part names; empty for the session's own catalog (Spark's, or the Hive metastore
 *                or Glue catalog the session is configured with), named with two-part names
 * @param schemas the schema of each layer
 */
public record CatalogNames(Optional<String> catalog, Map<String, String> schemas) {

  /** Plain identifiers only: a name is put into SQL, and quoting rules differ between catalogs. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Each layer's tables in a schema named after it, in the session's catalog. */
  public static final CatalogNames DEFAULT = new CatalogNames(Optional.empty(), layerNames());

  private static Map<String, String> layerNames() {
    Map<String, String> m = new LinkedHashMap<>();
    Tables.layers().forEach(l -> m.put(l, l));
    return m;
  }

  /** From {@code plg360.catalog}; a name that is not a plain identifier fails naming its key. */
  public static CatalogNames of(Settings settings) {
    String catalog = settings.optionalString("plg360.catalog.name");
    if (!catalog.isEmpty()) {
      checked("plg360.catalog.name", catalog);
    }
    Map<String, String> schemas = new LinkedHashMap<>();
    for (String layer : Tables.layers()) {
      String key = "plg360.catalog.schemas." + layer;
      schemas.put(layer, checked(key, settings.string(key).trim()));
    }
    if (schemas.values().stream().distinct().count() < schemas.size()) {
      throw new SettingsException("plg360.catalog.schemas must give each layer a schema of its own, was " + schemas);
    }
    return new CatalogNames(catalog.isEmpty() ? Optional.empty() : Optional.of(catalog), Map.copyOf(schemas));
  }

  private static String checked(String key, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new SettingsException(key + " must be a plain name (letters, digits, _; not starting with a digit), was '"
          + name + "'");
    }
    return name;
  }

  /** The schema of the table's layer. */
  public String schema(TableDef t) {
    return schemas.get(t.layer());
  }

  /** The layer's schema as SQL names it: {@code gold} or {@code main.gold}. */
  public String schemaName(String layer) {
    return catalog.map(c -> c + ".").orElse("") + schemas.get(layer);
  }

  /** The table as SQL names it: {@code gold.account_360} or {@code main.gold.account_360}. */
  public String name(TableDef t) {
    return schemaName(t.layer()) + "." + t.name();
  }

  /** The table's two-part name in the session's catalog, where views (the masked tables) live. */
  public String sessionName(TableDef t) {
    return schema(t) + "." + t.name();
  }
}
