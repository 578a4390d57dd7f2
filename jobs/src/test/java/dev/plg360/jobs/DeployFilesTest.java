package dev.plg360.jobs;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The scheduling files in deploy/ against the command line they drive: the Airflow DAG compiles and chains one task per
 * job in the order the jobs feed each other, the crontab and the Kubernetes CronJob are well formed, every plg360
 * subcommand and option the three name is one {@link Cli} has, the Java options they pass are the root pom's, and no
 * secret is written in any of them.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Path DAG = DEPLOY.resolve("airflow/plg360_daily.py");
  private static final Path CRONTAB = DEPLOY.resolve("cron/plg360.crontab");
  private static final Path CRONJOB = DEPLOY.resolve("kubernetes/plg360-cronjob.yaml");

  /** The jobs the daily DAG runs, in the order each feeds the next. */
  private static final List<String> CHAIN = List.of("ingest", "resolve", "build360", "train", "score", "activate",
      "report", "maintain");

  /**
   * Runs the DAG file under a stand-in for the few Airflow names it imports (Airflow itself need not be installed) and
   * prints its DAG's settings, each task's operator and arguments (default_args applied, as Airflow does) and every
   * dependency edge the file sets with >>, << or set_upstream/set_downstream, as JSON.
   */
  private static final String DAG_AS_JSON = """
      import json, os, runpy, sys, types

      class Names(type):
          def __getattr__(cls, name):
              return name.lower()

      class WeekDay(metaclass=Names): pass
      class TriggerRule(metaclass=Names): pass

      class DAG:
          current = None
          def __init__(self, dag_id, default_args=None, **kwargs):
              self.dag_id, self.default_args, self.kwargs = dag_id, default_args or {}, kwargs
              self.tasks, self.edges = {}, []
          def __enter__(self):
              DAG.current = self
              return self
          def __exit__(self, *exc):
              DAG.current = None

      def each(x):
          return list(x) if isinstance(x, (list, tuple)) else [x]

      class BaseOperator:
          def __init__(self, task_id, dag=None, **kwargs):
              self.dag = dag or DAG.current
              if self.dag is None or task_id in self.dag.tasks:
                  sys.exit("task " + task_id + " is outside a DAG or declared twice")
              self.task_id, self.args = task_id, {**self.dag.default_args, **kwargs}
              self.dag.tasks[task_id] = self
          def set_downstream(self, other):
              self.dag.edges.extend([self.task_id, o.task_id] for o in each(other))
          def set_upstream(self, other):
              self.dag.edges.extend([o.task_id, self.task_id] for o in each(other))
          def __rshift__(self, other):
              self.set_downstream(other)
              return other
          def __lshift__(self, other):
              self.set_upstream(other)
              return other
          def __rrshift__(self, other):
              self.set_upstream(other)
              return self
          def __rlshift__(self, other):
              self.set_downstream(other)
              return self

      class SparkSubmitOperator(BaseOperator):
          def execute(self, context):
              # What spark-submit would inherit: the PLG360_ variables of this process's environment.
              return {k: v for k, v in os.environ.items() if k.startswith("PLG360_")}

      class BaseHook:
          @staticmethod
          def get_connection(conn_id):
              return types.SimpleNamespace(password="password-of-" + conn_id)
      class EmptyOperator(BaseOperator): pass
      class BranchDayOfWeekOperator(BaseOperator): pass

      def module(name, **names):
          m = types.ModuleType(name)
          m.__dict__.update(names)
          sys.modules[name] = m

      for package in ["airflow.hooks", "airflow.operators", "airflow.providers", "airflow.providers.apache",
                      "airflow.providers.apache.spark", "airflow.providers.apache.spark.operators", "airflow.utils"]:
          module(package)
      module("airflow", DAG=DAG)
      module("airflow.hooks.base", BaseHook=BaseHook)
      module("airflow.operators.empty", EmptyOperator=EmptyOperator)
      module("airflow.operators.weekday", BranchDayOfWeekOperator=BranchDayOfWeekOperator)
      module("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)
      module("airflow.utils.trigger_rule", TriggerRule=TriggerRule)
      module("airflow.utils.weekday", WeekDay=WeekDay)
      module("pendulum", datetime=lambda *a, **k: "datetime" + repr(a), duration=lambda **k: k)

      namespace = runpy.run_path(sys.argv[1])
      dags = [v for v in namespace.values() if isinstance(v, DAG)]
      if len(dags) != 1:
          sys.exit("expected one DAG, found %d" % len(dags))
      dag = dags[0]
      def run(task):
          # Each task runs in a process of its own: the environment of one is not the next one's.
          before = dict(os.environ)
          try:
              return task.execute({}) if isinstance(task, SparkSubmitOperator) else None
          finally:
              os.environ.clear()
              os.environ.update(before)
      print(json.dumps({"dag_id": dag.dag_id, "settings": dag.kwargs, "edges": dag.edges,
                        "tasks": {t.task_id: {"operator": type(t).__name__, "spark_submit": isinstance(t, SparkSubmitOperator),
                                              "args": t.args, "environment": run(t)} for t in dag.tasks.values()}},
                       default=str))
      """;

  @TempDir
  Path tmp;

  // ---------------------------------------------------------------------------------------------------- Airflow

  @Test
  void theDagCompiles() throws Exception {
    python("-m", "py_compile", DAG.toString());
  }

  @Test
  void theDagRunsOneSparkSubmitPerJobWithItsDayAsTheAsOfDate() throws Exception {
    JsonNode dag = dag();
    assertEquals(1, dag.at("/settings/max_active_runs").asInt(), "no two runs of the chain at once on one lake");
    List<String> subcommands = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : fields(dag.get("tasks"))) {
      JsonNode task = e.getValue();
      if (!task.get("spark_submit").asBoolean()) {
        continue;
      }
      JsonNode args = task.at("/args");
      List<String> appArgs = strings(args.get("application_args"));
      String where = DAG + " task " + e.getKey() + " " + appArgs;
      assertEquals(e.getKey(), appArgs.get(0), where + ": the task is named after its job");
      assertEquals(Cli.class.getName(), args.get("java_class").asText(), where);
      assertFalse(args.path("application").asText().isBlank(), where + ": the jar");
      assertEquals("{{ ds }}", valueOf(appArgs, "--as-of"), where + ": each day its own as-of date");
      assertEquals("{{ var.value.plg360_conf }}", valueOf(appArgs, "--conf"), where + ": the file, read by the driver");
      assertEquals(jvmOptions(), args.at("/conf/spark.driver.extraJavaOptions").asText(), where);
      assertEquals(jvmOptions(), args.at("/conf/spark.executor.extraJavaOptions").asText(), where);
      // The secrets reach spark-submit through the task's environment, from Airflow connections, and are on no
      // command line: the provider turns env_vars into --conf settings on YARN and Kubernetes.
      assertTrue(args.path("env_vars").isMissingNode(), where + ": no env_vars");
      assertEquals(Map.of("PLG360_JDBC_PASSWORD", "password-of-plg360_postgres", "PLG360_MASK_SECRET",
          "password-of-plg360_mask"), new ObjectMapper().convertValue(task.get("environment"), Map.class), where);
      assertFalse(args.toString().contains("password-of-") || args.toString().contains("conn."), where + ": " + args);
      assertSubcommandAndOptions(where, appArgs);
      subcommands.add(appArgs.get(0));
    }
    assertEquals(Set.copyOf(CHAIN), Set.copyOf(subcommands), "one task per job");
    assertEquals(CHAIN.size(), subcommands.size(), "one task per job: " + subcommands);
  }

  @Test
  void theDagsTasksRunInChainOrder() throws Exception {
    JsonNode dag = dag();
    Map<String, Set<String>> downstream = new HashMap<>();
    for (JsonNode edge : dag.get("edges")) {
      downstream.computeIfAbsent(edge.get(0).asText(), k -> new HashSet<>()).add(edge.get(1).asText());
      assertTrue(dag.get("tasks").has(edge.get(0).asText()) && dag.get("tasks").has(edge.get(1).asText()), edge.toString());
    }
    for (int i = 1; i < CHAIN.size(); i++) {
      String before = CHAIN.get(i - 1);
      String after = CHAIN.get(i);
      assertTrue(reachable(downstream, before).contains(after), after + " runs after " + before + ": " + dag.get("edges"));
      assertFalse(reachable(downstream, after).contains(before), before + " never runs after " + after);
    }
    dag.get("tasks").fieldNames().forEachRemaining(task ->
        assertFalse(reachable(downstream, task).contains(task), "no cycle through " + task));
  }

  // ---------------------------------------------------------------------------------------------------- cron

  @Test
  void theCrontabRunsTheChainDailyAndMaintainWeekly() throws Exception {
    Map<String, String> variables = new LinkedHashMap<>();
    List<List<String>> commands = new ArrayList<>();
    Pattern schedule = Pattern.compile("^(\\S+\\s+){5}(?<command>.+)$");
    Pattern variable = Pattern.compile("^(?<name>[A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(?<value>.*)$");
    for (String line : Files.readAllLines(CRONTAB)) {
      if (line.isBlank() || line.strip().startsWith("#")) {
        continue;
      }
      Matcher v = variable.matcher(line);
      if (v.matches()) {
        variables.put(v.group("name"), v.group("value"));
        continue;
      }
      Matcher m = schedule.matcher(line);
      assertTrue(m.matches(), CRONTAB + ": neither a setting nor five time fields and a command: " + line);
      String command = m.group("command");
      // cron turns an unescaped % into a newline and feeds what follows to the command's standard input.
      assertFalse(command.replace("\\%", "").contains("%"), CRONTAB + ": a % not written \\%: " + line);
      commands.add(shellWords(command.replace("\\%", "%")));
    }
    assertEquals(jvmOptions(), variables.get("PLG360_JVM_OPTIONS"), CRONTAB + ": the root pom's spark.jvm.options");
    variables.keySet().forEach(name -> assertFalse(name.matches("(?i).*(password|secret|token).*"),
        CRONTAB + " sets " + name + ": secrets belong in the environment file, not in the crontab"));
    List<List<String>> invocations = new ArrayList<>();
    for (List<String> words : commands) {
      List<String> plg360 = plg360Args(CRONTAB, words);
      assertTrue(valueOf(plg360, "--as-of").contains("date -u -d yesterday"), CRONTAB + ": as of yesterday: " + plg360);
      invocations.add(plg360);
    }
    assertEquals(List.of("run", "maintain"), invocations.stream().map(args -> args.get(0)).toList());
    assertAll(invocations.stream().map(args -> () -> assertSubcommandAndOptions(CRONTAB + " " + args, args)));
  }

  // ---------------------------------------------------------------------------------------------------- Kubernetes

  @Test
  void theCronJobRunsTheChainWithItsSecretsFromASecret() throws Exception {
    List<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(CRONJOB.toFile()).readAll();
    Map<String, JsonNode> byKind = new HashMap<>();
    for (JsonNode doc : docs) {
      assertNotNull(doc.get("kind"), CRONJOB + ": a document without a kind");
      assertNotEquals("Secret", doc.get("kind").asText(), CRONJOB + " must not hold a Secret: create it apart");
      byKind.put(doc.get("kind").asText(), doc);
    }
    JsonNode cronJob = byKind.get("CronJob");
    assertNotNull(cronJob, CRONJOB + " has a CronJob");
    assertEquals("batch/v1", cronJob.get("apiVersion").asText());
    assertEquals("Forbid", cronJob.at("/spec/concurrencyPolicy").asText(), "no two runs at once on one lake");
    JsonNode pod = cronJob.at("/spec/jobTemplate/spec/template/spec");
    assertEquals(byKind.get("ServiceAccount").at("/metadata/name").asText(), pod.get("serviceAccountName").asText());
    JsonNode container = pod.at("/containers/0");

    Map<String, JsonNode> env = new HashMap<>();
    container.get("env").forEach(e -> env.put(e.get("name").asText(), e));
    for (String secret : List.of("PLG360_JDBC_PASSWORD", "PLG360_MASK_SECRET")) {
      JsonNode e = env.get(secret);
      assertNotNull(e, CRONJOB + ": " + secret + " in the driver's environment");
      assertFalse(e.has("value"), CRONJOB + ": " + secret + " written in the file");
      assertFalse(e.at("/valueFrom/secretKeyRef/name").asText().isBlank(), CRONJOB + ": " + secret + " from a Secret");
    }
    env.values().forEach(e -> assertFalse(e.get("name").asText().matches("(?i).*(password|secret|token).*") && e.has("value"),
        CRONJOB + ": " + e.get("name").asText() + " has a literal value"));
    assertEquals(jvmOptions(), env.get("PLG360_JVM_OPTIONS").get("value").asText(), "the root pom's spark.jvm.options");

    assertEquals(List.of("/bin/bash", "-c"), strings(container.get("command")));
    List<String> words = shellWords(container.at("/args/0").asText());
    assertTrue(words.contains("k8s://https://kubernetes.default.svc"), CRONJOB + ": spark-submit against the API server");
    List<String> plg360 = plg360Args(CRONJOB, words);
    assertEquals("run", plg360.get(0), CRONJOB + ": the daily chain");
    assertTrue(valueOf(plg360, "--as-of").contains("date -u -d yesterday"), CRONJOB + ": as of yesterday: " + plg360);

    // The --conf file is the ConfigMap's, mounted where the command reads it.
    Path conf = Path.of(valueOf(plg360, "--conf"));
    JsonNode mount = container.at("/volumeMounts/0");
    assertEquals(conf.getParent().toString(), mount.get("mountPath").asText());
    JsonNode volume = pod.at("/volumes/0");
    assertEquals(mount.get("name").asText(), volume.get("name").asText());
    JsonNode configMap = byKind.get("ConfigMap");
    assertEquals(configMap.at("/metadata/name").asText(), volume.at("/configMap/name").asText());
    String confText = configMap.at("/data").get(conf.getFileName().toString()).asText();
    assertFalse(confText.toLowerCase().contains("password"), CRONJOB + ": the ConfigMap holds no password");
    assertSubcommandAndOptions(CRONJOB + " " + plg360, plg360);
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  /** The subcommand is one of Cli's, and every option given is one of that subcommand's. */
  private static void assertSubcommandAndOptions(String where, List<String> args) {
    Map<String, CommandLine> subcommands = new CommandLine(new Cli()).getSubcommands();
    CommandLine sub = subcommands.get(args.get(0));
    assertNotNull(sub, where + ": plg360 has no subcommand " + args.get(0) + "; it has " + subcommands.keySet());
    for (String word : args.subList(1, args.size())) {
      if (!word.startsWith("-")) {
        continue;
      }
      String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
      boolean known = sub.getCommandSpec().findOption(name) != null
          || name.length() > 2 && !name.startsWith("--") && sub.getCommandSpec().findOption(name.substring(0, 2)) != null;
      assertTrue(known, where + ": plg360 " + args.get(0) + " has no option " + name);
    }
  }

  /** The words after the application jar of a spark-submit command (--class dev.plg360.jobs.Cli), to a shell operator. */
  private static List<String> plg360Args(Path file, List<String> words) {
    int main = words.indexOf("--class");
    assertTrue(main >= 0 && words.get(main + 1).equals(Cli.class.getName()), file + ": spark-submit --class " + Cli.class.getName());
    int jar = main + 2;
    assertTrue(words.get(jar).endsWith(".jar"), file + ": the application jar follows the spark-submit options: " + words);
    List<String> args = new ArrayList<>();
    for (String w : words.subList(jar + 1, words.size())) {
      if (Set.of(">", ">>", "2>&1", "&&", "||", ";", "|", "&").contains(w)) {
        break;
      }
      args.add(w);
    }
    assertFalse(args.isEmpty(), file + ": a subcommand after the jar");
    return args;
  }

  /** The words of a shell command line: split on blanks outside quotes, quotes and backslashes removed. */
  static List<String> shellWords(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == 0 && Character.isWhitespace(c)) {
        if (inWord) {
          words.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
        inWord = true;
      } else if (quote != 0 && c == quote) {
        quote = 0;
      } else if (c == '\\' && quote != '\'' && i + 1 < line.length()) {
        w.append(line.charAt(++i));
        inWord = true;
      } else {
        w.append(c);
        inWord = true;
      }
    }
    assertEquals(0, quote, "a quote left open in: " + line);
    if (inWord) {
      words.add(w.toString());
    }
    return words;
  }

  private JsonNode dag() throws Exception {
    return new ObjectMapper().readTree(python("-c", DAG_AS_JSON, DAG.toString()));
  }

  /** Runs python3 with these arguments and returns what it printed; fails with its errors if it fails. */
  private String python(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("python3"));
    command.addAll(List.of(args));
    Path err = tmp.resolve("python.err");
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
    // Compiled files go to the temporary folder, not beside the DAG.
    pb.environment().put("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 ends");
    assertEquals(0, p.exitValue(), "python3 " + String.join(" ", args).lines().findFirst().orElse("") + " failed:\n"
        + Files.readString(err));
    return out;
  }

  /** The root pom's spark.jvm.options: the Java 17 openings plg360 is tested with. */
  private static String jvmOptions() throws IOException {
    Matcher m = Pattern.compile("<spark.jvm.options>(.*)</spark.jvm.options>").matcher(Files.readString(Path.of("..", "pom.xml")));
    assertTrue(m.find(), "spark.jvm.options in the root pom");
    return m.group(1);
  }

  private static String valueOf(List<String> args, String option) {
    int i = args.indexOf(option);
    assertTrue(i >= 0 && i + 1 < args.size(), option + " with a value in " + args);
    return args.get(i + 1);
  }

  private static Set<String> reachable(Map<String, Set<String>> downstream, String from) {
    Set<String> seen = new HashSet<>();
    List<String> todo = new ArrayList<>(downstream.getOrDefault(from, Set.of()));
    while (!todo.isEmpty()) {
      String t = todo.remove(todo.size() - 1);
      if (seen.add(t)) {
        todo.addAll(downstream.getOrDefault(t, Set.of()));
      }
    }
    return seen;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<Map.Entry<String, JsonNode>> fields(JsonNode object) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    object.fields().forEachRemaining(out::add);
    return out;
  }
}
