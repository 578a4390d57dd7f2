package dev.plg360.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * plg360's settings, read once and validated at start.
 *
 * <p>Layers, highest first: {@code -D} overrides given on the command line, JVM system properties, the
 * configuration file ({@code --conf}, else {@code $PLG360_CONF}, else {@code conf/application.conf} when it
 * exists), then every {@code reference.conf} on the classpath. {@code PLG360_*} environment variables are wired
 * in reference.conf itself ({@code ${?PLG360_LAKE_ROOT}}). A key that is not in reference.conf, or a value of
 * the wrong type, fails here with the key's name, before any Spark work starts.
 */
public final class Settings {

  /** Extra Spark settings, one quoted key each ({@link #quoteSparkKeys}). */
  private static final String SPARK_CONF = "plg360.spark.conf";

  /** Sub-trees whose keys are the user's to choose (sources, extra Spark settings, plans, milestones, meters). */
  private static final List<String> OPEN_PATHS = List.of(
      SPARK_CONF,
      "plg360.ingest.sources",
      "plg360.plans",
      "plg360.build360.milestones",
      "plg360.build360.meters",
      "plg360.model.features",
      // A feature added by configuration gets its reason phrase beside the shipped ones.
      "plg360.score.pql.reasons");

  private final Config config;
  private final Optional<Path> file;

  private Settings(Config config, Optional<Path> file) {
    this.config = config;
    this.file = file;
  }

  /** Loads and validates the layered configuration. */
  public static Settings load(Optional<Path> confFile, Map<String, String> overrides) {
    Optional<Path> file = confFile.or(Settings::defaultFile);
    file.ifPresent(f -> {
      if (!Files.isRegularFile(f)) {
        throw new SettingsException("configuration file not found: " + f.toAbsolutePath());
      }
    });
    Config fromFile = file.map(f -> quoteSparkKeys(ConfigFactory.parseFile(f.toFile(),
        ConfigParseOptions.defaults().setAllowMissing(false)), f.toString())).orElse(ConfigFactory.empty());
    Config user = parseOverrides(overrides, "-D overrides")
        .withFallback(quoteSparkKeys(ConfigFactory.systemProperties().withOnlyPath("plg360"), "system properties"))
        .withFallback(fromFile);
    Config reference = reference();
    Config resolved;
    try {
      resolved = user.withFallback(reference).resolve();
      rejectUnknownKeys(resolved, reference);
      resolved.checkValid(reference, "plg360");
    } catch (ConfigException e) {
      throw new SettingsException("bad setting: " + e.getMessage(), e);
    }
    return new Settings(resolved, file);
  }

  /** Reference configuration only: for tests and tools that take no user file. */
  public static Settings defaults() {
    return load(Optional.empty(), Map.of());
  }

  /** The same settings with a few values replaced (tests point the lake at a temporary folder). */
  public Settings with(Map<String, String> overrides) {
    Config merged = parseOverrides(overrides, "overrides").withFallback(config).resolve();
    rejectUnknownKeys(merged, reference());
    return new Settings(merged, file);
  }

  /**
   * The same settings with a classpath resource's laid over them: a mapping plg360 ships for a known shape of
   * exports (the demo lands its generated company with {@code plg360/real-exports.conf}).
   */
  public Settings withResource(String resource) {
    Config merged;
    try {
      Config layer = ConfigFactory.parseResources(Settings.class.getClassLoader(), resource,
          ConfigParseOptions.defaults().setAllowMissing(false));
      merged = quoteSparkKeys(layer, resource).withFallback(config).resolve();
    } catch (ConfigException e) {
      throw new SettingsException("bad setting in " + resource + ": " + e.getMessage(), e);
    }
    rejectUnknownKeys(merged, reference());
    return new Settings(merged, file);
  }

