#!/usr/bin/env bash
# The daily run against the full chain on the same history: generates the demo company (180 days), lands every
# export but the last day's, runs the whole chain on a fresh lake as of the day before (the full chain: every step,
# train included, delivering to the embedded PostgreSQL), then lands the last day's exports and runs the chain as
# of that day (the daily run: new files only; train not due). Prints both times, wall and CPU.
#
#   bench/daily-run.sh [WORKDIR] [WORKSPACES]      (default /tmp/plg360-daily 2000)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/plg360-daily}"
workspaces="${2:-2000}"
plg360="$here/bin/plg360"
end=2026-10-31
day_before=2026-10-30
port=54399

rm -rf "$work" && mkdir -p "$work/landing"
"$plg360" generate --out "$work/world" --workspaces "$workspaces" --seed 42 >/dev/null

# Every export but the last day's (files of the daily sources sit in folders named by their day).
(cd "$work/world/landing" && find . -type f ! -path "*/$end/*" -exec cp --parents {} "$work/landing/" \;)

"$plg360" postgres --dir "$work/postgres" --port "$port" > "$work/postgres.log" 2>&1 &
pg=$!
trap 'kill $pg 2>/dev/null || true' EXIT
for _ in $(seq 60); do grep -q "PostgreSQL on" "$work/postgres.log" && break; sleep 1; done

run() {
  "$plg360" run --as-of "$1" -D plg360.lake.root="$work/lake" -D plg360.landing.dir="$work/landing" \
    -D plg360.activate.jdbc.url="jdbc:postgresql://127.0.0.1:$port/postgres" -D plg360.activate.jdbc.user=postgres \
    -D plg360.report.dir="$work/reports" 2> "$work/run-$1.log"
}

# Wall time and the CPU time the run used (user + system, of every thread): on a machine whose cores the run keeps
# busy, a run is as long as the CPU work it does.
TIMEFORMAT='%R %U %S'
timed() { { time run "$1"; } 2> "$work/time-$1"; read -r wall user sys < "$work/time-$1"; }

timed "$day_before"
full=$wall full_cpu=$(echo "$user + $sys" | bc)

(cd "$work/world/landing" && find . -type f -path "*/$end/*" -exec cp --parents {} "$work/landing/" \;)
timed "$end"
daily=$wall daily_cpu=$(echo "$user + $sys" | bc)

printf '\nfull chain as of %s: %.0f s (CPU %.0f s); daily run as of %s: %.0f s (CPU %.0f s), %.1f%% of the full chain;\n' \
  "$day_before" "$full" "$full_cpu" "$end" "$daily" "$daily_cpu" "$(echo "100 * $daily / $full" | bc -l)"
printf 'JVM start included, on %s cores\n' "$(nproc)"
