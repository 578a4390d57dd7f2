package dev.plg360.jobs;

import dev.plg360.common.run.Job;
import dev.plg360.jobs.c360.Build360Job;
import picocli.CommandLine.Command;

@Command(name = "build360", mixinStandardHelpOptions = true,
    description = "Build the customer-360 tables for the as-of date from silver (gold.account_360, workspace_360, "
        + "user_360, customer_timeline) and add the day's signals (gold.signals).")
final class Build360Command extends JobCommand {
  @Override
  protected Job job() {
    return new Build360Job();
  }
}
