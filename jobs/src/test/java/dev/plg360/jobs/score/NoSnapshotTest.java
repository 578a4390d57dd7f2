package dev.plg360.jobs.score;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plg360.common.io.Lake;
import dev.plg360.common.run.RunLog;
import dev.plg360.common.tables.Tables.JobRuns;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** score with no snapshot to score says why: build360 did not run for the day, or ran and found no account. */
class NoSnapshotTest extends SparkTestBase {

  @Test
  void theMessageNamesWhatHappened(@TempDir Path dir) {
    startSpark();
    Lake lake = new Lake(spark(), dir.toString());
    LocalDate day = LocalDate.parse("2026-10-31");
    assertEquals("gold.account_360 has no snapshot as of 2026-10-31: run build360 --as-of 2026-10-31 first",
        ScoreJob.noSnapshot(lake, day));

    Timestamp at = Timestamp.valueOf("2026-11-01 02:30:00");
    lake.upsert(frame(JobRuns.TABLE.schema())
        .row(JobRuns.RUN_ID, "build360-a", JobRuns.JOB, "build360", JobRuns.AS_OF, Date.valueOf(day),
            JobRuns.STATUS, RunLog.SUCCEEDED, JobRuns.STARTED_AT, at)
        .row(JobRuns.RUN_ID, "build360-b", JobRuns.JOB, "build360", JobRuns.AS_OF, Date.valueOf(day.minusDays(1)),
            JobRuns.STATUS, RunLog.SUCCEEDED, JobRuns.STARTED_AT, at)
        .build(), JobRuns.TABLE);
    assertEquals("build360 ran as of 2026-10-31 (run build360-a) and wrote no account to gold.account_360: no workspace"
        + " or CRM account was linked to a company by then (silver.identity_links); see what resolve as of 2026-10-31"
        + " linked and quarantined (bronze.quarantine)", ScoreJob.noSnapshot(lake, day));
    assertEquals("gold.account_360 has no snapshot as of 2026-10-29: run build360 --as-of 2026-10-29 first",
        ScoreJob.noSnapshot(lake, day.minusDays(2)), "another day's build360 does not count");
  }
}
