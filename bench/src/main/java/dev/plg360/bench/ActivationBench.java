package dev.plg360.bench;

import dev.plg360.common.io.Lake;
import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables.JobRuns;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Rows per second into PostgreSQL: after the chain has delivered everything, changes a number of score rows (every
 * account score first, then lead scores) and times {@code plg360 activate}, which sends only the changed rows.
 */
final class ActivationBench {
  private ActivationBench() {}

  /** The rows changed per table, the rows the run delivered to PostgreSQL, and the job's own time. */
  record Result(Map<String, Long> changed, long delivered, double jobSeconds, double wallSeconds, long peakRssBytes) {
    double rowsPerSecond() {
      return delivered / jobSeconds;
    }
  }

  private record Changed(TableDef table, Col key, Col text) {}

  private static final List<Changed> CHANGED = List.of(new Changed(AccountScores.TABLE, AccountScores.ACCOUNT_ID,
      AccountScores.PLAYBOOK), new Changed(LeadScores.TABLE, LeadScores.LEAD_ID, LeadScores.STATUS_DETAIL));

  static Result run(Lake lake, Path lakeDir, Map<String, String> chain, Map<String, String> environment, String heap,
                    Path log, LocalDate asOf, long rows)
      throws IOException, InterruptedException {
    Map<String, Long> changed = new LinkedHashMap<>();
    long left = rows;
    for (Changed c : CHANGED) {
      long n = Math.min(left, lake.read(c.table()).count());
      if (n == 0) {
        continue;
      }
      String table = "delta.`" + lake.path(c.table()) + "`";
      String key = c.key().name();
      String text = c.text().name();
      lake.spark().sql("MERGE INTO " + table + " t USING (SELECT " + key + " FROM " + table + " ORDER BY " + key
          + " LIMIT " + n + ") s ON t." + key + " = s." + key + " WHEN MATCHED THEN UPDATE SET t." + text
          + " = concat(coalesce(t." + text + ", ''), ' (changed for the benchmark)')");
      changed.put(c.table().toString(), n);
      left -= n;
    }
    Map<String, String> s = new LinkedHashMap<>(chain);
    s.put("plg360.lake.root", lakeDir.toString());
    List<String> args = new java.util.ArrayList<>(List.of("activate", "--as-of", asOf.toString()));
    args.addAll(ChildJvm.settings(s));
    ChildJvm.Outcome o = ChildJvm.run(heap, log, args, environment);
    Bench.require(o, "activate");
    Row last = lake.read(JobRuns.TABLE).where("job = 'activate' AND status = 'SUCCEEDED'")
        .orderBy(JobRuns.STARTED_AT.col().desc()).limit(1)
        .selectExpr(Bench.RUN_SECONDS,
            "aggregate(map_values(map_filter(rows_written, (k, v) -> k LIKE '%(PostgreSQL)')), 0L, (a, b) -> a + b)")
        .first();
    return new Result(changed, last.getLong(1), last.getDouble(0), o.seconds(), o.peakRssBytes());
  }
}
