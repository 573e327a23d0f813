#!/usr/bin/env bash
# Deploys deploy/azure/main.bicep (subscription scope) and hands its outputs to later steps and
# stages as Azure DevOps output variables (SERVICE_URL, MODEL_STORE_URI, AZURE_KEY_VAULT_NAME, ...).
# Keeps the images that run now unless new ones are given, so provisioning never rolls out an untested
# revision. Creates the serving API keys in Key Vault only when they do not exist (api-keys-to-create.sh).
# Usage (from the repository root, signed in with az): deploy-infrastructure.sh <environment> <location> [serving-image] [training-image]
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: deploy-infrastructure.sh <environment> <location> [serving-image] [training-image]" >&2
  exit 64
fi
environment=$1
location=$2
serving_image=${3:-}
training_image=${4:-}
group="rg-mlpipeline-${environment}"
here=$(cd "$(dirname "$0")" && pwd)

# Images running now (empty on the first deployment).
if [[ -z "$serving_image" ]]; then
  serving_image=$(az containerapp show --resource-group "$group" --name "ca-mlpipeline-${environment}" \
    --query 'properties.template.containers[0].image' --output tsv 2>/dev/null || true)
fi
if [[ -z "$training_image" ]]; then
  training_image=$(az containerapp job show --resource-group "$group" --name "job-train-${environment}" \
    --query 'properties.template.containers[0].image' --output tsv 2>/dev/null || true)
fi
# The template's bootstrap image is not an application image: let the template keep it.
if [[ "$serving_image" == mcr.microsoft.com/k8se/* ]]; then
  serving_image=''
fi

# Which API keys are missing (both on the first deployment, none after): never an existing one.
keys_to_create=$("$here/api-keys-to-create.sh" "$environment")
echo "API keys to create: $keys_to_create"

# main.bicepparam reads these.
export AZURE_ENV_NAME=$environment AZURE_LOCATION=$location
export SERVICE_SERVING_IMAGE_NAME=$serving_image MLPIPELINE_TRAINING_IMAGE=$training_image
export MLPIPELINE_API_KEYS_TO_CREATE=$keys_to_create

outputs=$(az deployment sub create \
  --name "mlpipeline-${environment}-${BUILD_BUILDID:-$(date -u +%Y%m%d%H%M%S)}" \
  --location "$location" \
  --parameters deploy/azure/main.bicepparam \
  --query properties.outputs --output json)

for key in $(jq -r 'keys[]' <<<"$outputs"); do
  value=$(jq -r --arg key "$key" '.[$key].value' <<<"$outputs")
  echo "$key=$value"
  echo "##vso[task.setvariable variable=$key;isOutput=true]$value"
done
