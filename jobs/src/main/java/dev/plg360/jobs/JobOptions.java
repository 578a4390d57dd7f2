package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every job subcommand takes. */
public final class JobOptions {

  @Option(names = "--as-of", paramLabel = "YYYY-MM-DD",
      description = "The date the run computes for (UTC). Default: today.")
  LocalDate asOf;

  @Option(names = "--conf", paramLabel = "FILE",
      description = "Configuration file (HOCON), e.g. conf/local.conf. Default: $PLG360_CONF, else conf/application.conf if present.")
  Path conf;

  @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
      description = "Override one setting, e.g. -D plg360.lake.root=/data/lake. Repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  public Settings settings() {
    return Settings.load(Optional.ofNullable(conf), overrides);
  }

  public LocalDate asOf() {
    return asOfOr(LocalDate.now(ZoneOffset.UTC));
  }

  /** The --as-of date, or the given default when none was given. */
  public LocalDate asOfOr(LocalDate otherwise) {
    return asOf != null ? asOf : otherwise;
  }
}
