package dev.plg360.jobs;

import dev.plg360.common.config.SettingsException;
import dev.plg360.common.run.Job;
import dev.plg360.common.tables.TableDef;
import dev.plg360.common.tables.Tables;
import dev.plg360.jobs.ops.MaintainJob;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(name = "maintain", mixinStandardHelpOptions = true,
    description = {"Compact every table's small files (Delta's OPTIMIZE), Z-ordered by the columns BI tools filter by "
        + "(docs/TABLES.md), then delete the files no version within plg360.maintain.vacuum-retention needs (VACUUM). "
        + "Rows never change. Weekly, with no other job running on the lake (docs/OPERATIONS.md)."})
final class MaintainCommand extends JobCommand {

  @Option(names = "--tables", split = ",", paramLabel = "LAYER.NAME", converter = TableName.class,
      description = "Only these tables, e.g. gold.account_360,gold.signals. Default: every catalog table in the lake.")
  List<TableDef> tables;

  @Option(names = "--no-vacuum", description = "Compact and Z-order only; delete no file.")
  boolean noVacuum;

  @Option(names = "--vacuum-only", description = "Delete the files no longer needed only; rewrite none.")
  boolean vacuumOnly;

  @Override
  protected Job job() {
    if (noVacuum && vacuumOnly) {
      throw new SettingsException("give --no-vacuum or --vacuum-only, not both");
    }
    return new MaintainJob(tables == null ? Tables.all() : tables, !vacuumOnly, !noVacuum);
  }

  @Override
  protected void report(Job job, PrintWriter out) {
    ((MaintainJob) job).done().forEach(out::println);
  }

  /** A table's qualified name, as the catalog knows it. */
  static final class TableName implements ITypeConverter<TableDef> {
    @Override
    public TableDef convert(String name) {
      return Tables.byName(name.trim()).orElseThrow(() -> new TypeConversionException(
          "no table " + name + " in the catalog (docs/TABLES.md lists them as layer.name, e.g. gold.account_360)"));
    }
  }
}
