package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadFunnel;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.TableDef;
import dev.plg360.jobs.score.ScoreJob;
import dev.plg360.testkit.SparkTestBase;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A score of a day before the current scores' (a backfill, a scheduler's catch-up) leaves the current scores alone. */
class ScoreEarlierDayTest extends SparkTestBase {

  @TempDir
  Path dir;

  @Test
  void scoringAnEarlierDayKeepsTheCurrentScoresAndWritesThatDaysFunnel() throws Exception {
    StoryWorld story = StoryWorld.get(spark());
    Path root = dir.resolve("lake");
    StoryWorld.copy(story.lake(), root);
    Lake lake = new Lake(spark(), root.toString());
    Lake storyLake = new Lake(spark(), story.lake().toString());
    long accounts = lake.version(AccountScores.TABLE);
    long leads = lake.version(LeadScores.TABLE);

    runJob(new ScoreJob(), story.chain(root), StoryWorld.EARLIER);

    assertEquals(accounts, lake.version(AccountScores.TABLE), "no commit to the current account scores");
    assertEquals(leads, lake.version(LeadScores.TABLE), "no commit to the current lead scores");
    for (TableDef t : List.of(AccountScores.TABLE, LeadScores.TABLE)) {
      assertTrue(Lake.sameRows(storyLake.read(t), lake.read(t)), t + " holds the story's rows");
    }
    // The earlier day's funnel is written again, with today's model: the other days' stay as they were.
    org.apache.spark.sql.Column other = LeadFunnel.AS_OF.col().notEqual(java.sql.Date.valueOf(StoryWorld.EARLIER));
    assertTrue(Lake.sameRows(storyLake.read(LeadFunnel.TABLE).where(other), lake.read(LeadFunnel.TABLE).where(other)));
    assertTrue(lake.read(LeadFunnel.TABLE).where(functions.not(other)).count() > 0, "the earlier day's funnel");
  }
}
