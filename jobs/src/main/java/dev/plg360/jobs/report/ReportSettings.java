package dev.plg360.jobs.report;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;

/** Everything {@code plg360 report} reads from {@code plg360.report}, checked at start. */
public record ReportSettings(String dir, int jobRuns, int histogramBins) {

  public static final String DIR_KEY = "plg360.report.dir";
  private static final String R = "plg360.report.";

  public static ReportSettings from(Settings settings) {
    int bins = settings.positiveInt(R + "histogram-bins");
    if (bins > 100) {
      throw new SettingsException(R + "histogram-bins must be at most 100 (one bar per score point), was " + bins);
    }
    return new ReportSettings(settings.string(DIR_KEY), settings.positiveInt(R + "job-runs"), bins);
  }
}
