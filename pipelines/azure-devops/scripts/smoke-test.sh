#!/usr/bin/env bash
# Smoke test of a running prediction service: waits until /healthz/live and /healthz/ready answer
# 200 (ready means the models are loaded), then succeeds. Fails after the given number of attempts.
# Usage: smoke-test.sh <base-url> [attempts (default 30)]   env SMOKE_INTERVAL_SECONDS (default 10)
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: smoke-test.sh <base-url> [attempts]" >&2
  exit 64
fi
base_url=${1%/}
attempts=${2:-30}
interval=${SMOKE_INTERVAL_SECONDS:-10}

healthy() {
  curl --fail --silent --show-error --max-time 10 --output /dev/null "$base_url/healthz/live" &&
    curl --fail --silent --show-error --max-time 10 --output /dev/null "$base_url/healthz/ready"
}

for ((attempt = 1; attempt <= attempts; attempt++)); do
  if healthy; then
    echo "smoke test passed: $base_url is live and ready (attempt $attempt)"
    exit 0
  fi
  if ((attempt < attempts)); then
    sleep "$interval"
  fi
done

echo "smoke test failed: $base_url was not live and ready after $attempts attempts" >&2
exit 1