  /**
   * key=value overrides; a value written as a HOCON list ({@code -D plg360.run.skip=[activate, report]}) is a list,
   * {@code null} is HOCON's null (it removes a shipped entry: {@link #named}), every other value is taken as it is
   * written.
   */
  private static Config parseOverrides(Map<String, String> overrides, String origin) {
    Map<String, String> plain = new LinkedHashMap<>();
    Config lists = ConfigFactory.empty();
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String v = e.getValue().trim();
      if (v.equals("null")) {
        // Removes a shipped entry of a block of named ones (a source's field, a feature), as null does in a file.
        lists = lists.withValue(e.getKey(), com.typesafe.config.ConfigValueFactory.fromAnyRef(null));
      } else if (v.startsWith("[") && v.endsWith("]")) {
        try {
          lists = lists.withValue(e.getKey(), ConfigFactory.parseString("v = " + v).getValue("v"));
        } catch (ConfigException bad) {
          throw new SettingsException("bad setting " + e.getKey() + " in " + origin + ": " + bad.getMessage(), bad);
        }
      } else {
        plain.put(e.getKey(), e.getValue());
      }
    }
    return quoteSparkKeys(lists.withFallback(ConfigFactory.parseMap(plain, origin)), origin);
  }

  /**
   * Spark's own settings under plg360.spark.conf as one quoted key each ({@code "spark.sql.shuffle.partitions"}), as
   * reference.conf writes them: a layer that wrote {@code plg360.spark.conf.spark.sql.shuffle.partitions} unquoted
   * (a -D override, a system property, a file) would otherwise hold a nested path beside reference.conf's quoted key,
   * and not override it.
   */
  private static Config quoteSparkKeys(Config layer, String origin) {
    if (!layer.hasPath(SPARK_CONF)) {
      return layer;
    }
    Config quoted = ConfigFactory.empty();
    try {
      for (Map.Entry<String, ConfigValue> e : layer.getConfig(SPARK_CONF).entrySet()) {
        String sparkKey = e.getKey().replace("\"", "");
        quoted = quoted.withValue(ConfigUtil.joinPath("plg360", "spark", "conf", sparkKey), e.getValue());
      }
    } catch (ConfigException.WrongType e) {
      throw new SettingsException("bad setting " + SPARK_CONF + " in " + origin + ": it must hold Spark settings: "
          + e.getMessage(), e);
    }
    return layer.withoutPath(SPARK_CONF).withFallback(quoted);
  }

  /**
   * Every reference.conf on the classpath, resolved, without the system properties {@code
   * ConfigFactory.defaultReference()} lays over it: those are a layer of their own above the file, their Spark keys
   * quoted like the others'.
   */
  private static Config reference() {
    return Reference.CONFIG;
  }

  /** Read once, on first use, as {@code ConfigFactory.defaultReference()} caches its own. */
  private static final class Reference {
    static final Config CONFIG = ConfigFactory.parseResources(Settings.class.getClassLoader(), "reference.conf").resolve();
  }

  private static Optional<Path> defaultFile() {
    String env = System.getenv("PLG360_CONF");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env));
    }
    Path conventional = Path.of("conf", "application.conf");
    return Files.isRegularFile(conventional) ? Optional.of(conventional) : Optional.empty();
  }

  /**
   * checkValid does not see a misspelt key (it only checks that reference keys are present and typed): any key of
   * the merged configuration that reference.conf lacks came from a user's layer, and is a typo.
   */
  private static void rejectUnknownKeys(Config user, Config reference) {
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("plg360.") || isUnderOpenPath(key)) {
        continue;
      }
      if (!reference.hasPathOrNull(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      String origin = user.getValue(unknown.get(0)).origin().description();
      throw new SettingsException("unknown setting " + String.join(", ", unknown) + " (in " + origin
          + "); every setting has a default in reference.conf, check the spelling");
    }
  }

  /**
   * The names of a block of named entries (sources, a source's fields and rules, features, reason phrases), leaving
   * out those set to null: configuration replaces what reference.conf ships by merging, so null is how a shipped
   * entry is removed ({@code plg360.model.features.trial = null}).
   */
  public static java.util.Set<String> named(Config block) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    block.root().forEach((name, value) -> {
      if (value.valueType() != com.typesafe.config.ConfigValueType.NULL) {
        out.add(name);
      }
    });
    return out;
  }

  private static boolean isUnderOpenPath(String key) {
    return OPEN_PATHS.stream().anyMatch(p -> key.startsWith(p + "."));
  }

  /** Reads every common setting once, so a bad value fails at start with its key, not when a job gets to it. */
  public Settings validate() {
    lakeRoot();
    landingDir();
    sparkMaster();
    appName();
    shufflePartitions();
    uiEnabled();
    sparkConf();
    return this;
  }

  public Config config() {
    return config;
  }

  public Optional<Path> file() {
    return file;
  }

  public String lakeRoot() {
    return string("plg360.lake.root");
  }

  public String landingDir() {
    return string("plg360.landing.dir");
  }

  public String sparkMaster() {
    return string("plg360.spark.master");
  }

  public String appName() {
    return string("plg360.spark.app-name");
  }

  public int shufflePartitions() {
    return positiveInt("plg360.spark.shuffle-partitions");
  }

  /** Spark's UI on or off, or empty for plg360's default (off in local mode, on elsewhere). */
  public java.util.Optional<Boolean> uiEnabled() {
    String v = string("plg360.spark.ui-enabled");
    return switch (v) {
      case "auto" -> java.util.Optional.empty();
      case "true" -> java.util.Optional.of(true);
      case "false" -> java.util.Optional.of(false);
      default -> throw new SettingsException("plg360.spark.ui-enabled must be auto, true or false, was " + v);
    };
  }

  /** Extra Spark settings, flattened to "spark.x.y" = value. */
  public Map<String, String> sparkConf() {
    Map<String, String> out = new TreeMap<>();
    Config c = config.getConfig(SPARK_CONF);
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      out.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
    }
    return out;
  }

  public String string(String path) {
    try {
      String v = config.getString(path);
      if (v.isBlank()) {
        throw new SettingsException("setting " + path + " is empty");
      }
      return v;
    } catch (ConfigException e) {
      throw new SettingsException("bad setting " + path + ": " + e.getMessage(), e);
    }
  }

  /** A text setting that may be empty ("" for none). */
  public String optionalString(String path) {
    try {
      return config.getString(path).trim();
    } catch (ConfigException e) {
      throw new SettingsException("bad setting " + path + ": " + e.getMessage(), e);
    }
  }

  public int positiveInt(String path) {
    int v;
    try {
      v = config.getInt(path);
    } catch (ConfigException e) {
      throw new SettingsException("bad setting " + path + ": " + e.getMessage(), e);
    }
    if (v <= 0) {
      throw new SettingsException("setting " + path + " must be positive, was " + v);
    }
    return v;
  }

  /** A duration ("30s", "5m", "7d"), at least {@code min}. */
  public Duration duration(String path, Duration min) {
    Duration v;
    try {
      v = config.getDuration(path);
    } catch (ConfigException e) {
      throw new SettingsException("bad setting " + path + ": " + e.getMessage(), e);
    }
    if (v.compareTo(min) < 0) {
      throw new SettingsException("setting " + path + " must be at least " + min.toString().substring(2).toLowerCase()
          + ", was " + config.getValue(path).unwrapped());
    }
    return v;
  }
}
