#!/usr/bin/env bash
# Blue/green release of the serving app (activeRevisionsMode Multiple): pin all traffic to the
# revision serving now, start a new revision with the new image and no traffic, smoke-test it on
# its own address, then move all traffic to it. If the smoke test fails, the new revision is
# deactivated and traffic never moved. Sets output variables previousRevision and newRevision.
# Usage: release-revision.sh <resource-group> <app> <image> <revision-suffix> [min-replicas]
#   env SMOKE_API_KEY: the predict key, which the smoke test sends
set -euo pipefail

if [[ $# -lt 4 ]]; then
  echo "usage: release-revision.sh <resource-group> <app> <image> <revision-suffix> [min-replicas]" >&2
  exit 64
fi
if [[ -z "${SMOKE_API_KEY:-}" ]]; then
  echo "usage: release-revision.sh needs SMOKE_API_KEY (the predict key) for the smoke test of the new revision" >&2
  exit 64
fi
group=$1
app=$2
image=$3
suffix=$4
min_replicas=${5:-1}
here=$(cd "$(dirname "$0")" && pwd)

previous=$(az containerapp show --resource-group "$group" --name "$app" \
  --query properties.latestReadyRevisionName --output tsv)
if [[ -n "$previous" ]]; then
  az containerapp ingress traffic set --resource-group "$group" --name "$app" \
    --revision-weight "${previous}=100" --output none
fi
echo "##vso[task.setvariable variable=previousRevision;isOutput=true]$previous"

az containerapp update --resource-group "$group" --name "$app" --image "$image" \
  --revision-suffix "$suffix" --min-replicas "$min_replicas" --output none
revision="${app}--${suffix}"
echo "##vso[task.setvariable variable=newRevision;isOutput=true]$revision"

fqdn=$(az containerapp revision show --resource-group "$group" --name "$app" --revision "$revision" \
  --query properties.fqdn --output tsv)
if ! "$here/smoke-test.sh" "https://${fqdn}"; then
  echo "##vso[task.logissue type=error]Revision $revision failed its smoke test; traffic stays on ${previous:-the previous revision}."
  az containerapp revision deactivate --resource-group "$group" --name "$app" --revision "$revision" --output none
  exit 1
fi

az containerapp ingress traffic set --resource-group "$group" --name "$app" \
  --revision-weight "${revision}=100" --output none
echo "Traffic moved to $revision (previous: ${previous:-none})."
