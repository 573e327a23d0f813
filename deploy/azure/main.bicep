// MLPipeline on Azure Container Apps: a resource group with logs, a Container Apps environment, a
// registry, the model store (blob container `models`), one managed identity per workload, a Key
// Vault with the serving app's API keys, the serving app (keys required) and the training jobs. Subscription scope so `azd up` and `az deployment sub create`
// create the resource group too. Local modules only: the template builds offline.
targetScope = 'subscription'

@description('Name of the environment (azd: AZURE_ENV_NAME), e.g. dev or prod; part of every resource name.')
@minLength(2)
@maxLength(12)
param environmentName string

@description('Azure region for every resource.')
param location string

@description('Serving image, e.g. <registry>.azurecr.io/mlpipeline-serving:<tag>. Empty on the first provision, before any image exists.')
param servingImage string = ''

@description('Training image, e.g. <registry>.azurecr.io/mlpipeline-training:<tag>. The training jobs are created once it is set.')
param trainingImage string = ''

@description('Alias the service serves.')
param servingAlias string = 'production'

@description('Fewest serving replicas.')
@minValue(0)
param servingMinReplicas int = 1

@description('Most serving replicas.')
@minValue(1)
param servingMaxReplicas int = 10

@description('Concurrent HTTP requests per replica before the service scales out.')
@minValue(1)
param servingConcurrentRequests int = 50

@description('Serving API keys missing from the Key Vault, to create in this deployment (computed by pipelines/azure-devops/scripts/api-keys-to-create.sh). Keys that exist are never rewritten.')
param servingApiKeysToCreate ('predict' | 'admin')[] = []

@description('Client address ranges (CIDR, e.g. 203.0.113.0/24) allowed to reach the service; empty allows every address (the API keys still apply).')
param servingAllowedIpRanges string[] = []

// Microsoft does not document the address the Container Apps ingress proxy connects to a replica
// from. With the environment's generated network, only the platform (and apps and jobs of the same
// environment) connects from private or shared address space, never a client on the internet.
@description('Networks (CIDR) the service trusts to report the client address in X-Forwarded-For: where the Container Apps ingress proxy connects from.')
param servingTrustedProxyNetworks string[] = [
  '10.0.0.0/8'
  '172.16.0.0/12'
  '192.168.0.0/16'
  '100.64.0.0/10'
]

@description('Key Vault purge protection: a deleted vault or key cannot be purged before its retention ends. Irreversible once on; recommended for production.')
param keyVaultPurgeProtection bool = false

@description('Spec (pipelines/<spec>.json in the training image) the training jobs train.')
param trainingSpec string = 'house-prices'

@description('Most distributed-search worker executions at a time (the workers job scales from 0 to this on the trial queue).')
@minValue(1)
@maxValue(100)
param trainingWorkersMax int = 10

@description('Cron expression (UTC) of the scheduled training run.')
param trainingSchedule string = '0 3 * * 1'

@description('Principals allowed to publish models to the store, e.g. the Azure DevOps service connection.')
param modelPublishers {
  @description('Principal (object) id.')
  principalId: string
  @description('ServicePrincipal, User or Group.')
  principalType: ('ServicePrincipal' | 'User' | 'Group')
}[] = []

var tags = {
  'azd-env-name': environmentName
  application: 'mlpipeline'
}
// Globally unique names (registry, storage) get a short stable suffix.
var nameSuffix = toLower(uniqueString(subscription().id, environmentName, location))
// Names known before deployment, so role assignments get stable, predictable ids.
var registryName = 'crmlpipeline${nameSuffix}'
var storageAccountName = 'stmlp${nameSuffix}'
var keyVaultName = 'kv-mlp-${nameSuffix}'
var servingIdentityName = 'id-mlpipeline-serving-${environmentName}'
var trainingIdentityName = 'id-mlpipeline-training-${environmentName}'

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-mlpipeline-${environmentName}'
  location: location
  tags: tags
}

module logs 'modules/log-analytics.bicep' = {
  scope: group
  params: {
    name: 'log-mlpipeline-${environmentName}'
    location: location
    tags: tags
  }
}

module environment 'modules/container-apps-environment.bicep' = {
  scope: group
  params: {
    name: 'cae-mlpipeline-${environmentName}'
    location: location
    tags: tags
    logAnalyticsWorkspaceId: logs.outputs.id
  }
}

module registry 'modules/container-registry.bicep' = {
  scope: group
  params: {
    name: registryName
    location: location
    tags: tags
  }
}

module storage 'modules/model-storage.bicep' = {
  scope: group
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containerName: 'models'
  }
}

module servingIdentity 'modules/managed-identity.bicep' = {
  scope: group
  params: {
    name: servingIdentityName
    location: location
    tags: tags
  }
}

module trainingIdentity 'modules/managed-identity.bicep' = {
  scope: group
  params: {
    name: trainingIdentityName
    location: location
    tags: tags
  }
}

// The service only reads the store; training writes versions and moves aliases.
module servingAccess 'modules/workload-access.bicep' = {
  scope: group
  dependsOn: [
    registry
    storage
    servingIdentity
  ]
  params: {
    registryName: registryName
    storageAccountName: storageAccountName
    identityName: servingIdentityName
    storageRole: 'Storage Blob Data Reader'
  }
}

