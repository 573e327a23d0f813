#!/usr/bin/env bash
# Console against a hand-written ML.NET program (Baseline/Program.cs) on the same files, one after the other.
# For each data file and trainer: `scale-baseline` (LoadFromTextFile, TrainTestSplit 0.1, impute, one-hot,
# min-max for linear trainers, Fit, Evaluate, Save), then `mlpipeline train` (one trainer, testFraction 0.1,
# folds 0, disk cache, ONNX on: everything a user gets). Wall time and peak RSS come from /usr/bin/time.
# Appends to compare.tsv and prints the table with ratios (console / baseline).
#
#   tests/Benchmarks/Scale/compare.sh                      # 1M and 10M rows + the 1M 20-float file
#   tests/Benchmarks/Scale/compare.sh 1000000              # chosen sizes (plus the 20-float file)
#   TRAINERS="Sdca" FLOATS=0 tests/Benchmarks/Scale/compare.sh 1000000
#   LABEL=before BIN=/tmp/old-build tests/Benchmarks/Scale/compare.sh   # an existing console build, tagged
#   BEFORE_BIN=/tmp/old-build tests/Benchmarks/Scale/compare.sh 10000000 # also an older build, tagged "before",
#                                                                         # beside this one against the same baseline run
#
# Data: `generate --task regression --features 20 --categorical 5 --missing 0.01 --seed 42` (regression-N.csv)
# and `--features 20 --categorical 0 --missing 0` (floats-1000000.csv). Work files go to $SCALE_WORK.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
here="$root/tests/Benchmarks/Scale"
work="${SCALE_WORK:-/tmp/mlpipeline-scale}"
label="${LABEL:-$(git -C "$root" rev-parse --short HEAD)}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
read -r -a trainers <<< "${TRAINERS:-OnlineGradientDescent Sdca LightGbm FastTree:2000000}"
results="$here/compare.tsv"

mkdir -p "$work"
bin="${BIN:-$work/bin}"
[ -n "${BIN:-}" ] || dotnet build "$root/src/Training" --configuration Release --output "$bin" --verbosity quiet
dotnet build "$here/Baseline" --configuration Release --output "$work/baseline" --verbosity quiet
cli=(dotnet "$bin/mlpipeline.dll")
baseline=(dotnet "$work/baseline/scale-baseline.dll")

files=()
for rows in "${sizes[@]}"; do
  data="$work/regression-$rows.csv"
  [ -f "$data" ] || "${cli[@]}" generate --task regression --rows "$rows" --features 20 --categorical 5 --missing 0.01 --seed 42 --out "$data" > /dev/null
  files+=("$data")
done
if [ "${FLOATS:-1}" = 1 ]; then
  data="$work/floats-1000000.csv"
  [ -f "$data" ] || "${cli[@]}" generate --task regression --rows 1000000 --features 20 --categorical 0 --missing 0 --seed 42 --out "$data" > /dev/null
  files+=("$data")
fi

# Runs a command under /usr/bin/time; prints "wall_seconds peak_MB".
measure() {
  local log="$1"; shift
  /usr/bin/time -f '%e %M' -o "$log.time" "$@" > "$log" 2>&1 || { echo "failed: $* (see $log)" >&2; return 1; }
  awk '{ printf "%.1f %.0f\n", $1, $2 / 1024 }' "$log.time"
}

rows_out=()
for data in "${files[@]}"; do
  name=$(basename "$data" .csv)
  for entry in "${trainers[@]}"; do
    trainer="${entry%%:*}"
    max_rows=""; max_arg=()
    [ "$entry" = "$trainer" ] || { max_rows=", \"maxRows\": ${entry#*:}"; max_arg=("${entry#*:}"); }
    spec="$work/compare-$trainer.json"
    cat > "$spec" <<JSON
{ "name": "compare-$trainer", "data": { "path": "$data" }, "label": "label", "task": "regression",
  "trainers": { "name": "$trainer"$max_rows }, "testFraction": 0.1, "folds": 0, "cache": "disk" }
JSON
    log="$work/compare-$name-${entry/:/-}"
    read -r b_wall b_peak < <(measure "$log.baseline.log" "${baseline[@]}" "$data" "$trainer" "$work/baseline-model.zip" "${max_arg[@]}") || continue
    b_r2=$(grep -oE 'R² [0-9.]+' "$log.baseline.log" | grep -oE '[0-9.]+$')
    consoles=("$label=$bin")
    [ -z "${BEFORE_BIN:-}" ] || consoles+=("before=$BEFORE_BIN")
    for console in "${consoles[@]}"; do
      tag="${console%%=*}"
      read -r c_wall c_peak < <(CI=1 measure "$log.$tag.console.log" dotnet "${console#*=}/mlpipeline.dll" train "$spec" --store "$work/store" --version "c$(date +%s%N)") || continue
      c_r2=$(grep -E '^│ RSquared ' "$log.$tag.console.log" | grep -oE '[0-9]+\.[0-9]+' | head -1)
      row=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f' "$(date -u +%FT%TZ)" "$tag" "$name" "$entry" \
        "$c_wall" "$c_peak" "$b_wall" "$b_peak" "$c_r2" "$b_r2" \
        "$(awk "BEGIN { print $c_wall / $b_wall }")" "$(awk "BEGIN { print $c_peak / $b_peak }")")
      echo "$row" >> "$results"
      rows_out+=("$row")
      echo "$row"
    done
  done
done

echo
echo "| data | trainer | console | console wall s / peak MB | baseline wall s / peak MB | ratio wall / peak | test R² console / baseline |"
echo "|---|---|---|---:|---:|---:|---:|"
for row in "${rows_out[@]}"; do
  IFS=$'\t' read -r _ tag name entry c_wall c_peak b_wall b_peak c_r2 b_r2 r_wall r_peak <<< "$row"
  echo "| $name | $entry | $tag | $c_wall / $c_peak | $b_wall / $b_peak | ${r_wall}x / ${r_peak}x | $c_r2 / $b_r2 |"
done
echo "Appended to $results (utc, label, data, trainer, console wall s, console peak MB, baseline wall s, baseline peak MB, console R², baseline R², wall ratio, peak ratio)."
