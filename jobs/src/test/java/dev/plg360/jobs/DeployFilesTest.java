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
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The scheduling files in deploy/ against the command line they drive: the Airflow DAG loads in Airflow 3 (installed
 * by deploy/airflow/test-env.sh) and chains one task per job in the order the jobs feed each other, the crontab and the
 * Kubernetes CronJob are well formed, every plg360 subcommand and option the three name is one {@link Cli} has, the
 * Java options they pass are the root pom's, and no secret is written in any of them.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Path DAG = DEPLOY.resolve("airflow/plg360_daily.py");
  private static final Path CRONTAB = DEPLOY.resolve("cron/plg360.crontab");
  private static final Path CRONJOB = DEPLOY.resolve("kubernetes/plg360-cronjob.yaml");

  /** The jobs the daily DAG runs, in the order each feeds the next. */
  private static final List<String> CHAIN = List.of("ingest", "resolve", "build360", "train", "score", "activate",
      "report", "maintain");

  /** The two Airflow Variables the DAG reads, as the test sets them: the thin jar and the configuration file. */
  private static final String JAR = "/opt/plg360/plg360-jobs-spark.jar";
  private static final String CONF = "/etc/plg360/plg360.conf";
  /** The passwords of the connections plg360_postgres and plg360_mask, new for each test run. */
  private static final String JDBC_PASSWORD = "jdbc-" + UUID.randomUUID();
  private static final String MASK_SECRET = "mask-" + UUID.randomUUID();

  /**
   * Loads the DAG folder with Airflow's own DagBag and writes as JSON (to the file named by its second argument): the
   * import errors, warnings and DAG ids; the DAG's settings; the first week of its runs as Airflow's scheduler would
   * create them from start_date (the DAG as the DAG processor serializes it), with the branch each weekday operator
   * takes in each; and for every task its operator, upstream and downstream tasks and trigger rule, and for each
   * spark-submit task its arguments as written and what it starts for the first run: the task's own execute, with the
   * templates rendered, the connections read by Airflow's BaseHook and the command line built by the provider's
   * SparkSubmitHook, only the spark-submit process stood in for (its command line and the PLG360_ variables of its
   * environment are recorded).
   */
  private static final String DAG_AS_JSON = """
      import copy, json, os, sys
      from unittest import mock

      from airflow.dag_processing.dagbag import DagBag
      from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
      from airflow.providers.standard.operators.weekday import BranchDayOfWeekOperator
      from airflow.sdk.execution_time.context import ConnectionAccessor, VariableAccessor
      from airflow.serialization.serialized_objects import DagSerialization
      from airflow.timetables.base import TimeRestriction

      folder, out = sys.argv[1], sys.argv[2]
      bag = DagBag(dag_folder=folder)
      result = {"import_errors": {str(f): str(e) for f, e in bag.import_errors.items()},
                "warnings": {str(f): list(w) for f, w in bag.captured_warnings.items()}, "dag_ids": sorted(bag.dag_ids)}
      dag = bag.dags.get("plg360_daily")

      def context(task, run):
          # The keys of the template context that the DAG reads, made as Airflow's task runner makes them.
          return {"dag": dag, "task": task, "logical_date": run.logical_date,
                  "ds": run.logical_date.strftime("%Y-%m-%d"),
                  "data_interval_start": run.data_interval.start, "data_interval_end": run.data_interval.end,
                  "var": {"json": VariableAccessor(deserialize_json=True),
                          "value": VariableAccessor(deserialize_json=False)},
                  "conn": ConnectionAccessor()}

      def submit(task, run):
          started = []
          # Records what the provider's hook would start; spark-submit itself is not run.
          class SparkSubmit:
              def __init__(self, command, env=None, **kwargs):
                  # Without env, the process inherits this one's environment.
                  variables = os.environ if env is None else env
                  started.append({"command": list(command),
                                  "environment": {k: v for k, v in variables.items() if k.startswith("PLG360_")}})
                  self.stdout = []
              def wait(self):
                  return 0
          before = dict(os.environ)
          try:
              task.render_template_fields(context(task, run))
              with mock.patch("subprocess.Popen", SparkSubmit):
                  task.execute(context(task, run))
          finally:
              # Each task runs in a process of its own: the environment of one is not the next one's.
              os.environ.clear()
              os.environ.update(before)
          if len(started) != 1:
              sys.exit("%s started %d processes" % (task.task_id, len(started)))
          return started[0]

      if dag is not None:
          scheduled = DagSerialization.from_dict(DagSerialization.to_dict(dag))
          restriction = TimeRestriction(earliest=scheduled.start_date, latest=None, catchup=True)
          runs, interval = [], None
          for _ in range(7):
              run = scheduled.timetable.next_dagrun_info(last_automated_data_interval=interval, restriction=restriction)
              runs.append(run)
              interval = run.data_interval
          branches = [t for t in dag.tasks if isinstance(t, BranchDayOfWeekOperator)]
          spark_submits = [t for t in dag.tasks if isinstance(t, SparkSubmitOperator)]
          tasks = {t.task_id: {"operator": type(t).__name__, "spark_submit": isinstance(t, SparkSubmitOperator),
                               "upstream": sorted(t.upstream_task_ids), "downstream": sorted(t.downstream_task_ids),
                               "trigger_rule": t.trigger_rule.value} for t in dag.tasks}
          for t in spark_submits:
              tasks[t.task_id]["args"] = copy.deepcopy({"application": t.application, "conf": t.conf, "name": t.name,
                                                        "application_args": t.application_args, "env_vars": t.env_vars})
          for t in spark_submits:
              tasks[t.task_id]["submitted"] = submit(t, runs[0])
          result.update({
              "settings": {"max_active_runs": dag.max_active_runs, "catchup": dag.catchup},
              "runs": [{"run_after": r.run_after.isoformat(), "logical_date": r.logical_date.isoformat(),
                        "branches": {b.task_id: b.choose_branch(context(b, r)) for b in branches}} for r in runs],
              "tasks": tasks})
      with open(out, "w") as f:
          json.dump(result, f, default=str)
      """;

  /** The DAG as Airflow loads it: one DagBag load for the class, made by the first test that asks. */
  private static JsonNode airflowDag;

  @TempDir
  Path tmp;

  // ---------------------------------------------------------------------------------------------------- Airflow

  @Test
  void theDagLoadsInAirflowsDagBag() throws Exception {
    JsonNode dag = dag();
    assertEquals(0, dag.get("import_errors").size(), DAG + " imports: " + dag.get("import_errors"));
    // Airflow 3 still finds most of Airflow 2's names, with a warning that the next release may not.
    assertEquals(0, dag.get("warnings").size(), DAG + " warns: " + dag.get("warnings"));
    assertEquals(List.of("plg360_daily"), strings(dag.get("dag_ids")), DAG + ": one DAG");
  }

  @Test
  void theDagRunsOneSparkSubmitPerJobWithItsDayAsTheAsOfDate() throws Exception {
    JsonNode dag = dag();
    assertEquals(1, dag.at("/settings/max_active_runs").asInt(), "no two runs of the chain at once on one lake");
    String firstDay = OffsetDateTime.parse(dag.at("/runs/0/logical_date").asText()).toLocalDate().toString();
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
      assertFalse(args.path("application").asText().isBlank(), where + ": the jar");
      assertEquals("{{ ds }}", valueOf(appArgs, "--as-of"), where + ": each day its own as-of date");
      assertEquals("{{ var.value.plg360_conf }}", valueOf(appArgs, "--conf"), where + ": the file, read by the driver");
      assertEquals(jvmOptions(), args.at("/conf/spark.driver.extraJavaOptions").asText(), where);
      assertEquals(jvmOptions(), args.at("/conf/spark.executor.extraJavaOptions").asText(), where);
      // The secrets reach spark-submit through the task's environment, from Airflow connections, and are on no
      // command line: the provider turns env_vars into --conf settings on YARN and Kubernetes.
      assertTrue(args.path("env_vars").isNull(), where + ": no env_vars");
      assertFalse(args.toString().contains(JDBC_PASSWORD) || args.toString().contains(MASK_SECRET)
          || args.toString().contains("conn."), where + ": " + args);

      List<String> command = strings(task.at("/submitted/command"));
      int jar = command.indexOf(JAR);
      int main = command.indexOf("--class");
      assertTrue(jar > 0, where + ": the application is the plg360_jar Variable: " + command);
      assertTrue(main > 0 && main < jar && command.get(main + 1).equals(Cli.class.getName()),
          where + ": spark-submit --class " + Cli.class.getName() + ": " + command);
      List<String> plg360 = command.subList(jar + 1, command.size());
      assertEquals(List.of(e.getKey(), "--as-of", firstDay, "--conf", CONF), plg360,
          where + ": the first run's command");
      assertEquals(Map.of("PLG360_JDBC_PASSWORD", JDBC_PASSWORD, "PLG360_MASK_SECRET", MASK_SECRET),
          new ObjectMapper().convertValue(task.at("/submitted/environment"), Map.class),
          where + ": spark-submit's environment");
      assertFalse(String.join(" ", command).contains(JDBC_PASSWORD) || String.join(" ", command).contains(MASK_SECRET),
          where + ": a secret on the command line " + command);
      assertSubcommandAndOptions(where, plg360);
      subcommands.add(appArgs.get(0));
    }
    assertEquals(Set.copyOf(CHAIN), Set.copyOf(subcommands), "one task per job");
    assertEquals(CHAIN.size(), subcommands.size(), "one task per job: " + subcommands);
  }

  @Test
  void theDagsTasksRunInChainOrder() throws Exception {
    JsonNode tasks = dag().get("tasks");
    Map<String, Set<String>> downstream = new HashMap<>();
    Map<String, Set<String>> upstream = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(tasks)) {
      downstream.put(e.getKey(), Set.copyOf(strings(e.getValue().get("downstream"))));
      upstream.put(e.getKey(), Set.copyOf(strings(e.getValue().get("upstream"))));
    }
    assertEquals(Map.ofEntries(
        Map.entry("ingest", Set.of("resolve")),
        Map.entry("resolve", Set.of("build360")),
        Map.entry("build360", Set.of("training_day")),
        Map.entry("training_day", Set.of("train", "no_training")),
        Map.entry("train", Set.of("score")),
        Map.entry("no_training", Set.of("score")),
        Map.entry("score", Set.of("activate")),
        Map.entry("activate", Set.of("report")),
        Map.entry("report", Set.of("maintenance_day")),
        Map.entry("maintenance_day", Set.of("maintain", "no_maintenance")),
        Map.entry("maintain", Set.of()),
        Map.entry("no_maintenance", Set.of())), downstream, DAG + ": each task's downstream tasks");
    for (String task : upstream.keySet()) {
      Set<String> before = new HashSet<>();
      downstream.forEach((other, after) -> {
        if (after.contains(task)) {
          before.add(other);
        }
      });
      assertEquals(before, upstream.get(task), DAG + ": " + task + "'s upstream tasks");
    }
    for (int i = 1; i < CHAIN.size(); i++) {
      String before = CHAIN.get(i - 1);
      String after = CHAIN.get(i);
      assertTrue(reachable(downstream, before).contains(after), after + " runs after " + before + ": " + downstream);
      assertFalse(reachable(downstream, after).contains(before), before + " never runs after " + after);
    }
    downstream.keySet().forEach(task ->
        assertFalse(reachable(downstream, task).contains(task), "no cycle through " + task));
  }

  @Test
  void theDagTrainsAndMaintainsOnSundaysAndScoresEveryDay() throws Exception {
    JsonNode dag = dag();
    JsonNode tasks = dag.get("tasks");
    for (Map.Entry<String, JsonNode> e : fields(tasks)) {
      // After train, or after no_training when train was skipped; not after a failed train.
      String rule = e.getKey().equals("score") ? "none_failed_min_one_success" : "all_success";
      assertEquals(rule, e.getValue().get("trigger_rule").asText(), DAG + " task " + e.getKey() + "'s trigger rule");
    }
    assertEquals("BranchDayOfWeekOperator", tasks.at("/training_day/operator").asText());
    assertEquals("BranchDayOfWeekOperator", tasks.at("/maintenance_day/operator").asText());
    assertEquals("EmptyOperator", tasks.at("/no_training/operator").asText());
    assertEquals("EmptyOperator", tasks.at("/no_maintenance/operator").asText());
    int sundays = 0;
    for (JsonNode run : dag.get("runs")) {
      boolean sunday = OffsetDateTime.parse(run.get("logical_date").asText()).getDayOfWeek() == DayOfWeek.SUNDAY;
      sundays += sunday ? 1 : 0;
      String where = DAG + ": the run of " + run.get("logical_date").asText();
      assertEquals(sunday ? "train" : "no_training", run.at("/branches/training_day").asText(), where);
      assertEquals(sunday ? "maintain" : "no_maintenance", run.at("/branches/maintenance_day").asText(), where);
    }
    assertEquals(1, sundays, "a week of runs: " + dag.get("runs"));
  }

  @Test
  void theDagRunsEachDayAfterItEnds() throws Exception {
    JsonNode dag = dag();
    assertFalse(dag.at("/settings/catchup").asBoolean(true),
        "turned on, the DAG does not run every day since its start date");
    OffsetDateTime previous = null;
    for (JsonNode run : dag.get("runs")) {
      OffsetDateTime start = OffsetDateTime.parse(run.get("run_after").asText());
      OffsetDateTime logical = OffsetDateTime.parse(run.get("logical_date").asText());
      String where = DAG + ": " + run;
      assertEquals(LocalTime.of(2, 30), start.toLocalTime(), where + ": at 02:30");
      assertEquals(ZoneOffset.UTC, start.getOffset(), where + ": in UTC");
      // {{ ds }} is the logical date's day: the run computes the day before the one it starts on.
      assertEquals(start.toLocalDate().minusDays(1), logical.toLocalDate(), where + ": as of the day before its start");
      if (previous != null) {
        assertEquals(previous.plusDays(1), start, where + ": once a day");
      }
      previous = start;
    }
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
    if (airflowDag == null) {
      Path python = airflowPython();
      Path out = tmp.resolve("dag.json");
      ProcessBuilder pb = new ProcessBuilder(python.toString(), "-c", DAG_AS_JSON,
          DAG.getParent().toAbsolutePath().toString(), out.toString());
      Map<String, String> env = pb.environment();
      env.keySet().removeIf(k -> k.startsWith("AIRFLOW") || k.startsWith("PLG360_") || k.startsWith("PYTHON"));
      env.put("AIRFLOW_HOME", Files.createDirectories(tmp.resolve("airflow")).toString());
      env.put("AIRFLOW__CORE__LOAD_EXAMPLES", "False");
      // The Spark connection and Variables an operator sets once (deploy/README.md), and the two secret connections,
      // where Airflow reads them from the environment.
      ObjectMapper json = new ObjectMapper();
      env.put("AIRFLOW_CONN_SPARK_PLG360", json.writeValueAsString(
          Map.of("conn_type", "spark", "host", "yarn", "extra", Map.of("deploy-mode", "client"))));
      env.put("AIRFLOW_CONN_PLG360_POSTGRES", json.writeValueAsString(
          Map.of("conn_type", "postgres", "host", "db", "login", "plg360", "password", JDBC_PASSWORD)));
      env.put("AIRFLOW_CONN_PLG360_MASK", json.writeValueAsString(
          Map.of("conn_type", "generic", "password", MASK_SECRET)));
      env.put("AIRFLOW_VAR_PLG360_JAR", JAR);
      env.put("AIRFLOW_VAR_PLG360_CONF", CONF);
      // Compiled files go to the temporary folder, not beside the DAG.
      env.put("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString());
      run(pb, "Airflow's DagBag on " + DAG, 2);
      airflowDag = json.readTree(out.toFile());
    }
    assertEquals(List.of("plg360_daily"), strings(airflowDag.get("dag_ids")),
        DAG + " in Airflow's DagBag: " + airflowDag.get("import_errors"));
    return airflowDag;
  }

  /** The python of the virtualenv with Airflow in it, which deploy/airflow/test-env.sh installs when it is missing. */
  private Path airflowPython() throws IOException, InterruptedException {
    String out = run(new ProcessBuilder("bash", DEPLOY.resolve("airflow/test-env.sh").toString()),
        "deploy/airflow/test-env.sh", 30);
    return Path.of(out.strip().lines().reduce((first, last) -> last).orElseThrow());
  }

  /** Runs a process and returns what it printed; fails with its errors if it fails or outlives the minutes given. */
  private String run(ProcessBuilder pb, String what, int minutes) throws IOException, InterruptedException {
    Path err = Files.createTempFile(tmp, "stderr", ".txt");
    Process p = pb.redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(minutes, TimeUnit.MINUTES), what + " ends");
    assertEquals(0, p.exitValue(), what + " failed:\n" + Files.readString(err));
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
