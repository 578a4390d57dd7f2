package dev.plg360.jobs.ops;

import dev.plg360.common.config.SettingsException;
import dev.plg360.common.run.Job;
import dev.plg360.jobs.activate.ActivateJob;
import dev.plg360.jobs.c360.Build360Job;
import dev.plg360.jobs.ingest.IngestJob;
import dev.plg360.jobs.model.TrainJob;
import dev.plg360.jobs.report.ReportJob;
import dev.plg360.jobs.resolve.ResolveJob;
import dev.plg360.jobs.score.ScoreJob;
import java.util.List;

/** The daily chain's steps, in the order each needs the one before. */
public final class Chain {
  private Chain() {}

  public static final List<String> NAMES = steps().stream().map(Job::name).toList();

  /** A fresh instance of every step (jobs keep what their last run did, for printing). */
  public static List<Job> steps() {
    return List.of(new IngestJob(), new ResolveJob(), new Build360Job(), new TrainJob(TrainJob.Request.defaults()),
        new ScoreJob(), new ActivateJob(false), new ReportJob());
  }

  /** The index of a step named by an option or setting ({@code what}), or a message naming the steps there are. */
  public static int step(String name, String what) {
    int i = NAMES.indexOf(name);
    if (i < 0) {
      throw new SettingsException(what + " names " + name + ", not a step of the chain: " + String.join(", ", NAMES));
    }
    return i;
  }
}
