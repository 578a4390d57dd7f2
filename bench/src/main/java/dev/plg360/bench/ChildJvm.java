package dev.plg360.bench;

import dev.plg360.jobs.CliJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One plg360 command in a JVM of its own, as a scheduler runs it: its wall time and the peak resident memory of the
 * process (the driver; the local executors live in it too), read from {@code /proc/<pid>/status} while it runs.
 *
 * <p>The JVM runs the command line on the harness's own classpath ({@link CliJvm}); {@code plg360.*} system
 * properties of the harness JVM are passed on.
 */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * How one command ended: its exit code, wall time, the process's peak resident memory (which follows the heap the
   * JVM was allowed more than what it needed: the JVM grows its heap lazily towards -Xmx), and the most heap still in
   * use right after a collection (from the JVM's GC log): an upper bound of what the command kept live (a young
   * collection leaves the old generation's garbage in place).
   */
  record Outcome(int exitCode, double seconds, long peakRssBytes, long peakLiveHeapBytes, Path log) {
    boolean succeeded() {
      return exitCode == 0;
    }
  }

  /**
   * Runs {@code plg360 args...} with the heap (e.g. {@code 12g}) and these variables added to its environment (a
   * secret goes there, never on its command line), its stdout and stderr into the log file.
   */
  static Outcome run(String heap, Path log, List<String> args, Map<String, String> environment)
      throws IOException, InterruptedException {
    Path gcLog = log.resolveSibling(log.getFileName() + ".gc");
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx" + heap);
    // A heap too small ends the command at once rather than after minutes of collections (--min-heap tries some).
    jvm.add("-XX:+ExitOnOutOfMemoryError");
    jvm.add("-Xlog:gc:file=" + gcLog);
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("plg360.")).sorted()
        .forEach(k -> jvm.add("-D" + k + "=" + System.getProperty(k)));
    List<String> cmd = CliJvm.command(jvm, args);
    Files.createDirectories(log.getParent());
    long start = System.nanoTime();
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(environment);
    Process p = pb.start();
    long peak = 0;
    while (!p.waitFor(250, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      peak = Math.max(peak, peakRss(p.pid()));
    }
    return new Outcome(p.exitValue(), (System.nanoTime() - start) / 1e9, peak, peakAfterGc(gcLog), log);
  }

  /** Heap sizes of a G1 pause line: {@code ... 1024M->256M(12288M) 3.2ms}. */
  private static final Pattern PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  /** The largest heap in use after a collection, from the GC log; 0 if the JVM never collected. */
  private static long peakAfterGc(Path gcLog) throws IOException {
    long peak = 0;
    if (Files.exists(gcLog)) {
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = PAUSE.matcher(line);
        if (m.find()) {
          peak = Math.max(peak, Long.parseLong(m.group(2)) << 20);
        }
      }
    }
    return peak;
  }

  /** Settings as the command line's {@code -D KEY=VALUE} pairs. */
  static List<String> settings(Map<String, String> settings) {
    List<String> out = new ArrayList<>();
    settings.forEach((k, v) -> {
      out.add("-D");
      out.add(k + "=" + v);
    });
    return out;
  }

  /** VmHWM of the process (its peak resident set so far), 0 when it is gone or the system has no /proc. */
  private static long peakRss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException gone) {
      // The process ended between the wait and the read: the last reading stands.
    }
    return 0;
  }
}
