#!/usr/bin/env bash
# Prints, as a JSON list, which serving API keys (predict, admin) the next deployment of the environment
# must create because its Key Vault does not hold them yet: both on the first deployment, none after.
# main.bicepparam reads the list from MLPIPELINE_API_KEYS_TO_CREATE. A key that exists is never listed,
# so a redeploy never rotates it; if the vault's secrets cannot be listed, nothing is listed either (a
# key is never overwritten on a doubt). A missing key that is deleted but not purged stops the script.
# Usage (signed in with az): api-keys-to-create.sh <environment>   env AZURE_SUBSCRIPTION_ID (optional)
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: api-keys-to-create.sh <environment>" >&2
  exit 64
fi
environment=$1
group="rg-mlpipeline-${environment}"
# Role and secret name of each key, as deploy/azure/modules/serving-api-keys.bicep names them.
roles=(predict admin)
declare -A secret_of=([predict]=serving-predict-api-key [admin]=serving-admin-api-key)
subscription=()
if [[ -n "${AZURE_SUBSCRIPTION_ID:-}" ]]; then
  subscription=(--subscription "$AZURE_SUBSCRIPTION_ID")
fi

print_list() {
  local quoted=()
  for role in "$@"; do
    quoted+=("\"$role\"")
  done
  local IFS=,
  echo "[${quoted[*]}]"
}

# First deployment: no resource group or no vault yet.
if [[ "$(az group exists --name "$group" "${subscription[@]}" --output tsv)" != "true" ]]; then
  print_list "${roles[@]}"
  exit 0
fi
vault=$(az keyvault list --resource-group "$group" "${subscription[@]}" --query '[0].name' --output tsv)
if [[ -z "$vault" ]]; then
  print_list "${roles[@]}"
  exit 0
fi

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
if ! existing=$(az keyvault secret list --vault-name "$vault" "${subscription[@]}" --query '[].name' --output tsv 2>"$errors"); then
  echo "warning: cannot list the secrets of Key Vault $vault, so no API key is created (existing keys stay as they are)." >&2
  echo "warning: this deployment gives you Key Vault Secrets Officer on it; run it again if a key is missing. az said: $(cat "$errors")" >&2
  print_list
  exit 0
fi

missing=()
for role in "${roles[@]}"; do
  if ! grep --quiet --line-regexp --fixed-strings "${secret_of[$role]}" <<<"$existing"; then
    missing+=("$role")
  fi
done

if ((${#missing[@]} > 0)); then
  deleted=$(az keyvault secret list-deleted --vault-name "$vault" "${subscription[@]}" --query '[].name' --output tsv)
  for role in "${missing[@]}"; do
    name=${secret_of[$role]}
    if grep --quiet --line-regexp --fixed-strings "$name" <<<"$deleted"; then
      echo "error: API key secret $name in Key Vault $vault is deleted but not purged, so it cannot be created again." >&2
      echo "error: recover it (az keyvault secret recover --vault-name $vault --name $name) or purge it (az keyvault secret purge --vault-name $vault --name $name), then deploy again." >&2
      exit 1
    fi
  done
fi

print_list "${missing[@]}"
