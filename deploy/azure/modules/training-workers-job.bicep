// The training console as distributed-search workers: an event-driven Container Apps Job that KEDA's
// azure-queue scaler starts when trials wait on the queue (one execution per waiting trial, up to
// maxExecutions at a time) and lets go back to zero executions when it is empty. Each execution runs
// `worker`, takes trials until the queue has been empty for idleExitSeconds, and exits.

@description('Job name.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the job.')
param tags object

@description('Resource id of the Container Apps environment.')
param environmentId string

@description('Resource id of the user-assigned identity the job runs as (it reads the queue for scaling too).')
param identityId string

@description('Client id of that identity; the Azure SDK picks it up from AZURE_CLIENT_ID.')
param identityClientId string

@description('Login server of the registry the image is pulled from with the identity.')
param registryServer string

@description('Training image (built from deploy/azure/Dockerfile.training).')
param image string

@description('Model store location (blob container URI): run plans and trial results live under runs/ there.')
param storeUri string

@description('Storage account that holds the trial queue.')
param storageAccountName string

@description('Name of the trial queue.')
param queueName string

@description('URI of the trial queue.')
param queueUri string

@description('Most worker executions at a time.')
@minValue(1)
@maxValue(100)
param maxExecutions int = 10

@description('Seconds between the scaler\'s looks at the queue.')
@minValue(10)
param pollingIntervalSeconds int = 30

@description('A worker exits after the queue has been empty this long.')
@minValue(0)
param idleExitSeconds int = 60

@description('Longest one worker execution may take, in seconds.')
@minValue(60)
param replicaTimeoutSeconds int = 7200

@description('vCPU per worker (string, e.g. 2.0).')
param cpu string = '2.0'

@description('Memory per worker (e.g. 4Gi for 2 vCPU).')
param memory string = '4Gi'

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
      triggerType: 'Event'
      replicaTimeout: replicaTimeoutSeconds
      // A worker that dies leaves its trial on the queue for another one: no retry of the execution.
      replicaRetryLimit: 0
      eventTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
        scale: {
          minExecutions: 0
          maxExecutions: maxExecutions
          pollingInterval: pollingIntervalSeconds
          rules: [
            {
              name: 'trial-queue'
              type: 'azure-queue'
              metadata: {
                accountName: storageAccountName
                queueName: queueName
                queueLength: '1'
              }
              // The scaler reads the queue length with the job's identity: no connection string anywhere.
              identity: identityId
            }
          ]
        }
      }
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
          name: 'worker'
          image: image
          // The image's entry point is the training console; these are its arguments.
          args: [
            'worker'
            '--queue'
            queueUri
            '--store'
            storeUri
            '--idle-exit'
            string(idleExitSeconds)
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