module trainingAccess 'modules/workload-access.bicep' = {
  scope: group
  dependsOn: [
    registry
    storage
    trainingIdentity
  ]
  params: {
    registryName: registryName
    storageAccountName: storageAccountName
    identityName: trainingIdentityName
    storageRole: 'Storage Blob Data Contributor'
    // train --workers queues trials; workers take, renew and delete them; the scaler reads the length.
    queueRole: 'Storage Queue Data Contributor'
  }
}

module keyVault 'modules/key-vault.bicep' = {
  scope: group
  params: {
    name: keyVaultName
    location: location
    tags: tags
    logAnalyticsWorkspaceId: logs.outputs.id
    purgeProtection: keyVaultPurgeProtection
  }
}

// The keys exist and the serving identity may read them before the app is saved (the serving module
// takes the secret URLs from this one, so it waits for it).
module servingApiKeys 'modules/serving-api-keys.bicep' = {
  scope: group
  dependsOn: [
    keyVault
    servingIdentity
  ]
  params: {
    vaultName: keyVaultName
    identityName: servingIdentityName
    create: servingApiKeysToCreate
  }
}

module publisherAccess 'modules/store-publisher-access.bicep' = [
  for publisher in modelPublishers: {
    scope: group
    dependsOn: [
      storage
    ]
    params: {
      storageAccountName: storageAccountName
      principalId: publisher.principalId
      principalType: publisher.principalType
    }
  }
]

module serving 'modules/serving-app.bicep' = {
  scope: group
  // The identity must hold AcrPull before the first revision pulls its image.
  dependsOn: [
    servingAccess
  ]
  params: {
    name: 'ca-mlpipeline-${environmentName}'
    location: location
    tags: union(tags, { 'azd-service-name': 'serving' })
    environmentId: environment.outputs.id
    identityId: servingIdentity.outputs.id
    identityClientId: servingIdentity.outputs.clientId
    registryServer: registry.outputs.loginServer
    image: servingImage
    storeUri: storage.outputs.storeUri
    predictKeySecretUrl: servingApiKeys.outputs.predictKeySecretUrl
    adminKeySecretUrl: servingApiKeys.outputs.adminKeySecretUrl
    trustedProxyNetworks: servingTrustedProxyNetworks
    allowedIpRanges: servingAllowedIpRanges
    alias: servingAlias
    minReplicas: servingMinReplicas
    maxReplicas: servingMaxReplicas
    concurrentRequests: servingConcurrentRequests
  }
}

module trainingOnDemand 'modules/training-job.bicep' = if (!empty(trainingImage)) {
  scope: group
  dependsOn: [
    trainingAccess
  ]
  params: {
    name: 'job-train-${environmentName}'
    location: location
    tags: tags
    environmentId: environment.outputs.id
    identityId: trainingIdentity.outputs.id
    identityClientId: trainingIdentity.outputs.clientId
    registryServer: registry.outputs.loginServer
    image: trainingImage
    storeUri: storage.outputs.storeUri
    spec: trainingSpec
    triggerType: 'Manual'
  }
}

module trainingScheduled 'modules/training-job.bicep' = if (!empty(trainingImage)) {
  scope: group
  dependsOn: [
    trainingAccess
  ]
  params: {
    name: 'job-train-sched-${environmentName}'
    location: location
    tags: tags
    environmentId: environment.outputs.id
    identityId: trainingIdentity.outputs.id
    identityClientId: trainingIdentity.outputs.clientId
    registryServer: registry.outputs.loginServer
    image: trainingImage
    storeUri: storage.outputs.storeUri
    spec: trainingSpec
    triggerType: 'Schedule'
    cronExpression: trainingSchedule
  }
}

module trainingWorkers 'modules/training-workers-job.bicep' = if (!empty(trainingImage)) {
  scope: group
  dependsOn: [
    trainingAccess
  ]
  params: {
    name: 'job-train-workers-${environmentName}'
    location: location
    tags: tags
    environmentId: environment.outputs.id
    identityId: trainingIdentity.outputs.id
    identityClientId: trainingIdentity.outputs.clientId
    registryServer: registry.outputs.loginServer
    image: trainingImage
    storeUri: storage.outputs.storeUri
    storageAccountName: storage.outputs.name
    queueName: storage.outputs.trialQueueName
    queueUri: storage.outputs.trialQueueUri
    maxExecutions: trainingWorkersMax
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_ENVIRONMENT_NAME string = environment.outputs.name
output SERVING_APP_NAME string = serving.outputs.name
@description('Public URL of the prediction service.')
output SERVICE_URL string = serving.outputs.url
@description('Model store location: pass it as --store to the training console.')
output MODEL_STORE_URI string = storage.outputs.storeUri
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output TRAINING_JOB_NAME string = 'job-train-${environmentName}'
@description('Trial queue of distributed searches: pass it as --workers to train.')
output TRIAL_QUEUE_URI string = storage.outputs.trialQueueUri
output TRAINING_WORKERS_JOB_NAME string = 'job-train-workers-${environmentName}'
@description('Key Vault with the serving API keys. Read one: az keyvault secret show --vault-name <AZURE_KEY_VAULT_NAME> --name <SERVING_PREDICT_KEY_SECRET_NAME> --query value -o tsv')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
@description('Name of the secret holding the predict key (send it as X-Api-Key).')
output SERVING_PREDICT_KEY_SECRET_NAME string = servingApiKeys.outputs.predictKeySecretName
@description('Name of the secret holding the admin key.')
output SERVING_ADMIN_KEY_SECRET_NAME string = servingApiKeys.outputs.adminKeySecretName
