package dev.plg360.jobs;

import dev.plg360.common.config.SettingsException;
import dev.plg360.common.run.RunLockedException;
import dev.plg360.common.run.RunLog;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The plg360 command line: one subcommand per job, plus the chains built from them. */
@Command(name = "plg360", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
    description = "Customer-360 tables, conversion models and scores for product-led SaaS, on Spark and Delta Lake.",
    subcommands = {
        DemoCommand.class,
        GenerateCommand.class,
        RunCommand.class,
        BackfillCommand.class,
        IngestCommand.class,
        ResolveCommand.class,
        Build360Command.class,
        FeaturesCommand.class,
        TrainCommand.class,
        ScoreCommand.class,
        ActivateCommand.class,
        ReportCommand.class,
        MaintainCommand.class,
        SqlCommand.class,
        ServeSqlCommand.class,
        CatalogCommand.class,
        PostgresCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Cli implements Runnable {

  public static void main(String[] args) {
    Optional<String> badFormat = LogFormat.apply(System.getenv(LogFormat.VARIABLE));
    if (badFormat.isPresent()) {
      System.err.println("plg360: configuration error: " + badFormat.get());
      System.exit(2);
    }
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code; a failure is one line on stderr naming what failed. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Cli());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      String what = e instanceof SettingsException ? "configuration error: " : "failed: ";
      err.println("plg360 " + cmd.getCommandName() + " " + what + RunLog.describe(e));
      if (Boolean.getBoolean("plg360.debug")) {
        e.printStackTrace(err);
      }
      err.flush();
      return e instanceof SettingsException ? 2 : locked(e) ? LOCKED : 1;
    });
    return cli.execute(args);
  }

  /** The exit code of a run refused because another process writes the lake: nothing ran; try again later. */
  public static final int LOCKED = 3;

  private static boolean locked(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RunLockedException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Reads the version Maven wrote into the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"plg360 " + (v == null ? "(development build)" : v)};
    }
  }
}
