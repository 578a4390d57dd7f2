package dev.plg360.jobs.ops;

import com.typesafe.config.ConfigException;
import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.time.Duration;

/** Everything {@code plg360 maintain} reads from {@code plg360.maintain}, checked at start. */
public record MaintainSettings(Duration vacuumRetention, int zorderRecentDays) {

  public static final String VACUUM_RETENTION_KEY = "plg360.maintain.vacuum-retention";
  /** Delta's safety default: VACUUM refuses a shorter retention unless its check is turned off, which plg360 never does. */
  public static final Duration DELTA_MIN_RETENTION = Duration.ofHours(168);
  private static final String M = "plg360.maintain.";

  public static MaintainSettings from(Settings settings) {
    Duration retention;
    try {
      retention = settings.config().getDuration(VACUUM_RETENTION_KEY);
    } catch (ConfigException e) {
      throw new SettingsException("bad setting " + VACUUM_RETENTION_KEY + ": " + e.getMessage(), e);
    }
    if (retention.compareTo(DELTA_MIN_RETENTION) < 0) {
      throw new SettingsException(VACUUM_RETENTION_KEY + " is " + hours(retention) + ", below Delta's safety default of "
          + hours(DELTA_MIN_RETENTION) + " (7 days): VACUUM could delete files a running job still reads. Set it to 168h or more");
    }
    if (!retention.equals(Duration.ofHours(retention.toHours()))) {
      throw new SettingsException(VACUUM_RETENTION_KEY + " must be whole hours (Delta's VACUUM takes hours), was " + retention);
    }
    return new MaintainSettings(retention, settings.positiveInt(M + "zorder-recent-days"));
  }

  private static String hours(Duration d) {
    return d.toSeconds() % 3600 == 0 ? d.toHours() + "h" : d.toString();
  }
}
