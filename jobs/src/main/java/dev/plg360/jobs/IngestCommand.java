package dev.plg360.jobs;

import dev.plg360.common.run.Job;
import dev.plg360.jobs.ingest.IngestJob;
import picocli.CommandLine.Command;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Land new files from the landing zone in bronze Delta tables; rejected records go to bronze.quarantine.")
final class IngestCommand extends JobCommand {
  @Override
  protected Job job() {
    return new IngestJob();
  }
}
