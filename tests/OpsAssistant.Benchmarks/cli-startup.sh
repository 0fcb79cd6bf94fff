#!/usr/bin/env bash
# CLI start-up: wall time and max RSS of `opsassistant analyze <small trace> --no-llm` for one or more published CLIs,
# alternating between them run by run so machine noise hits each alike. Prints the median and min wall time, the median
# CPU time (user + sys: less sensitive than wall time to other load on a shared machine) and the median max RSS.
#   tests/OpsAssistant.Benchmarks/cli-startup.sh RUNS TRACE DIR [DIR...]
# e.g. dotnet publish src/OpsAssistant.Cli -c Release -o /tmp/cli-jit
#      dotnet publish src/OpsAssistant.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /tmp/cli-r2r
#      tests/OpsAssistant.Benchmarks/cli-startup.sh 10 eval/cases/fixture-sibling-errors/trace.json /tmp/cli-jit /tmp/cli-r2r
set -euo pipefail
runs=$1 trace=$2
shift 2
out=$(mktemp -d)
for ((i = 0; i < runs; i++)); do
  for dir in "$@"; do
    /usr/bin/time -f '%e %M %U %S' -a -o "$out/$(basename "$dir")" dotnet "$dir/opsassistant.dll" analyze "$trace" --no-llm >/dev/null
  done
done
for dir in "$@"; do
  name=$(basename "$dir")
  t=($(cut -d' ' -f1 "$out/$name" | sort -n))
  m=($(cut -d' ' -f2 "$out/$name" | sort -n))
  c=($(awk '{ printf "%.2f\n", $3 + $4 }' "$out/$name" | sort -n))
  n=${#t[@]}
  echo "$name: wall median ${t[$(((n - 1) / 2))]} s, min ${t[0]} s; CPU median ${c[$(((n - 1) / 2))]} s; median max RSS $((m[(n - 1) / 2] / 1024)) MB ($n runs)"
done
rm -rf "$out"
