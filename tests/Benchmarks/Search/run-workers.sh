#!/usr/bin/env bash
# The same distributed search (credit, random search over a LightGbm space, 16 trials, 3 folds) with 1, 2 and
# 4 worker processes on this machine, against Azurite's blob and queue services, and in process for reference.
# Prints one Markdown row per run: the search step's wall time from the manifest's timings and trials per minute.
# Usage (from the repository root, after `dotnet build -c Release src/Training` and `cd tests && npm ci`):
#   tests/Benchmarks/Search/run-workers.sh [workers...]     (default: 1 2 4)
set -euo pipefail
root=$(pwd)
console="$root/src/Training/bin/Release/net10.0/mlpipeline.dll"
azurite="$root/tests/node_modules/azurite/dist/src"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
blob_port=$(port); queue_port=$(port)
node "$azurite/blob/main.js" --blobHost 127.0.0.1 --blobPort "$blob_port" --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent > /dev/null 2>&1 &
node "$azurite/queue/main.js" --queueHost 127.0.0.1 --queuePort "$queue_port" --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent > /dev/null 2>&1 &
sleep 3
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='  # Azurite's public development key
export MLPIPELINE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;"

cat > "$work/credit-random.json" <<JSON
{ "name": "credit-random", "data": { "path": "$root/data/credit.csv" }, "label": "Status", "task": "binary", "positiveClass": "bad", "folds": 3,
  "trainers": [{ "name": "LightGbm", "space": { "NumberOfLeaves": { "int": [4, 64], "log": true }, "LearningRate": { "float": [0.01, 0.3], "log": true },
    "MinimumExampleCountPerLeaf": { "int": [2, 50], "log": true }, "NumberOfIterations": { "int": [50, 300], "log": true } } }],
  "search": { "strategy": "random", "trials": 16, "seed": 1 }, "export": { "onnx": false } }
JSON

search_seconds() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(next(t["seconds"] for t in m["timings"] if t["step"].startswith("search")))' "$1"; }
row() { python3 -c 'import sys; s=float(sys.argv[2]); print(f"| {sys.argv[1]} | {s:.1f} | {16*60/s:.1f} |")' "$1" "$2"; }

echo "| where the trials ran | search wall time (s) | trials per minute |"
echo "|---|---:|---:|"
dotnet "$console" train "$work/credit-random.json" --store "$work/local" --version in-process > "$work/in-process.log" 2>&1
row "in process (parallel up to $(nproc) cores)" "$(search_seconds "$work/local/credit-random/versions/in-process/manifest.json")"

counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 2 4)
for n in "${counts[@]}"; do
  workers=()
  for w in $(seq "$n"); do
    # Idle long enough to outlast the coordinator's start; stopped below once the run is done.
    dotnet "$console" worker --queue "http://127.0.0.1:$queue_port/devstoreaccount1/trials-$n" --store "http://127.0.0.1:$blob_port/devstoreaccount1/bench-$n" --idle-exit 600 > "$work/worker-$n-$w.log" 2>&1 &
    workers+=($!)
  done
  dotnet "$console" train "$work/credit-random.json" --store "http://127.0.0.1:$blob_port/devstoreaccount1/bench-$n" --version "w$n" \
    --workers "http://127.0.0.1:$queue_port/devstoreaccount1/trials-$n" --run-id "bench-$n" > "$work/coordinator-$n.log" 2>&1
  dotnet "$console" download "credit-random:w$n" --store "http://127.0.0.1:$blob_port/devstoreaccount1/bench-$n" --output "$work/w$n" > /dev/null
  row "$n worker process(es)" "$(search_seconds "$work/w$n/manifest.json")"
  kill "${workers[@]}" 2>/dev/null || true
  wait "${workers[@]}" 2>/dev/null || true
done
