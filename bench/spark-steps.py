#!/usr/bin/env python3
"""Where a plg360 run's Spark time went, from Spark's event log: per plg360 job run (each runs its Spark jobs in a
job group named by its run id), the Spark jobs, stages and tasks it started, the tasks' summed run and CPU time, and
its longest SQL executions.

    bin/plg360 run --as-of 2026-10-31 ... -D plg360.spark.conf.spark.eventLog.enabled=true \\
        -D plg360.spark.conf.spark.eventLog.dir=/tmp/ev
    bench/spark-steps.py /tmp/ev/local-*            [--top N]

Stage times overlap (independent stages run side by side), so they are not summed; a task's run time includes the
time it waited for a core.
"""
import argparse
import collections
import json


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("event_log", help="a Spark event log file (uncompressed)")
    p.add_argument("--top", type=int, default=5, help="longest SQL executions shown per run (default 5)")
    args = p.parse_args()

    group_of_stage = {}
    group_of_query = {}
    query_start = {}
    runs = collections.OrderedDict()

    def run(group):
        return runs.setdefault(group or "(no plg360 run)", {
            "jobs": 0, "stages": 0, "tasks": 0, "run_ms": 0, "cpu_ms": 0.0, "queries": []})

    with open(args.event_log, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            kind = e["Event"]
            if kind == "SparkListenerJobStart":
                props = e.get("Properties") or {}
                group = props.get("spark.jobGroup.id")
                r = run(group)
                r["jobs"] += 1
                for s in e["Stage Infos"]:
                    group_of_stage[s["Stage ID"]] = group
                query = props.get("spark.sql.execution.id")
                if query is not None:
                    group_of_query.setdefault(int(query), group)
            elif kind == "SparkListenerStageCompleted":
                run(group_of_stage.get(e["Stage Info"]["Stage ID"]))["stages"] += 1
            elif kind == "SparkListenerTaskEnd":
                r = run(group_of_stage.get(e["Stage ID"]))
                m = e.get("Task Metrics") or {}
                r["tasks"] += 1
                r["run_ms"] += m.get("Executor Run Time", 0)
                r["cpu_ms"] += m.get("Executor CPU Time", 0) / 1e6
            elif kind.endswith("SQLExecutionStart"):
                query_start[e["executionId"]] = (e["time"], e.get("description", ""))
            elif kind.endswith("SQLExecutionEnd"):
                started = query_start.get(e["executionId"])
                if started and e["executionId"] in group_of_query:
                    run(group_of_query[e["executionId"]])["queries"].append(
                        (e["time"] - started[0], e["executionId"], started[1]))

    print(f"{'plg360 run':45s} {'Spark jobs':>10s} {'stages':>7s} {'tasks':>6s} {'task run s':>10s} {'task CPU s':>10s}")
    for group, r in runs.items():
        print(f"{group:45s} {r['jobs']:10d} {r['stages']:7d} {r['tasks']:6d} {r['run_ms'] / 1000:10.1f} "
              f"{r['cpu_ms'] / 1000:10.1f}")
    for group, r in runs.items():
        if r["queries"] and args.top > 0:
            print(f"\n{group}: longest SQL executions of {len(r['queries'])} with Spark jobs")
            for ms, query, description in sorted(r["queries"], reverse=True)[:args.top]:
                print(f"  {ms / 1000:7.2f} s  #{query} {description.splitlines()[0][:90] if description else ''}")


if __name__ == "__main__":
    main()
