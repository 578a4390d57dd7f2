package dev.plg360.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on 127.0.0.1 for integration tests: a Master and one Worker, each in its own JVM, and
 * applications submitted to it with Spark's own {@code SparkSubmit} in client mode, as {@code bin/spark-submit} runs
 * them. The Spark distribution is this JVM's classpath: a {@code SPARK_HOME} whose {@code jars/} links every jar of it
 * except plg360's own and those only plg360 brings, which an application must carry in its jar as on a real cluster.
 *
 * <p>Submissions run in {@code dir}, their working folder. Each process writes to a file under {@code dir/logs};
 * executors write to the worker's {@code dir/work/<app id>/<executor id>/stderr}.
 */
final class StandaloneCluster implements AutoCloseable {

  /** Maven repository folders of what no Spark distribution ships: plg360 and the libraries only it brings. */
  private static final List<String> NOT_IN_SPARK = List.of("/dev/plg360/", "/io/delta/", "/com/typesafe/config/",
      "/info/picocli/", "/com/google/guava/guava/", "/org/postgresql/", "/io/zonky/", "/org/knowm/",
      "/de/erichseifert/", "/com/madgag/");

  private static final Pattern APP_ID = Pattern.compile("Connected to Spark cluster with app ID (app-\\d+-\\d+)");
  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Path dir;
  private final Path sparkHome;
  private final Path logs;
  private final Path work;
  private final int masterPort = freePort();
  private final int masterUiPort = freePort();
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private StandaloneCluster(Path dir) throws IOException {
    this.dir = dir;
    this.sparkHome = Files.createDirectories(dir.resolve("spark-home"));
    this.logs = Files.createDirectories(dir.resolve("logs"));
    this.work = Files.createDirectories(dir.resolve("work"));
    linkSparkJars(Files.createDirectories(sparkHome.resolve("jars")));
  }

  /** Starts a master and a worker with the given cores and memory, and returns once the worker has registered. */
  static StandaloneCluster start(Path dir, int cores, String memory) throws Exception {
    StandaloneCluster c = new StandaloneCluster(dir);
    // Should the test JVM be stopped before its @AfterAll, the daemons go with it.
    Runtime.getRuntime().addShutdownHook(new Thread(c::close));
    try {
      c.daemon("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
          String.valueOf(c.masterPort), "--webui-port", String.valueOf(c.masterUiPort));
      c.await("the master's web UI answers", s -> true);
      c.daemon("worker", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port",
          String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()), "--cores", String.valueOf(cores),
          "--memory", memory, "--work-dir", c.work.toString(), c.masterUrl());
      c.await("a worker registered", s -> s.path("aliveworkers").asInt() == 1);
      return c;
    } catch (Exception | AssertionError e) {
      c.close();
      throw e;
    }
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  Path logs() {
    return logs;
  }

  /** What the master's web UI reports at /json: workers, active and completed applications. */
  JsonNode state() throws IOException, InterruptedException {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
        .timeout(Duration.ofSeconds(10)).build();
    return json.readTree(http.send(get, HttpResponse.BodyHandlers.ofString()).body());
  }

