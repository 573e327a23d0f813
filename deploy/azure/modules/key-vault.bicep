// Key Vault for the serving app's API keys. Access by Azure RBAC only (no access policies), soft delete
// always on, purge protection a choice (it cannot be turned off again). Audit events (who read or wrote
// which secret) go to the Log Analytics workspace. The principal that deploys gets Key Vault Secrets
// Officer: the deploy scripts list which keys exist, and people read and rotate the keys with it.

@description('Vault name (3-24 alphanumerics and dashes, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Resource id of the Log Analytics workspace that receives the audit events.')
param logAnalyticsWorkspaceId string

@description('Days a deleted vault or secret can be recovered (fixed once the vault exists).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Purge protection: a deleted vault or secret cannot be purged before its retention ends. Irreversible once on.')
param purgeProtection bool

// Built-in role definition id (the same in every Azure tenant).
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    accessPolicies: []
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // The API accepts only true or nothing: false is refused.
    enablePurgeProtection: purgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
  }
}

resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-workspace'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

// No principalType: the deployer is a person (azd up) or a service principal (a pipeline).
resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, deployer().objectId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
    principalId: deployer().objectId
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
