package dev.plg360.jobs.report;

import dev.plg360.common.io.Lake;
import dev.plg360.common.run.RunMetrics;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.common.tables.Tables.Quarantine;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/** What a person wants to see after a run: every table with its rows and version, and the quarantine by reason. */
public final class LakeSummary {
  private LakeSummary() {}

  /** Rows and Delta version of each table that exists, in catalog order. */
  public static Map<TableDef, long[]> tables(Lake lake) {
    Map<TableDef, long[]> out = new LinkedHashMap<>();
    for (TableDef t : Tables.all()) {
      if (lake.exists(t)) {
        out.put(t, new long[] {lake.read(t).count(), lake.version(t)});
      }
    }
    return out;
  }

  public static List<Row> quarantineByReason(Lake lake) {
    if (!lake.exists(Quarantine.TABLE)) {
      return List.of();
    }
    return lake.read(Quarantine.TABLE).groupBy(Quarantine.SOURCE.col(), Quarantine.REASON.col()).count()
        .orderBy(Quarantine.SOURCE.col(), Quarantine.REASON.col()).collectAsList();
  }

  public static void print(Lake lake, PrintWriter out) {
    out.printf("%nTables under %s%n", lake.root());
    out.printf("  %-30s %12s %8s%n", "table", "rows", "version");
    tables(lake).forEach((t, rv) -> out.printf("  %-30s %,12d %8d%n", t.qualifiedName(), rv[0], rv[1]));
    List<Row> q = quarantineByReason(lake);
    out.printf("%nQuarantine (%s), by source and reason%n", Quarantine.TABLE.qualifiedName());
    if (q.isEmpty()) {
      out.println("  nothing rejected");
    }
    for (Row r : q) {
      out.printf("  %-24s %-24s %,10d%n", r.getString(0), r.getString(1), r.getLong(2));
    }
    out.flush();
  }

  /** One line per job of a chain: what it wrote and rejected. */
  public static void printRun(String job, RunMetrics m, double seconds, PrintWriter out) {
    long written = m.written().values().stream().mapToLong(Long::longValue).sum();
    long rejected = m.rejected().values().stream().mapToLong(Long::longValue).sum();
    out.printf("  %-10s %6.1f s   %,10d rows written   %,8d rejected%n", job, seconds, written, rejected);
    out.flush();
  }
}
