// Defaults for `az deployment sub create` and `azd provision`. azd sets AZURE_ENV_NAME and
// AZURE_LOCATION, and SERVICE_SERVING_IMAGE_NAME after its first `azd deploy`.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
param servingImage = readEnvironmentVariable('SERVICE_SERVING_IMAGE_NAME', '')
param trainingImage = readEnvironmentVariable('MLPIPELINE_TRAINING_IMAGE', '')
param servingAlias = 'production'
param servingMinReplicas = 1
param servingMaxReplicas = 10
param servingConcurrentRequests = 50
param trainingSpec = 'house-prices'
param trainingSchedule = '0 3 * * 1'
// Who may publish models besides the training job, as JSON, e.g.
// [{"principalId":"<object id>","principalType":"User"}] (shared keys are off: access is by role).
param modelPublishers = json(readEnvironmentVariable('MLPIPELINE_MODEL_PUBLISHERS', '[]'))
// Serving API keys missing from the Key Vault, as JSON, e.g. ["predict","admin"] on the first deployment.
// deploy-infrastructure.sh and the azd preprovision hook set it with api-keys-to-create.sh; unset, no key
// is created (an existing key is never rewritten by a deployment).
param servingApiKeysToCreate = json(readEnvironmentVariable('MLPIPELINE_API_KEYS_TO_CREATE', '[]'))
// Who may reach the service, as a JSON list of CIDR ranges, e.g. ["203.0.113.0/24"]; empty allows every address.
param servingAllowedIpRanges = json(readEnvironmentVariable('MLPIPELINE_SERVING_ALLOWED_IP_RANGES', '[]'))
// Purge protection on the Key Vault (irreversible once on): set MLPIPELINE_KEY_VAULT_PURGE_PROTECTION=true for production.
param keyVaultPurgeProtection = bool(readEnvironmentVariable('MLPIPELINE_KEY_VAULT_PURGE_PROTECTION', 'false'))
