// The training console as a Container Apps Job: one run trains one spec, gates it, publishes the
// version to the model store and moves the `staging` alias. Start it by hand (Manual trigger) or on
// a cron schedule (Schedule trigger). Promotion to `production` stays a separate, approved step.

@description('Job name.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the job.')
param tags object

@description('Resource id of the Container Apps environment.')
param environmentId string

@description('Resource id of the user-assigned identity the job runs as.')
param identityId string

@description('Client id of that identity; the Azure SDK picks it up from AZURE_CLIENT_ID.')
param identityClientId string

@description('Login server of the registry the image is pulled from with the identity.')
param registryServer string

@description('Training image (built from deploy/azure/Dockerfile.training).')
param image string

@description('Model store location (blob container URI) the job publishes to.')
param storeUri string

@description('Spec to train: the file name without .json under pipelines/ in the image.')
param spec string

@description('Alias moved to the new version when it passes its gates.')
param alias string = 'staging'

@description('Manual runs only, or runs on a schedule as well.')
@allowed([
  'Manual'
  'Schedule'
])
param triggerType string = 'Manual'

@description('Cron expression (UTC) for Schedule triggers.')
param cronExpression string = '0 3 * * *'

@description('Longest a run may take, in seconds.')
@minValue(60)
param replicaTimeoutSeconds int = 3600

@description('vCPU per run (string, e.g. 1.0).')
param cpu string = '1.0'

@description('Memory per run (e.g. 2Gi for 1 vCPU).')
param memory string = '2Gi'

var runOnce = {
  parallelism: 1
  replicaCompletionCount: 1
}

resource job 'Microsoft.App/jobs@2025-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: triggerType
      replicaTimeout: replicaTimeoutSeconds
      // A failed run (bad data, failed gate) is a verdict, not a glitch: do not retry it.
      replicaRetryLimit: 0
      manualTriggerConfig: triggerType == 'Manual' ? runOnce : null
      scheduleTriggerConfig: triggerType == 'Schedule' ? union(runOnce, { cronExpression: cronExpression }) : null
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'training'
          image: image
          // The image's entry point is the training console; these are its arguments.
          args: [
            'train'
            'pipelines/${spec}.json'
            '--store'
            storeUri
            '--alias'
            alias
          ]
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: [
            {
              name: 'AZURE_CLIENT_ID'
              value: identityClientId
            }
          ]
        }
      ]
    }
  }
}

output id string = job.id
output name string = job.name
