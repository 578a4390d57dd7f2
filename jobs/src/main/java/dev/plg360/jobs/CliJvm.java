package dev.plg360.jobs;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that runs the plg360 command line in a JVM of its own, on this JVM's classpath and with its Java 17
 * module openings (those Spark needs), so no packaged jar is needed: for what drives plg360 as a separate process
 * (the benchmark harness, the tests of the notebooks and of serve-sql).
 */
public final class CliJvm {
  private CliJvm() {}

  /** {@code java <jvmOptions> <this JVM's openings> -cp <this classpath> Cli <args>}. */
  public static List<String> command(List<String> jvmOptions, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(jvmOptions);
    cmd.addAll(sparkJavaOptions());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Cli.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  /** The java launcher of this JVM. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** This JVM's module openings and the system properties that Spark needs on Java 17. */
  public static List<String> sparkJavaOptions() {
    List<String> options = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.equals("-XX:+IgnoreUnrecognizedVMOptions")
          || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty")) {
        options.add(arg);
      }
    }
    return options;
  }
}
