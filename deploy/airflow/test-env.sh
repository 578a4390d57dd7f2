#!/usr/bin/env bash
# The Airflow that plg360_daily.py is tested with (DeployFilesTest, .ci/run): installs it from PyPI into a virtualenv
# outside the repository when that virtualenv is missing or incomplete, then prints the path of its python. Once it is
# complete, a run only prints the path.
set -euo pipefail

# The versions deploy/README.md names. pip resolves the rest without Airflow's constraints file.
requirements=(
  apache-airflow==3.3.2
  apache-airflow-providers-standard==1.21.0
  apache-airflow-providers-apache-spark==6.3.4
)
venv="${XDG_CACHE_HOME:-$HOME/.cache}/plg360/airflow-3.3.2"
# Written last, with the requirements it was installed from: a venv without it (an install cut short) or with other
# requirements (a change of pins above) is installed anew.
done_file="$venv/plg360-requirements.txt"
wanted="$(printf '%s\n' "${requirements[@]}")"

complete() {
  [ -x "$venv/bin/python" ] && [ -f "$done_file" ] && [ "$(cat "$done_file")" = "$wanted" ]
}

if ! complete; then
  mkdir -p "$(dirname "$venv")"
  # Two builds starting at once (a test and .ci/run) install one venv between them.
  exec 9>"$venv.lock"
  flock 9
  if ! complete; then
    echo "Installing ${requirements[*]} into $venv (once)" >&2
    rm -rf "$venv"
    # Airflow 3.3 and its providers need Python 3.11 or later.
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
      || { echo "$0: Airflow 3.3 needs Python 3.11 or later; python3 is $(python3 -V 2>&1)" >&2; exit 1; }
    python3 -m venv "$venv"
    # pip's output goes to standard error: standard output is the path alone, for the callers to read.
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${requirements[@]}" >&2
    printf '%s\n' "$wanted" >"$done_file"
  fi
fi
echo "$venv/bin/python"
