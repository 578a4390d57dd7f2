package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every job subcommand takes. */
public final class JobOptions {

  @Option(names = "--as-of", paramLabel = "YYYY-MM-DD",
      description = "The date the run computes for (UTC). Default: today.")
  LocalDate asOf;

  @Mixin
  ConfOptions conf = new ConfOptions();

  public Settings settings() {
    return settings(Map.of());
  }

  /** The layered settings, with a command's own values (from its typed options) over the -D overrides. */
  public Settings settings(Map<String, String> fromOptions) {
    return conf.settings(fromOptions);
  }

  public LocalDate asOf() {
    return asOfOr(LocalDate.now(ZoneOffset.UTC));
  }

  /** The --as-of date, or the given default when none was given. */
  public LocalDate asOfOr(LocalDate otherwise) {
    return asOf != null ? asOf : otherwise;
  }
}
