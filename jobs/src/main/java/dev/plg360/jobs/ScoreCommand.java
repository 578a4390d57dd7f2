package dev.plg360.jobs;

import dev.plg360.common.run.Job;
import dev.plg360.jobs.score.ScoreJob;
import picocli.CommandLine.Command;

@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Score accounts and leads for the as-of date: PQL and ICP fit with reasons, tiers, segments, seat "
        + "penetration, the strongest signal (gold.account_scores), lead statuses (gold.lead_scores) and the lead "
        + "funnel (gold.lead_funnel). Needs build360 for the date; PQL scores need a model from train.")
final class ScoreCommand extends JobCommand {
  @Override
  protected Job job() {
    return new ScoreJob();
  }
}
