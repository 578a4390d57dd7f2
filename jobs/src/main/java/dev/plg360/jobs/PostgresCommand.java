package dev.plg360.jobs;

import dev.plg360.common.config.Settings;
import dev.plg360.jobs.activate.ActivateSettings;
import dev.plg360.jobs.activate.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "postgres", mixinStandardHelpOptions = true,
    description = "Run the embedded PostgreSQL server the demo delivers to (data in <demo dir>/postgres), so that psql "
        + "or a BI tool can look at the delivered scores; Ctrl-C stops it. Needs the runnable jar (bin/plg360).")
final class PostgresCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConfOptions conf;

  @Option(names = "--dir", paramLabel = "DIR", description = "Data folder. Default: <plg360.demo.dir>/postgres.")
  Path dir;

  @Option(names = "--port", paramLabel = "PORT", description = "Port on 127.0.0.1. Default: plg360.demo.postgres-port.")
  Integer port;

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = conf.settings(Map.of());
    Path data = dir != null ? dir : Path.of(settings.string("plg360.demo.dir"), "postgres");
    EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, port != null ? port : settings.positiveInt("plg360.demo.postgres-port"));
    PrintWriter out = spec.commandLine().getOut();
    Path kept = data.resolve(EmbeddedPostgresServer.PASSWORD_FILE);
    String password = Files.exists(kept) ? "$(cat " + kept + ")" : "$" + ActivateSettings.PASSWORD_ENV;
    out.printf("PostgreSQL on %s (user %s, password %s), data in %s%n", pg.jdbcUrl(), EmbeddedPostgresServer.USER,
        Files.exists(kept) ? "in " + kept : "$" + ActivateSettings.PASSWORD_ENV, data);
    out.printf("  PGPASSWORD=\"%s\" psql -h 127.0.0.1 -p %d -U %s -c 'SELECT * FROM plg360.account_scores ORDER BY pql_score "
        + "DESC NULLS LAST LIMIT 10'%n", password, pg.port(), EmbeddedPostgresServer.USER);
    out.println("Ctrl-C stops it.");
    out.flush();
    UntilStopped.await(pg, "postgres");
    return 0;
  }
}
