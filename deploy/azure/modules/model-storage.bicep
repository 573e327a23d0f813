// Storage account holding the model store: the `models` blob container, and the queue that fans
// distributed searches out to the training workers (with its poison queue). Access only with Entra ID
// (shared-key access off), HTTPS with TLS 1.2 or later, no anonymous access. Soft delete keeps
// deleted or overwritten blobs recoverable for a while.

@description('Storage account name (3-24 lower-case alphanumerics, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Name of the blob container that holds the model store.')
param containerName string = 'models'

@description('Name of the queue train --workers puts trials on; the workers job scales on its length.')
param trialQueueName string = 'trials'

@description('Days a deleted blob or container can be restored.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 7

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource modelsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource trialQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: trialQueueName
}

// Trials that kept failing land here (the console names it <queue>-poison); nothing consumes it.
resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: '${trialQueueName}-poison'
}

output id string = account.id
output name string = account.name
@description('The model store location the serving app and the training console use.')
output storeUri string = '${account.properties.primaryEndpoints.blob}${modelsContainer.name}'
@description('The trial queue: pass it as --workers to train, and as --queue to the workers.')
output trialQueueUri string = '${account.properties.primaryEndpoints.queue}${trialQueue.name}'
output trialQueueName string = trialQueue.name
