package dev.plg360.jobs;

import dev.plg360.common.run.Job;
import dev.plg360.jobs.model.FeaturesJob;
import picocli.CommandLine.Command;

@Command(name = "features", mixinStandardHelpOptions = true,
    description = "Build the conversion model's point-in-time training set for the as-of date "
        + "(gold.conversion_training): the population, its labels, and the features of plg360.model.features.")
final class FeaturesCommand extends JobCommand {
  @Override
  protected Job job() {
    return new FeaturesJob();
  }
}
