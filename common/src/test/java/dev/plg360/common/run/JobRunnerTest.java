package dev.plg360.common.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnerTest extends SparkTestBase {

  @TempDir
  Path dir;

  /** Runs a Spark action, notes the job group it ran in, and runs the inner job (if any) the way a chain does. */
  private final class Probe implements Job {
    private final String name;
    private final Job inner;
    final List<String> groups = new ArrayList<>();
    String runId;

    Probe(String name, Job inner) {
      this.name = name;
      this.inner = inner;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void run(JobContext ctx) throws Exception {
      runId = ctx.runId();
      ctx.spark().range(10).count();
      groups.add(group());
      if (inner != null) {
        new JobRunner(Clock.systemUTC()).run(inner, ctx.settings(), ctx.spark(), ctx.asOf());
        groups.add(group());
      }
    }
  }

  private String group() {
    return spark().sparkContext().getLocalProperty(JobRunner.JOB_GROUP);
  }

  @Test
  void sparkJobsBelongToTheRunsGroupAndAChainsGroupComesBackAfterEachStep() throws Exception {
    startSpark();
    Probe step = new Probe("step", null);
    Probe chain = new Probe("chain", step);
    runJob(chain, settings(dir), date("2026-10-31"));

    assertEquals(List.of(step.runId), step.groups, "the step's Spark jobs ran in its own group");
    assertEquals(List.of(chain.runId, chain.runId), chain.groups, "the chain's group before and after the step");
    assertNull(group(), "and no group once the chain is over");
    for (Probe p : List.of(chain, step)) {
      assertTrue(jobsOf(p.runId) > 0, "Spark's status tracker lists the jobs of " + p.runId);
    }
  }

  /** The Spark jobs of a group, as Spark's status store (fed by its listener bus, a little later) has them. */
  private int jobsOf(String group) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      int n = spark().sparkContext().statusTracker().getJobIdsForGroup(group).length;
      if (n > 0) {
        return n;
      }
      Thread.sleep(100);
    }
    return 0;
  }
}
