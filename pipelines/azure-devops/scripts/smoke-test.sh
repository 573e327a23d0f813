#!/usr/bin/env bash
# Smoke test of a running prediction service: waits until /healthz/live and /healthz/ready answer 200
# (ready means the models are loaded), then checks that the API keys guard it: a predict call without a
# key gets 401, the same call with the predict key is let through (not 401 or 403, no server error), and
# the predict key gets 403 on an admin route. Fails after the given number of attempts or on a bad answer.
# The probe model name need not exist: a let-through call for an unknown model answers 404.
# Usage: smoke-test.sh <base-url> [attempts (default 30)]
#   env SMOKE_API_KEY (the predict key, required), SMOKE_INTERVAL_SECONDS (default 10),
#       SMOKE_PROBE_MODEL (default smoke-test-probe)
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: smoke-test.sh <base-url> [attempts]   (env SMOKE_API_KEY: the predict key)" >&2
  exit 64
fi
if [[ -z "${SMOKE_API_KEY:-}" ]]; then
  echo "usage: smoke-test.sh <base-url> [attempts]   (env SMOKE_API_KEY: the predict key, e.g." >&2
  echo "  SMOKE_API_KEY=\$(az keyvault secret show --vault-name <vault> --name serving-predict-api-key --query value -o tsv))" >&2
  exit 64
fi
base_url=${1%/}
attempts=${2:-30}
interval=${SMOKE_INTERVAL_SECONDS:-10}
probe=${SMOKE_PROBE_MODEL:-smoke-test-probe}

healthy() {
  curl --fail --silent --show-error --max-time 10 --output /dev/null "$base_url/healthz/live" &&
    curl --fail --silent --show-error --max-time 10 --output /dev/null "$base_url/healthz/ready"
}

# POST to a route, with or without the predict key; prints the HTTP status (000 when nothing answered).
# The key goes to curl on stdin (printf is a shell builtin), so it never shows in a process list.
status_of() {
  local path=$1 with_key=$2
  local arguments=(--silent --max-time 10 --output /dev/null --write-out '%{http_code}'
    --request POST --header 'Content-Type: application/json' --data '{"instances":[]}')
  if [[ "$with_key" == "key" ]]; then
    printf 'X-Api-Key: %s\n' "$SMOKE_API_KEY" | curl "${arguments[@]}" --header @- "$base_url$path" || true
  else
    curl "${arguments[@]}" "$base_url$path" || true
  fi
}

fail() {
  echo "smoke test failed: $1" >&2
  exit 1
}

ready=0
for ((attempt = 1; attempt <= attempts; attempt++)); do
  if healthy; then
    ready=$attempt
    break
  fi
  if ((attempt < attempts)); then
    sleep "$interval"
  fi
done
if ((ready == 0)); then
  fail "$base_url was not live and ready after $attempts attempts"
fi

predict="/models/$probe/predict"
reload="/models/$probe/reload"

anonymous=$(status_of "$predict" none)
[[ "$anonymous" == "401" ]] ||
  fail "POST $predict without a key answered $anonymous, not 401: the service is not guarded by API keys"

with_key=$(status_of "$predict" key)
[[ "$with_key" =~ ^[1-4][0-9][0-9]$ && "$with_key" != "401" && "$with_key" != "403" ]] ||
  fail "POST $predict with the predict key answered $with_key: the key was refused or the service failed"

admin_with_predict_key=$(status_of "$reload" key)
[[ "$admin_with_predict_key" == "403" ]] ||
  fail "POST $reload with the predict key answered $admin_with_predict_key, not 403: the predict key must not reach admin routes"

echo "smoke test passed: $base_url is live and ready (attempt $ready); no key: 401, predict key: $with_key on predict, 403 on reload"
