package dev.plg360.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import dev.plg360.jobs.Cli;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's first command, {@code bin/plg360}, and the runnable jar it runs, as built: the jar's manifest starts
 * {@link Cli} with the root pom's module openings; its one merged reference.conf holds every default of common's and
 * jobs' own; the real launcher prints every subcommand's help and passes PLG360_JAVA_OPTS (or its default heap) and
 * the build's jvm.options to the JVM; and the launcher builds the jar when it is missing or older than a source file
 * (files under a target folder do not count), and only then, checked in a copy of it with stand-ins for mvn and java.
 */
class LauncherIT {
  /** The repository root and the jar package built, from dist/pom.xml's failsafe systemPropertyVariables. */
  private static final Path ROOT = Path.of(property("launcher-it.root")).normalize();
  private static final Path JAR = Path.of(property("launcher-it.jar"));
  private static final Path LAUNCHER = ROOT.resolve("bin/plg360");

  /** The modules whose reference.conf the runnable jar merges: the two that have one (dist and bench have none). */
  private static final List<String> CONF_MODULES = List.of("common", "jobs");

  /** Longest any one run of the launcher may take: help and --version start no Spark and take about a second. */
  private static final Duration LIMIT = Duration.ofMinutes(2);

  /** The JVM options the JVM itself or its launcher pick up from the environment, kept out of every run. */
  private static final List<String> JVM_ENV = List.of("PLG360_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
      "_JAVA_OPTIONS");

  @TempDir
  Path tmp;

  // ---------------------------------------------------------------------------------------------------- the jar

