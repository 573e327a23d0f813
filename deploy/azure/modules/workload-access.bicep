// Grants one workload identity AcrPull on the registry, one blob data role on the model storage
// account and, optionally, a queue data role there (training: distributed searches). Apps that pull with this identity must depend on this module: the identity has to hold
// AcrPull before the first revision starts.

@description('Name of the container registry the workload pulls its image from.')
param registryName string

@description('Name of the storage account that holds the model store.')
param storageAccountName string

@description('Name of the workload\'s user-assigned identity.')
param identityName string

@description('Role granted on the storage account.')
@allowed([
  'Storage Blob Data Reader'
  'Storage Blob Data Contributor'
])
param storageRole string

@description('Queue role granted on the storage account (none when empty).')
@allowed([
  ''
  'Storage Queue Data Contributor'
])
param queueRole string = ''

// Built-in role definition ids (the same in every Azure tenant).
var roleIds = {
  AcrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  'Storage Blob Data Reader': '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identity.id, roleIds.AcrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.AcrPull)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, identity.id, roleIds[storageRole])
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[storageRole])
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueData 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(queueRole)) {
  name: guid(storageAccount.id, identity.id, roleIds[empty(queueRole) ? 'Storage Queue Data Contributor' : queueRole])
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[empty(queueRole) ? 'Storage Queue Data Contributor' : queueRole])
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}
