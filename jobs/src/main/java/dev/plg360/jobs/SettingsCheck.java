package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.CatalogNames;
import dev.plg360.common.model.ModelSettings;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.source.SourceSpec;
import dev.plg360.jobs.activate.ActivateSettings;
import dev.plg360.jobs.c360.Build360Settings;
import dev.plg360.jobs.ingest.IngestJob;
import dev.plg360.jobs.ops.MaintainSettings;
import dev.plg360.jobs.ops.RunSettings;
import dev.plg360.jobs.report.ReportSettings;
import dev.plg360.jobs.resolve.ResolveJob;
import dev.plg360.jobs.score.ScoreSettings;
import dev.plg360.jobs.serve.ServeSettings;

/** Reads every setting the jobs use, before Spark starts, so a bad one fails the run in its first second. */
public final class SettingsCheck {
  private SettingsCheck() {}

  public static Settings check(Settings settings) {
    settings.validate();
    CatalogNames.of(settings);
    RunLog.Timing.from(settings);
    IngestJob.waves(SourceSpec.all(settings));
    IngestJob.rawMaxChars(settings);
    ResolveJob.invitations(settings);
    Build360Settings.from(settings);
    ModelSettings.from(settings);
    ScoreSettings.from(settings);
    ActivateSettings.from(settings);
    ReportSettings.from(settings);
    MaintainSettings.from(settings);
    ServeSettings.read(settings);
    RunSettings.from(settings);
    PersonalData.masking(settings);
    return settings;
  }
}
