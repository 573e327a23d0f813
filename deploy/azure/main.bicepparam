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
