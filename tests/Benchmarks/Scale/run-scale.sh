#!/usr/bin/env bash
# Scale benchmark: how the training console's time and memory grow with the rows.
# Trains OnlineGradientDescent, Sdca, LightGbm and FastTree on generated regression data
# (20 features, 5 categorical, 1% missing) and appends one row per run to results.tsv (summarized in RESULTS.md).
#
#   tests/Benchmarks/Scale/run-scale.sh                 # 100k, 1M and 10M rows (about an hour on 2 cores)
#   tests/Benchmarks/Scale/run-scale.sh 100000 1000000  # chosen sizes
#   TRAINERS="Sdca FastTree" tests/Benchmarks/Scale/run-scale.sh 10000000  # chosen trainers
#   TRAINERS="FastTree:2000000" tests/Benchmarks/Scale/run-scale.sh 10000000  # FastTree with "maxRows": 2000000
#
# Wall time is measured around the whole `train` command (profile pass, featurization, training, test
# evaluation, report). Peak memory is the process's VmHWM as printed by the console. Data and models go to
# $SCALE_WORK (default /tmp/mlpipeline-scale); the 10M-row file is about 1.6 GB.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="${SCALE_WORK:-/tmp/mlpipeline-scale}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000 10000000)
read -r -a trainers <<< "${TRAINERS:-OnlineGradientDescent Sdca LightGbm FastTree FastTree:2000000}"
results="$root/tests/Benchmarks/Scale/results.tsv"

mkdir -p "$work"
dotnet build "$root/src/Training" --configuration Release --output "$work/bin" --verbosity quiet
cli=(dotnet "$work/bin/mlpipeline.dll")

for rows in "${sizes[@]}"; do
  data="$work/regression-$rows.csv"
  [ -f "$data" ] || "${cli[@]}" generate --task regression --rows "$rows" --features 20 --categorical 5 --missing 0.01 --seed 42 --out "$data"
  bytes=$(stat -c %s "$data")
  for entry in "${trainers[@]}"; do
    trainer="${entry%%:*}"
    max_rows=""
    [ "$entry" = "$trainer" ] || max_rows=", \"maxRows\": ${entry#*:}"
    case "$trainer" in
      OnlineGradientDescent) options='{ "NumberOfIterations": 5 }' ;;
      Sdca) options='{ "MaximumNumberOfIterations": 10 }' ;;
      *) options='{}' ;;
    esac
    spec="$work/scale-$trainer.json"
    cat > "$spec" <<JSON
{ "name": "scale-$trainer", "data": { "path": "$data" }, "label": "label", "task": "regression",
  "trainers": { "name": "$trainer", "options": $options$max_rows },
  "testFraction": 0.1, "folds": 0, "cache": "disk", "export": { "onnx": false } }
JSON
    log="$work/scale-${entry/:/-}-$rows.log"
    start=$(date +%s.%N)
    CI=1 "${cli[@]}" train "$spec" --store "$work/store" --version "r$rows-$(date +%s)" > "$log" 2>&1 || { echo "failed: $entry $rows (see $log)"; continue; }
    end=$(date +%s.%N)
    wall=$(awk "BEGIN { print $end - $start }")
    peak=$(grep -o 'peak memory [0-9]* MB' "$log" | grep -o '[0-9]*')
    r2=$(grep -E '^│ RSquared ' "$log" | grep -oE '[0-9]+\.[0-9]+' | head -1)
    rate=$(awk "BEGIN { print $rows / $wall }")
    # The steps that read rows (profiling pass; featurization, training and test evaluation), without the
    # fixed cost of a run (process start, report and plots, publishing).
    stream=$(grep -E '^  done: (Reading|Fitting) ' "$log" | grep -oE '\(([0-9.]+) s\)$' | tr -d '()s ' | awk '{ t += $1 } END { print t }')
    stream_rate=$(awk "BEGIN { print $rows / $stream }")
    printf '%s\t%s\t%s\t%.1f\t%.0f\t%s\t%s\t%s\t%.1f\t%.0f\n' "$(date -u +%FT%TZ)" "$entry" "$rows" "$wall" "$rate" "$peak" "$((bytes / 1048576))" "$r2" "$stream" "$stream_rate" | tee -a "$results"
  done
done
echo "Appended to $results (columns: utc, trainer[:maxRows], rows, wall s, rows/s, peak MB, data MB, test R², streaming s, streaming rows/s)."
