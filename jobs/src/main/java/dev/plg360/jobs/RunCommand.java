package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.run.Job;
import dev.plg360.jobs.ops.RunJob;
import dev.plg360.jobs.ops.RunJob.Step;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the chain ingest -> resolve -> build360 -> train -> score -> activate -> report as of a date, "
        + "stopping at the first failure. Run again for the date after a failure, it resumes where it stopped. Train "
        + "runs when due (plg360.run.train-every) or with --train; snapshots of earlier days whose product data arrived "
        + "late are rebuilt first (docs/OPERATIONS.md)."})
final class RunCommand extends JobCommand {

  @Option(names = "--from", paramLabel = "STEP", description = "Start at this step (and do not resume): ingest, resolve, "
      + "build360, train, score, activate or report.")
  String from;

  @Option(names = "--to", paramLabel = "STEP", description = "Stop after this step.")
  String to;

  @Option(names = "--train", description = "Train whether or not a new model is due.")
  boolean train;

  private RunJob job;

  @Override
  protected Job job() {
    if (job == null) {
      job = new RunJob(Optional.ofNullable(from), Optional.ofNullable(to), train, Clock.systemUTC());
    }
    return job;
  }

  @Override
  protected void check(Settings settings) {
    ((RunJob) job()).plan(settings);
  }

  @Override
  protected void report(Job done, PrintWriter out) {
    print((RunJob) done, out);
  }

  /** A chain that failed prints its steps too: which ran, which failed, which never started. */
  @Override
  protected void reportFailure(Job done, PrintWriter out) {
    print((RunJob) done, out);
  }

  static void print(RunJob run, PrintWriter out) {
    out.printf("%-10s %-10s %8s  %s%n", "step", "as of", "seconds", "outcome");
    for (Step s : run.steps()) {
      String outcome = s.ran().map(c -> "succeeded; wrote " + c.metrics().written().values().stream().mapToLong(Long::longValue).sum()
          + " rows").orElse(s.outcome().name().toLowerCase().replace('_', ' ') + ": " + s.detail());
      out.printf("%-10s %-10s %8.1f  %s%n", s.name(), s.asOf(), s.seconds(), outcome);
    }
  }
}
