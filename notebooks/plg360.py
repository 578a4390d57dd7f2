"""plg360 from a notebook: every call goes through plg360's own command line, so a notebook runs wherever the jar
runs (a laptop with the demo's lake, or an edge node whose launcher submits to a cluster).

Environment:
  PLG360            the launcher; default: the clone's bin/plg360 (../bin/plg360 from this folder)
  PLG360_LAKE_ROOT  the lake; default: ../demo/lake, what `bin/plg360 demo` writes

Each call starts a JVM and a Spark session (about 10 s), so fetch what a notebook needs in few calls:
`queries(a=..., b=...)` runs several queries in one.
"""
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
# Commands run in a scratch folder: a relative path means from the notebook's folder, a bare name one on the PATH.
LAUNCHER = os.environ.get("PLG360") or str(HERE.parent / "bin" / "plg360")
LAUNCHER = str(Path(LAUNCHER).resolve()) if os.sep in LAUNCHER else shutil.which(LAUNCHER) or LAUNCHER
LAKE = os.environ.get("PLG360_LAKE_ROOT") or str(HERE.parent / "demo" / "lake")
LAKE = LAKE if "://" in LAKE else str(Path(LAKE).resolve())
# The documented customer-360 queries (docs/queries/README.md), to run as they are.
QUERIES = HERE.parent / "docs" / "queries"


class Plg360Error(RuntimeError):
    """A plg360 command failed; the message ends with the end of its log."""


def run(*args, lake=None):
    """Runs `plg360 ARGS...` on the lake and returns its log (stderr: plg360's progress lines).

    It runs in a scratch folder, so Spark's local litter (spark-warehouse/) does not land beside the notebooks.
    """
    env = dict(os.environ, PLG360_LAKE_ROOT=lake or LAKE)
    with tempfile.TemporaryDirectory(prefix="plg360-run-") as cwd:
        p = subprocess.run([LAUNCHER, *map(str, args)], env=env, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        tail = "\n".join((p.stdout + p.stderr).splitlines()[-40:])
        raise Plg360Error(f"plg360 {' '.join(map(str, args))} exited with {p.returncode}:\n{tail}")
    return p.stderr


def queries(params=None, lake=None, **parts):
    """Runs each named Spark SQL query in one `plg360 sql` call and returns {name: DataFrame}.

    `params` binds the named parameters :name of every query (`plg360 sql --param`). Rows come back as JSON, so arrays, maps and
    structs stay lists and dicts; dates and timestamps are ISO strings (pd.to_datetime them). Row order is not
    kept: sort the frame.
    """
    union = "\nUNION ALL\n".join(
        f"SELECT '{name}' AS part, to_json(struct(*), map('ignoreNullFields', 'false')) AS row "
        f"FROM ({sql.strip().rstrip(';')}) AS {name}"
        for name, sql in parts.items())
    with tempfile.TemporaryDirectory(prefix="plg360-") as tmp:
        out = Path(tmp, "result.json")
        args = ["sql", "--format", "json", "--out", out]
        for k, v in (params or {}).items():
            args += ["--param", f"{k}={v}"]
        run(*args, union, lake=lake)
        rows = {name: [] for name in parts}
        with open(out, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                rows[r["part"]].append(json.loads(r["row"]))
    return {name: pd.DataFrame.from_records(rs) for name, rs in rows.items()}


def query(sql, params=None, lake=None):
    """One Spark SQL query on the lake, as a DataFrame."""
    return queries(params, lake, result=sql)["result"]


def train(*args, lake=None):
    """Runs `plg360 train ARGS...` (docs/MODEL.md) and returns its log."""
    return run("train", *args, lake=lake)


def model_metadata(version=None, lake=None, registry="models/conversion"):
    """A model version's metadata.json from a local lake's registry (plg360.model.registry-dir): its features with
    their SQL, parameters, metrics and promotion decision (docs/MODEL.md). Default: the current version."""
    folder = Path(lake or LAKE) / registry
    # A promotion stopped half-way leaves the new pointer under its staging name (ModelRegistry.current reads it too).
    pointer = folder / "current" if (folder / "current").exists() else folder / ".current.inprogress"
    version = version or pointer.read_text(encoding="utf-8").strip()
    return json.loads((folder / version / "metadata.json").read_text(encoding="utf-8"))


# What `plg360 train` writes: the model registry, its run log, the training set and the model tables. It only reads
# the rest of the lake.
TRAIN_WRITES = {"models", "ops", "gold/conversion_training", "gold/model_versions", "gold/model_coefficients",
                "gold/model_calibration", "gold/model_predictions"}


def sandbox(lake=None, into=None):
    """A lake to experiment in, for a local lake: a copy of what `train` writes, links to the tables it only reads.

    A challenger that is not worse than the current model becomes current (champion/challenger); trained in a
    sandbox it cannot, whatever it scores, and the real lake's model tables stay as they were.
    """
    src = Path(lake or LAKE)
    dst = Path(into or tempfile.mkdtemp(prefix="plg360-sandbox-"))
    dst.mkdir(parents=True, exist_ok=True)
    for top in sorted(src.iterdir()):
        if top.name in TRAIN_WRITES:
            shutil.copytree(top, dst / top.name)
        elif top.is_dir() and any(w.startswith(top.name + "/") for w in TRAIN_WRITES):
            (dst / top.name).mkdir()
            for table in sorted(top.iterdir()):
                if f"{top.name}/{table.name}" in TRAIN_WRITES:
                    shutil.copytree(table, dst / top.name / table.name)
                else:
                    (dst / top.name / table.name).symlink_to(table)
        else:
            (dst / top.name).symlink_to(top)
    return str(dst)
