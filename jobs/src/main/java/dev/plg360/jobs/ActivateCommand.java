package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.run.Job;
import dev.plg360.jobs.activate.ActivateJob;
import dev.plg360.jobs.activate.ActivateSettings;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "activate", mixinStandardHelpOptions = true,
    description = {"Send the rows of gold.account_scores, gold.lead_scores and gold.signals that changed since the last "
        + "delivery to PostgreSQL (plg360.activate.jdbc.url; password from PLG360_JDBC_PASSWORD), and write Salesforce "
        + "import files of the changed scores (docs/ACTIVATE.md).",
        "The delivered versions are kept in ops.sync_state; a run with nothing changed sends nothing."})
final class ActivateCommand extends JobCommand {

  @Option(names = "--full", description = "Send every row, whatever was delivered before (a new or wiped target), "
      + "and delete the target's rows the tables no longer have.")
  boolean full;

  @Override
  protected void check(Settings settings) {
    ActivateSettings.from(settings).requireUrl();
  }

  @Override
  protected Job job() {
    return new ActivateJob(full);
  }

  @Override
  protected void report(Job job, PrintWriter out) {
    for (ActivateJob.Delivery d : ((ActivateJob) job).deliveries()) {
      out.println(d.describe());
    }
  }
}