  @Test
  void theManifestStartsTheCliWithTheRootPomsModuleOpenings() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertEquals(Cli.class.getName(), main.getValue(Attributes.Name.MAIN_CLASS), JAR + ": Main-Class");
      // What lets a plain java -jar plg360-all.jar run Spark on Java 17, without the jvm.options bin/plg360 adds.
      String addOpens = main.getValue("Add-Opens");
      assertNotNull(addOpens, JAR + " has an Add-Opens entry");
      assertEquals(words(property("launcher-it.add-opens")), words(addOpens),
          JAR + ": Add-Opens lists the packages of spark.add.opens.packages in the root pom");
    }
  }

  @Test
  void theMergedReferenceConfHoldsEveryDefaultOfCommonAndJobs() throws IOException {
    Config merged;
    try (JarFile jar = new JarFile(JAR.toFile())) {
      ZipEntry entry = jar.getEntry("reference.conf");
      assertNotNull(entry, JAR + " has a reference.conf");
      try (InputStream in = jar.getInputStream(entry)) {
        merged = resolved(ConfigFactory.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      }
    }
    Map<String, Config> modules = new HashMap<>();
    for (String module : CONF_MODULES) {
      Path file = ROOT.resolve(module).resolve("src/main/resources/reference.conf");
      assertTrue(Files.isRegularFile(file), file + " exists");
      modules.put(module, resolved(ConfigFactory.parseFile(file.toFile())));
    }

    // The sections under plg360 are exactly the modules' together: none lost in the merge, none left from elsewhere.
    Set<String> sections = new TreeSet<>();
    modules.values().forEach(conf -> sections.addAll(conf.getObject("plg360").keySet()));
    assertEquals(sections, new TreeSet<>(merged.getObject("plg360").keySet()), JAR + ": the sections under plg360");

    for (String module : CONF_MODULES) {
      Config conf = modules.get(module);
      Set<String> inOthers = new TreeSet<>();
      modules.forEach((other, c) -> {
        if (!other.equals(module)) {
          c.entrySet().forEach(e -> inOthers.add(e.getKey()));
        }
      });
      for (Map.Entry<String, ConfigValue> e : conf.entrySet()) {
        String path = e.getKey();
        assertTrue(merged.hasPath(path), JAR + ": reference.conf lost " + module + "'s " + path);
        // A setting both modules give is whichever the merge put last; any other keeps its module's value.
        if (!inOthers.contains(path)) {
          assertEquals(e.getValue().unwrapped(), merged.getValue(path).unwrapped(), JAR + ": " + module + "'s " + path);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------- bin/plg360

  @TestFactory
  Stream<DynamicTest> theLauncherPrintsTheHelpOfPlg360AndOfEverySubcommand() {
    Map<String, CommandLine> subcommands = new CommandLine(new Cli()).getSubcommands();
    // The README's first command, so the list below is the real one and not empty.
    assertTrue(subcommands.containsKey("demo"), "plg360's subcommands " + subcommands.keySet() + " include demo");
    Stream<DynamicTest> top = Stream.of(DynamicTest.dynamicTest("plg360 --help",
        () -> assertHelp(new CommandLine(new Cli()), "plg360", "--help")));
    // bin/plg360 runs one command line per JVM, so each subcommand's help is a JVM of its own.
    Stream<DynamicTest> each = subcommands.entrySet().stream().map(sub -> DynamicTest.dynamicTest(
        "plg360 " + sub.getKey() + " --help",
        () -> assertHelp(sub.getValue(), "plg360 " + sub.getKey(), sub.getKey(), "--help")));
    return Stream.concat(top, each);
  }

  @Test
  void plg360JavaOptsReachTheJvmInsteadOfTheDefaultHeap() throws Exception {
    String version = "plg360 " + property("launcher-it.version");

    // PrintCommandLineFlags writes the JVM's final flags on stdout, first: the heap says which -Xmx won.
    Run given = realLauncher(Map.of("PLG360_JAVA_OPTS", "-Xmx300m -XX:+PrintCommandLineFlags"), "--version");
    assertEquals(0, given.exit(), given.describe());
    List<String> out = given.out().lines().toList();
    assertEquals(2, out.size(), given.describe());
    List<String> flags = words(out.get(0));
    assertTrue(flags.contains("-XX:MaxHeapSize=" + 300L * 1024 * 1024),
        "the heap of PLG360_JAVA_OPTS, not the launcher's default -Xmx4g: " + flags);
    assertTrue(flags.contains("-XX:+PrintCommandLineFlags"),
        "both words of PLG360_JAVA_OPTS are JVM options: " + flags);
    // The first word of the build's jvm.options (the root pom's spark.jvm.options): the file was read as well.
    assertTrue(flags.contains("-XX:+IgnoreUnrecognizedVMOptions"), "dist/target/jvm.options reached the JVM: " + flags);
    assertEquals(version, out.get(1), "the jar's Implementation-Version");

    // Without the variable the launcher's own heap applies; the flag comes in by the JVM's variable instead.
    Run unset = realLauncher(Map.of("JAVA_TOOL_OPTIONS", "-XX:+PrintCommandLineFlags"), "--version");
    assertEquals(0, unset.exit(), unset.describe());
    assertTrue(words(unset.out().lines().findFirst().orElse("")).contains("-XX:MaxHeapSize=" + 4L * 1024 * 1024 * 1024),
        "the default -Xmx4g: " + unset.describe());
    assertEquals(version, unset.out().lines().reduce((a, b) -> b).orElse(""), unset.describe());
  }

  /**
   * PLG360_LOG_FORMAT=json: every line on stderr a JSON object, Spark's included, and the lines of a run carry its id;
   * a value other than text or json stops plg360 before it starts, naming the variable.
   */
  @Test
  void jsonLogsCarryTheRunIdOfEveryLineOfARun() throws Exception {
    // Ingest looks at each source from a thread of its own, a thread the run starts; an empty landing zone keeps it short.
    Run run = realLauncher(Map.of("PLG360_LOG_FORMAT", "json"), "ingest", "--as-of", "2026-10-31",
        "-D", "plg360.lake.root=" + tmp.resolve("json-lake"),
        "-D", "plg360.landing.dir=" + Files.createDirectories(tmp.resolve("empty-landing")));
    assertEquals(0, run.exit(), run.describe());
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
    for (String line : run.err().lines().toList()) {
      lines.add(json.readTree(line));
    }
    String started = lines.stream().map(l -> l.path("message").asText())
        .filter(m -> m.matches("run ingest-\\S+: ingest as of 2026-10-31 started")).findFirst()
        .orElseThrow(() -> new AssertionError("no start line:\n" + run.err()));
    String runId = started.substring("run ".length(), started.indexOf(':'));
    for (var l : lines) {
      assertTrue(l.has("time") && l.has("level") && l.has("logger") && l.has("message"), l.toString());
      if (l.path("message").asText().contains(runId) || l.path("logger").asText().equals("dev.plg360.common.io.Lake")) {
        assertEquals(runId, l.path("run_id").asText(), "a line of the run carries its id: " + l);
      }
    }
    assertTrue(lines.stream().anyMatch(l -> l.path("message").asText().equals("created table ops.job_runs at "
        + tmp.resolve("json-lake/ops/job_runs")) && l.path("run_id").asText().equals(runId)), run.err());
    List<String> sourceThreads = lines.stream().filter(l -> l.path("thread").asText().startsWith("ingest-"))
        .map(l -> l.path("run_id").asText()).distinct().toList();
    assertEquals(List.of(runId), sourceThreads, "the lines of the threads the run started carry its id");
    assertTrue(lines.stream().anyMatch(l -> l.path("logger").asText().startsWith("org.apache.spark") && !l.has("run_id")),
        "Spark's lines before the run are JSON too, without a run id:\n" + run.err());

    Run bad = realLauncher(Map.of("PLG360_LOG_FORMAT", "yaml"), "--version");
    assertEquals(2, bad.exit(), bad.describe());
    assertEquals("plg360: configuration error: PLG360_LOG_FORMAT must be text or json, was 'yaml'", bad.err().strip());
  }

  // ---------------------------------------------------------------------------------------------------- rebuilds

  @Test
  void aJarNewerThanEverySourceRunsAsItIs() throws Exception {
    FakeTree tree = new FakeTree(tmp);

    Run run = tree.launch(Map.of(), "sql", "SELECT 1 AS one");
    assertEquals(FakeTree.JAVA_EXIT, run.exit(), "java's exit status is the launcher's: " + run.describe());
    assertEquals(List.of(tree.java(List.of("-Xmx4g"), "sql", "SELECT 1 AS one")), tree.calls(), run.describe());

    // PLG360_JAVA_OPTS, split into words, replaces the default heap.
    Run opts = tree.launch(Map.of("PLG360_JAVA_OPTS", "-Xmx300m -Dplg360.demo.dir=/tmp/marker"), "demo");
    assertEquals(FakeTree.JAVA_EXIT, opts.exit(), opts.describe());
    assertEquals(List.of(tree.java(List.of("-Xmx300m", "-Dplg360.demo.dir=/tmp/marker"), "demo")), tree.calls(),
        opts.describe());
  }

  @Test
  void aSourceNewerThanTheJarIsBuiltFirstAndOnlyOnce() throws Exception {
    FakeTree tree = new FakeTree(tmp);
    for (String source : FakeTree.SOURCES) {
      tree.ageEverything();
      tree.touchAfterTheJar(source);

      Run run = tree.launch(Map.of(), "demo", "--workspaces", "10");
      assertEquals(FakeTree.JAVA_EXIT, run.exit(), source + " changed: " + run.describe());
      assertEquals(List.of(tree.mavenPackage(), tree.java(List.of("-Xmx4g"), "demo", "--workspaces", "10")),
          tree.calls(), source + " changed: " + run.describe());
      // Maven's output goes to stderr, so what plg360 prints (sql --format csv > file) is its output alone.
      assertEquals(FakeTree.JAVA_OUT + "\n", run.out(), source + " changed: " + run.describe());
      assertTrue(run.err().contains(FakeTree.MVN_OUT), source + " changed: " + run.describe());

      // The jar Maven wrote is newer than the change: the next run does not build again.
      Run again = tree.launch(Map.of(), "demo");
      assertEquals(List.of(tree.java(List.of("-Xmx4g"), "demo")), tree.calls(),
          source + ", again: " + again.describe());
    }
  }

  @Test
  void aMissingJarIsBuiltFirst() throws Exception {
    FakeTree tree = new FakeTree(tmp);
    Files.delete(tree.jar);

    Run run = tree.launch(Map.of(), "demo");
    assertEquals(FakeTree.JAVA_EXIT, run.exit(), run.describe());
    assertEquals(List.of(tree.mavenPackage(), tree.java(List.of("-Xmx4g"), "demo")), tree.calls(), run.describe());
  }

  @Test
  void aNewerFileUnderATargetFolderIsNoReasonToBuild() throws Exception {
    FakeTree tree = new FakeTree(tmp);
    // What a build or a test run leaves in each module, all of it newer than the jar.
    for (String output : List.of("common/target/classes/dev/plg360/common/Settings.class",
        "jobs/target/surefire-reports/TEST-dev.plg360.jobs.DemoCommandTest.xml",
        "dist/target/classes/log4j2.properties", "jobs/target/plg360-jobs-0.1.0-SNAPSHOT.jar")) {
      tree.write(output, "built");
      tree.touchAfterTheJar(output);
    }

    Run run = tree.launch(Map.of(), "demo");
    assertEquals(FakeTree.JAVA_EXIT, run.exit(), run.describe());
    assertEquals(List.of(tree.java(List.of("-Xmx4g"), "demo")), tree.calls(), run.describe());
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  /** Runs {@code bin/plg360 args} from the root and checks it printed exactly the usage picocli makes of command. */
  private void assertHelp(CommandLine command, String name, String... args) throws Exception {
    Run run = realLauncher(Map.of(), args);
    String what = "bin/plg360 " + String.join(" ", args) + ": " + run.describe();
    assertEquals(0, run.exit(), what);
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("Usage: " + name + " ")), "the usage line of " + what);
    // The child writes to a file, not a terminal, so picocli prints no colours there either.
    assertEquals(command.getUsageMessage(CommandLine.Help.Ansi.OFF), run.out(), what);
  }

  /**
   * Runs the real bin/plg360 from the repository root. A stand-in mvn comes first on the PATH and fails: the jar
   * package just built is newer than every source, so the launcher must not start a build (one here would rebuild the
   * whole project beside the test).
   */
  private Run realLauncher(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path bin = Files.createDirectories(tmp.resolve("guard-bin"));
    script(bin.resolve("mvn"), "echo 'LauncherIT: bin/plg360 started a build: a file under pom.xml, common/, jobs/ or"
        + " dist/ is newer than dist/target/plg360-all.jar (changed during the build?)' >&2\nexit 97\n");
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    return run(command, ROOT, bin, env);
  }

  /**
   * Runs command in dir with bin first on the PATH and env over an environment without JVM options; kills it and its
   * children and fails if it runs over {@link #LIMIT}.
   */
  private Run run(List<String> command, Path dir, Path bin, Map<String, String> env)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(tmp, "run", ".out");
    Path err = Files.createTempFile(tmp, "run", ".err");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    JVM_ENV.forEach(pb.environment()::remove);
    pb.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      fail(String.join(" ", command) + " ran over " + LIMIT + " and was killed; stderr:\n" + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static void script(Path file, String body) throws IOException {
    Files.writeString(file, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static Config resolved(Config conf) {
    // Without the environment, so a PLG360_* variable of the machine cannot make the two sides differ or agree.
    return conf.resolve(ConfigResolveOptions.noSystem());
  }

  private static List<String> words(String s) {
    return s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    assertNotNull(value, "system property " + name + " (set by dist/pom.xml's failsafe configuration)");
    return value;
  }

  /** A finished run of the launcher. */
  record Run(int exit, String out, String err) {
    String describe() {
      return "exit " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
  }

  /** One call of a stand-in program: which, in which folder, with which arguments. */
  record Call(String program, String dir, List<String> args) {}

  /**
   * A throwaway copy of the repository's shape around a copy of bin/plg360: a root pom, a source file in each module,
   * a jar and jvm.options where package writes them, and stand-ins for mvn (which touches the jar, as a build would)
   * and java that log each call.
   */
  private final class FakeTree {
    static final List<String> SOURCES = List.of("pom.xml", "common/src/main/java/dev/plg360/common/Common.java",
        "jobs/src/main/java/dev/plg360/jobs/Jobs.java", "dist/src/main/resources/log4j2.properties");
    static final List<String> JVM_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=true");
    static final int JAVA_EXIT = 3;
    static final String JAVA_OUT = "fake java ran";
    static final String MVN_OUT = "fake mvn ran";
    private static final Instant JAR_TIME = Instant.now().minus(Duration.ofMinutes(10));

    final Path root;
    final Path jar;
    private final Path bin;
    private final Path log;
    private final Path elsewhere;

    FakeTree(Path tmp) throws IOException {
      root = Files.createDirectories(tmp.resolve("tree")).toRealPath();
      jar = root.resolve("dist/target/plg360-all.jar");
      bin = Files.createDirectories(tmp.resolve("fake-bin"));
      log = tmp.resolve("calls.log");
      // The launcher works from any folder: it is run from one outside the tree.
      elsewhere = Files.createDirectories(tmp.resolve("elsewhere")).toRealPath();
      Files.createDirectories(root.resolve("bin"));
      Files.copy(LAUNCHER, root.resolve("bin/plg360"), StandardCopyOption.COPY_ATTRIBUTES);
      for (String source : SOURCES) {
        write(source, "source");
      }
      write("dist/target/plg360-all.jar", "a jar");
      write("dist/target/jvm.options", String.join(" ", JVM_OPTIONS) + "\n");
      // Each call: a line with the program and the folder it ran in, then a line per argument, tab first.
      String logCall = "{ printf '%s\\t%s\\n' \"$(basename \"$0\")\" \"$(pwd -P)\";"
          + " for a in \"$@\"; do printf '\\t%s\\n' \"$a\"; done; } >> '" + log + "'\n";
      script(bin.resolve("mvn"), logCall + "echo '" + MVN_OUT + "'\ntouch '" + jar + "'\n");
      script(bin.resolve("java"), logCall + "echo '" + JAVA_OUT + "'\nexit " + JAVA_EXIT + "\n");
      ageEverything();
    }

    void write(String path, String text) throws IOException {
      Path file = root.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    }

    /** Sources an hour old, the jar and jvm.options ten minutes old: a jar built after the last change. */
    void ageEverything() throws IOException {
      for (String source : SOURCES) {
        Files.setLastModifiedTime(root.resolve(source), FileTime.from(Instant.now().minus(Duration.ofHours(1))));
      }
      Files.setLastModifiedTime(jar, FileTime.from(JAR_TIME));
      Files.setLastModifiedTime(root.resolve("dist/target/jvm.options"), FileTime.from(JAR_TIME));
    }

    /** Dated a minute after the jar and before now, so a jar the stand-in mvn touches is newer again. */
    void touchAfterTheJar(String path) throws IOException {
      Files.setLastModifiedTime(root.resolve(path), FileTime.from(JAR_TIME.plus(Duration.ofMinutes(1))));
    }

    /** Runs the copy of bin/plg360; the calls it makes are read by {@link #calls()}. */
    Run launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
      Files.deleteIfExists(log);
      List<String> command = new ArrayList<>(List.of(root.resolve("bin/plg360").toString()));
      command.addAll(List.of(args));
      return run(command, elsewhere, bin, env);
    }

    /** The stand-ins' calls of the last run, in order. */
    List<Call> calls() throws IOException {
      List<Call> calls = new ArrayList<>();
      List<String> args = null;
      for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
        if (line.startsWith("\t")) {
          assertNotNull(args, log + " starts with an argument");
          args.add(line.substring(1));
        } else {
          String[] programAndDir = line.split("\t", 2);
          args = new ArrayList<>();
          calls.add(new Call(programAndDir[0], programAndDir[1], args));
        }
      }
      return calls;
    }

    /** The build bin/plg360 runs: the whole project's package, from the root, without tests. */
    Call mavenPackage() {
      return new Call("mvn", root.toString(), List.of("-q", "-B", "-DskipTests", "package"));
    }

    /** {@code java <heap options> <jvm.options> -jar <the tree's jar> args}, from the folder it was run in. */
    Call java(List<String> heap, String... args) {
      List<String> all = new ArrayList<>(heap);
      all.addAll(JVM_OPTIONS);
      all.addAll(List.of("-jar", jar.toString()));
      all.addAll(List.of(args));
      return new Call("java", elsewhere.toString(), all);
    }
  }
}
