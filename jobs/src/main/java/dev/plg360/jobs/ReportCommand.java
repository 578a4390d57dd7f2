package dev.plg360.jobs;

import dev.plg360.common.run.Job;
import dev.plg360.jobs.report.ReportJob;
import dev.plg360.jobs.report.ReportSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write the current conversion model's card (metrics beside the previous version, ROC, calibration, "
        + "lift, odds ratios, training data) and a run report (job runs, quarantine, score distributions, segments, "
        + "lead statuses) as self-contained HTML files with charts, readable offline (docs/REPORT.md)."})
final class ReportCommand extends JobCommand {

  @Option(names = "--out", paramLabel = "DIR",
      description = "Write the reports into this folder. Default: plg360.report.dir (reports, under the lake root).")
  String out;

  @Override
  protected Map<String, String> settingsFromOptions() {
    if (out == null) {
      return Map.of();
    }
    // A local folder is taken from the folder the command runs in, as for sql --out; a URI is kept as given.
    return Map.of(ReportSettings.DIR_KEY, out.contains("://") ? out : Path.of(out).toAbsolutePath().toString());
  }

  @Override
  protected Job job() {
    return new ReportJob();
  }

  @Override
  protected void report(Job job, PrintWriter w) {
    ((ReportJob) job).files().forEach(f -> w.println("wrote " + f));
  }
}
