// Lets a principal outside the platform publish to the model store (Storage Blob Data
// Contributor) and queue distributed trials (Storage Queue Data Contributor): the Azure DevOps
// service connection that runs train.yml, or a developer.

@description('Name of the storage account that holds the model store.')
param storageAccountName string

@description('Principal (object) id to grant.')
param principalId string

@description('Kind of principal: a pipeline\'s service principal or a person.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param principalType string

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, principalId, storageBlobDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: principalType
  }
}

resource trialQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, principalId, storageQueueDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: principalId
    principalType: principalType
  }
}
