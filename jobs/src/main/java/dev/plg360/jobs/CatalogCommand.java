package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.io.Lake;
import dev.plg360.common.spark.SparkSessions;
import dev.plg360.common.tables.CatalogDoc;
import dev.plg360.common.tables.Tables;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code plg360 catalog}: the catalog of tables as Markdown (docs/TABLES.md), or the lake's tables registered in the
 * platform's catalog by name: {@code --register} through the session (the Hive metastore or Glue catalog
 * spark-submit configures, or a catalog plugin for three-part names), {@code --ddl} as SQL to run where no plg360
 * process reaches. Names come from {@code plg360.catalog}.
 */
@Command(name = "catalog", mixinStandardHelpOptions = true,
    description = "Print every table of the catalog (layer, grain, key, columns with their types and comments) as "
        + "Markdown (docs/TABLES.md is this, written with --out docs/TABLES.md; needs no Spark), or register the lake's "
        + "tables in your catalog: --register through Spark's session catalog (a Hive metastore, Glue) or the catalog "
        + "plg360.catalog.name names, --ddl as SQL for your platform's editor.")
final class CatalogCommand implements Callable<Integer> {

  static final class Action {
    @Option(names = "--register", description = "Register every table the lake holds as an external Delta table at "
        + "its path, under the names plg360.catalog gives, in the catalog the Spark session uses.")
    boolean register;

    @Option(names = "--ddl", description = "Print the SQL that registers every table the lake holds (CREATE SCHEMA, "
        + "CREATE TABLE ... USING DELTA LOCATION), under the names plg360.catalog gives.")
    boolean ddl;
  }

  @Spec
  CommandSpec spec;

  @Mixin
  ConfOptions conf = new ConfOptions();

  @ArgGroup(exclusive = true)
  Action action;

  @Option(names = "--out", paramLabel = "FILE", description = "Write to this file instead of printing.")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (action == null) {
      write(CatalogDoc.markdown(Tables.all()), "wrote %s (" + Tables.all().size() + " tables)%n");
      return 0;
    }
    Settings settings = SettingsCheck.check(conf.settings(Map.of()));
    Lake lake = Lake.of(SparkSessions.create(settings), settings);
    if (action.ddl) {
      List<String> sql = lake.registrationSql();
      write(String.join("\n", sql) + "\n", "wrote %s (" + sql.size() + " statements)%n");
      return 0;
    }
    List<String> registered = lake.registerAll();
    PrintWriter w = spec.commandLine().getOut();
    w.printf("registered %d tables of %s:%n", registered.size(), lake.root());
    registered.forEach(n -> w.println("  " + n));
    w.flush();
    return 0;
  }

  /** Prints the text, or writes it to --out and says so with {@code written}. */
  private void write(String text, String written) throws java.io.IOException {
    PrintWriter w = spec.commandLine().getOut();
    if (out != null) {
      Files.writeString(out, text, StandardCharsets.UTF_8);
      w.printf(written, out);
    } else {
      w.print(text);
    }
    w.flush();
  }
}
