"""plg360's daily chain on Apache Airflow 3: one spark-submit task per job, in the order the jobs feed each other.

    ingest >> resolve >> build360 >> (train, Sundays) >> score >> activate >> report >> (maintain, Sundays)

Needs Airflow 3.2 or later with apache-airflow-providers-standard and apache-airflow-providers-apache-spark; tested
with Airflow 3.3.2, standard 1.21.0 and apache-spark 6.3.4 (deploy/airflow/test-env.sh). It imports from the Task SDK
(airflow.sdk), which Airflow 2 does not have; CronDataIntervalTimetable is in airflow.sdk from Airflow 3.2 on.

Every task runs the thin jar's command line (dev.plg360.jobs.Cli) with --as-of {{ ds }}, the run's logical date: the
run that starts at 02:30 UTC computes the day before, and a backfill (airflow backfill create --dag-id plg360_daily
--from-date 2026-10-01 --to-date 2026-10-31 --max-active-runs 1) gives each day its own as-of date, oldest first, one
run at a time. plg360's jobs are not run side by side on one lake: max_active_runs=1 holds the scheduled runs to one
at a time, and --max-active-runs 1 a backfill's, which Airflow counts apart from them.

train and maintain are weekly, chosen by a branch on the logical date's weekday (BranchDayOfWeekOperator): the same
DAG run, so they never overlap the daily jobs, and a backfill trains on the Sundays it covers, as the daily runs
would have. On other days score uses the current model.

Set once in Airflow (deploy/README.md):
- a Spark connection `spark_plg360`: host yarn (or spark://...), extra {"deploy-mode": "client"}: the driver runs in
  the task's process on the Airflow worker, as on the cron edge node (on Kubernetes, use deploy/kubernetes instead);
- Variables `plg360_jar` (the thin jar, local or an hdfs:// or s3a:// URI) and `plg360_conf` (the path of the
  configuration file on the worker: the driver reads it there);
- connections `plg360_postgres` (its password is the database password) and `plg360_mask` (its password is the key
  that masks personal data). Each task puts them into its own process's environment as PLG360_JDBC_PASSWORD and
  PLG360_MASK_SECRET just before spark-submit starts, which inherits them: no secret is written here, none goes on
  a command line (SparkSubmitOperator's env_vars would: --conf spark.yarn.appMasterEnv.*=<value>, readable by
  anyone on the worker with ps), and Airflow masks connection passwords in logs and rendered templates.
"""
import os

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.weekday import BranchDayOfWeekOperator
from airflow.providers.standard.utils.weekday import WeekDay
from airflow.sdk import DAG, BaseHook, CronDataIntervalTimetable, TriggerRule

# The Java 17 module openings plg360 is built and tested with: the root pom's spark.jvm.options, word for word.
JVM_OPTIONS = " ".join([
    "-XX:+IgnoreUnrecognizedVMOptions",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
    "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
    "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
    "-Djdk.reflect.useDirectMethodHandle=false",
    "-Dio.netty.tryReflectionSetAccessible=true",
])

# What every task passes to spark-submit. Airflow applies these to each SparkSubmitOperator below.
default_args = {
    "conn_id": "spark_plg360",
    "application": "{{ var.value.plg360_jar }}",
    "java_class": "dev.plg360.jobs.Cli",
    "conf": {
        "spark.driver.extraJavaOptions": JVM_OPTIONS,
        "spark.executor.extraJavaOptions": JVM_OPTIONS,
        # Airflow retries a failed task; a second YARN attempt of the same run would only delay it.
        "spark.yarn.maxAppAttempts": "1",
    },
    "name": "plg360-{{ task.task_id }}-{{ ds }}",
    # A job killed part-way is finished by its next run (docs/OPERATIONS.md): retrying is safe.
    "retries": 2,
    "retry_delay": pendulum.duration(minutes=10),
    "execution_timeout": pendulum.duration(hours=6),
}


class Plg360SparkSubmitOperator(SparkSubmitOperator):
    """spark-submit with plg360's secrets in its environment, read from Airflow connections when the task runs."""

    # Environment variable -> the connection whose password it is.
    secrets = {"PLG360_JDBC_PASSWORD": "plg360_postgres", "PLG360_MASK_SECRET": "plg360_mask"}

    def execute(self, context):
        # The task's own process: spark-submit (and the driver, in client mode) inherits its environment.
        for variable, conn_id in self.secrets.items():
            os.environ[variable] = BaseHook.get_connection(conn_id).password
        return super().execute(context)


def plg360_job(job, **kwargs):
    """The task that runs one plg360 job (its subcommand, also the task's id) for the run's logical date."""
    return Plg360SparkSubmitOperator(
        task_id=job, application_args=[job, "--as-of", "{{ ds }}", "--conf", "{{ var.value.plg360_conf }}"], **kwargs)


with DAG(
    dag_id="plg360_daily",
    description="plg360: land, resolve, build the customer-360 tables, score and deliver, once a day",
    # Each run covers the day before its start, and that day is its logical date ({{ ds }}). By default Airflow 3 reads
    # a bare cron string as a trigger timetable, whose logical date is the start itself: every run would compute today.
    schedule=CronDataIntervalTimetable("30 2 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["plg360"],
) as dag:
    ingest = plg360_job("ingest")
    resolve = plg360_job("resolve")
    build360 = plg360_job("build360")

    training_day = BranchDayOfWeekOperator(
        task_id="training_day", week_day=WeekDay.SUNDAY, use_task_logical_date=True,
        follow_task_ids_if_true="train", follow_task_ids_if_false="no_training")
    train = plg360_job("train")
    no_training = EmptyOperator(task_id="no_training")

    # After train, or after no_training when train was skipped; not after a failed train.
    score = plg360_job("score", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    activate = plg360_job("activate")
    report = plg360_job("report")

    maintenance_day = BranchDayOfWeekOperator(
        task_id="maintenance_day", week_day=WeekDay.SUNDAY, use_task_logical_date=True,
        follow_task_ids_if_true="maintain", follow_task_ids_if_false="no_maintenance")
    maintain = plg360_job("maintain", execution_timeout=pendulum.duration(hours=12))
    no_maintenance = EmptyOperator(task_id="no_maintenance")

    ingest >> resolve >> build360 >> training_day >> [train, no_training] >> score
    score >> activate >> report >> maintenance_day >> [maintain, no_maintenance]
