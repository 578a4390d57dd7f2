package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where settings come from, for every subcommand: a configuration file and -D overrides. */
public final class ConfOptions {

  @Option(names = "--conf", paramLabel = "FILE",
      description = "Configuration file (HOCON), e.g. conf/local.conf. Default: $PLG360_CONF, else conf/application.conf if present.")
  Path conf;

  @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
      description = "Override one setting, e.g. -D plg360.lake.root=/data/lake. Repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** The layered settings, with the command's own values (its typed options) over the -D overrides. */
  public Settings settings(Map<String, String> fromOptions) {
    Map<String, String> all = new LinkedHashMap<>(overrides);
    all.putAll(fromOptions);
    return Settings.load(Optional.ofNullable(conf), all);
  }
}
