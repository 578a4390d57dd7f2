package dev.plg360.jobs;

import dev.plg360.common.run.Job;
import dev.plg360.jobs.resolve.ResolveJob;
import picocli.CommandLine.Command;

@Command(name = "resolve", mixinStandardHelpOptions = true,
    description = "Resolve people, workspaces and accounts from bronze (silver.people, workspaces, accounts, identity_links) "
        + "and keep the daily product rollup (silver.product_daily) current.")
final class ResolveCommand extends JobCommand {
  @Override
  protected Job job() {
    return new ResolveJob();
  }
}
