package dev.plg360.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The plg360 command line in a separate JVM, for what cannot share the tests' one SparkSession (a Thrift server with
 * Hive support) or is driven from outside Java (the notebooks). It runs {@link Cli} on the test classpath with the
 * JVM options the tests run with (Spark's Java 17 openings), so it needs no packaged jar.
 */
public final class CliProcess {

  private CliProcess() {}

  /** The command that runs {@code plg360 args...}. */
  public static List<String> command(String... args) {
    return command(List.of(), args);
  }

  /** The command that runs {@code plg360 args...} with further JVM options, which win over the defaults ({@code -Xmx2g}). */
  public static List<String> command(List<String> moreJvmOptions, String... args) {
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx2g"); // a heap that fits beside the tests
    jvm.addAll(testJvmOptions());
    jvm.addAll(testSparkSettings());
    jvm.addAll(moreJvmOptions);
    return CliJvm.command(jvm, List.of(args));
  }

  /**
   * Starts the process and kills it (SIGKILL) if it still runs after the limit: a child that hangs fails its test
   * instead of holding the build.
   */
  public static Process startWithin(ProcessBuilder pb, Duration limit) throws IOException {
    Process p = pb.start();
    CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    });
    return p;
  }

  /**
   * Writes an executable {@code plg360} script into {@code dir} that behaves like {@code bin/plg360} without
   * building a jar, and returns its path: what a notebook or a shell test calls.
   */
  public static Path launcher(Path dir) throws IOException {
    Path script = dir.resolve("plg360");
    String cmd = command().stream().map(CliProcess::shellQuote).collect(Collectors.joining(" "));
    Files.writeString(script, "#!/usr/bin/env bash\nexec " + cmd + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  /**
   * The JIT options of the short JVMs the tests start (a command, a cluster's driver and executors): C1 alone. Their
   * data is small and their code paths many, so in a JVM that lives a minute or two C2's compilations cost more CPU
   * than its faster code saves, on two cores the test run keeps busy; the tests' own JVM, which lives for the whole
   * run, keeps the tiered default. C1 alone needs a code cache as large as the tiered default, or it fills its own
   * and stops compiling. The throughput collector, as in the tests' own JVM (pom.xml, test.heap).
   */
  static List<String> testJvmOptions() {
    return List.of("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=240m", "-XX:+UseParallelGC");
  }

  /** The Spark settings the tests' sessions run with (system properties, in the pom), for a plg360 of the tests. */
  static List<String> testSparkSettings() {
    return System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("plg360.spark.")).sorted()
        .map(k -> "-D" + k + "=" + System.getProperty(k)).toList();
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
