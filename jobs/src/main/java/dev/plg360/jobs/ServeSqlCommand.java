package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.common.privacy.PersonalData;
import dev.plg360.common.tables.TableDef;
import dev.plg360.jobs.serve.SqlServer;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "serve-sql", mixinStandardHelpOptions = true,
    description = "Serve the lake's tables to BI tools (Tableau, Power BI, Superset, DBeaver) over JDBC/ODBC: Spark's "
        + "Thrift server, with the table names kept in a metastore. Ctrl-C stops it. Settings: plg360.serve-sql.")
final class ServeSqlCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConfOptions conf = new ConfOptions();

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = SettingsCheck.check(conf.settings(Map.of()));
    SqlServer server = SqlServer.start(settings);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Serving %d tables of %s on %s (metastore: %s, %d names from earlier runs)%n", server.tables().size(),
        String.join(", ", server.settings().layers()), server.jdbcUrl(),
        server.settings().metastoreUris().orElseGet(() -> server.settings().metastoreDir().orElseThrow().toString()),
        server.namesBefore());
    for (TableDef t : server.tables()) {
      out.println("  " + t.qualifiedName());
    }
    out.println(server.masked() ? "Personal data is masked (" + PersonalData.SETTING + ")."
        : "Personal data is shown as it is; " + PersonalData.SETTING + "=true masks it.");
    out.printf("  beeline -u %s -e 'SELECT * FROM gold.account_scores LIMIT 10'%n", server.jdbcUrl());
    out.println("Ctrl-C stops it.");
    out.flush();
    UntilStopped.await(server, "serve-sql");
    return 0;
  }
}
