package dev.plg360.jobs.ops;

import com.typesafe.config.ConfigException;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.time.Duration;
import java.util.List;

/** Everything {@code plg360 run} reads from {@code plg360.run}, checked at start. */
public record RunSettings(Duration trainEvery, int lateDataDays, List<String> skip) {
  private static final String R = "plg360.run.";

  public static RunSettings from(Settings settings) {
    Duration every = settings.duration(R + "train-every", Duration.ZERO);
    try {
      int late = settings.config().getInt(R + "late-data-days");
      if (late < 0) {
        throw new SettingsException(R + "late-data-days must be 0 or more, was " + late);
      }
      List<String> skip = settings.config().getStringList(R + "skip");
      for (String step : skip) {
        Chain.step(step, R + "skip");
      }
      return new RunSettings(every, late, List.copyOf(skip));
    } catch (ConfigException e) {
      throw new SettingsException("bad setting: " + e.getMessage(), e);
    }
  }
}