  /** The master's record of a completed application, once it has one (an application ends a moment after its driver). */
  Optional<JsonNode> completedApp(String appId) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    do {
      for (JsonNode app : state().path("completedapps")) {
        if (app.path("id").asText().equals(appId)) {
          return Optional.of(app);
        }
      }
      Thread.sleep(500);
    } while (Instant.now().isBefore(deadline));
    return Optional.empty();
  }

  /** The log an executor of an application wrote on the worker. */
  Path executorLog(String appId, int executorId) {
    return work.resolve(appId).resolve(String.valueOf(executorId)).resolve("stderr");
  }

  /**
   * Runs {@code SparkSubmit --master <this cluster> --deploy-mode client --class mainClass jar args...} in a JVM of
   * its own (the driver), with the environment given added to this one's, and waits for it to end.
   */
  Submission submit(String name, Path jar, String mainClass, Map<String, String> env, List<String> args)
      throws IOException, InterruptedException {
    List<String> cmd = java("-Xmx1g");
    cmd.addAll(CliProcess.testSparkSettings()); // the driver's Spark settings, as the tests' own sessions have them
    cmd.addAll(List.of("org.apache.spark.deploy.SparkSubmit", "--master", masterUrl(), "--deploy-mode", "client",
        "--class", mainClass));
    // The JIT options and module openings the driver runs with (above), for the executors the worker starts.
    List<String> executorOptions = new ArrayList<>(CliProcess.testJvmOptions());
    executorOptions.addAll(CliJvm.sparkJavaOptions());
    cmd.addAll(List.of("--conf", "spark.executor.extraJavaOptions=" + String.join(" ", executorOptions)));
    cmd.add(jar.toString());
    cmd.addAll(args);
    Path out = logs.resolve(name + ".out");
    Path err = logs.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    sparkEnvironment(pb);
    pb.environment().putAll(env);
    Instant started = Instant.now();
    Process p = started(pb);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      stop(p);
    }
    return new Submission(name, p.exitValue(), Duration.between(started, Instant.now()), out, err);
  }

  /** One spark-submit run: its exit code, time, and output files. */
  record Submission(String name, int exitCode, Duration took, Path stdout, Path stderr) {

    /** The application id the master gave the driver; empty if it never connected to the cluster. */
    Optional<String> appId() {
      Matcher m = APP_ID.matcher(read(stderr));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    String stdoutText() {
      return read(stdout);
    }

    /** What the driver logged. */
    String stderrText() {
      return read(stderr);
    }

    /** Where its output is, and the last lines of its stderr: what an assertion message shows. */
    String describe() {
      List<String> lines = read(stderr).lines().toList();
      return "spark-submit " + name + " exited " + exitCode + " after " + took.toSeconds() + " s; output in " + stdout
          + " and " + stderr + ", last lines of stderr:\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
  }

  /** Stops the worker (and with it the executors it started) and the master, and anything still submitting. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      stop(processes.get(i));
    }
  }

  private void daemon(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = java("-Xmx512m");
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile());
    sparkEnvironment(pb);
    // A cluster's daemons hold none of an application's settings or secrets: those reach executors through Spark.
    pb.environment().keySet().removeIf(k -> k.startsWith("PLG360_"));
    started(pb);
  }

  private void await(String what, Predicate<JsonNode> until) throws Exception {
    Instant deadline = Instant.now().plus(STARTUP);
    while (Instant.now().isBefore(deadline)) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new AssertionError("a cluster process ended (exit " + p.exitValue() + ") before " + what + "; see " + logs);
        }
      }
      try {
        if (until.test(state())) {
          return;
        }
      } catch (IOException notYet) {
        // The web UI is not listening yet.
      }
      Thread.sleep(500);
    }
    throw new AssertionError("not within " + STARTUP.toSeconds() + " s: " + what + "; see " + logs);
  }

  private List<String> java(String heap) {
    List<String> cmd = new ArrayList<>(List.of(CliJvm.java(), heap));
    cmd.addAll(CliProcess.testJvmOptions());
    cmd.addAll(CliJvm.sparkJavaOptions());
    cmd.addAll(List.of("-cp", sparkHome.resolve("jars") + File.separator + "*"));
    return cmd;
  }

  /** What Spark's scripts export: the worker starts executors with the jars of SPARK_HOME. */
  private void sparkEnvironment(ProcessBuilder pb) {
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
  }

  private Process started(ProcessBuilder pb) throws IOException {
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** Ends a process and what it started (a worker's executors): politely first, so that Spark's hooks run. */
  private static void stop(Process p) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private void linkSparkJars(Path jars) throws IOException {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      String unixPath = jar.toAbsolutePath().toString().replace(File.separatorChar, '/');
      String file = jar.getFileName().toString();
      if (!file.endsWith(".jar") || file.startsWith("plg360-") || NOT_IN_SPARK.stream().anyMatch(unixPath::contains)) {
        continue;
      }
      Path link = jars.resolve(file);
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, jar.toAbsolutePath());
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
