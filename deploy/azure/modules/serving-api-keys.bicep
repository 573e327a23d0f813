// The serving app's two API keys (predict and admin) as Key Vault secrets, and read access to them for
// the app's identity (Key Vault Secrets User on the vault). A key is written only when the deploy
// script reports it missing (`create`), with a value ARM generates during the deployment: a redeploy
// never rewrites, so never rotates, a key, and no key value is ever a deployment input or output.
// The app depends on this module: Container Apps reads the secrets when it saves the app, so the
// secrets and the role assignment must exist first.

@description('Name of the Key Vault that holds the keys.')
param vaultName string

@description('Name of the serving app\'s user-assigned identity, which reads the keys.')
param identityName string

@description('Keys missing from the vault, to create now (api-keys-to-create.sh decides). Existing keys are left as they are.')
param create ('predict' | 'admin')[]

// Fresh random values for keys created now (64 hex characters from two random GUIDs). Never passed in:
// the parent leaves them at their defaults, which ARM evaluates during the deployment.
@secure()
@description('Value for a new predict key. Leave unset.')
param newPredictKey string = replace('${newGuid()}${newGuid()}', '-', '')

@secure()
@description('Value for a new admin key. Leave unset.')
param newAdminKey string = replace('${newGuid()}${newGuid()}', '-', '')

var secretNames = {
  predict: 'serving-predict-api-key'
  admin: 'serving-admin-api-key'
}

// Built-in role definition id (the same in every Azure tenant).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource predictKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (contains(create, 'predict')) {
  parent: vault
  name: secretNames.predict
  properties: {
    value: newPredictKey
    contentType: 'MLPipeline serving API key, role predict'
  }
}

resource adminKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (contains(create, 'admin')) {
  parent: vault
  name: secretNames.admin
  properties: {
    value: newAdminKey
    contentType: 'MLPipeline serving API key, role admin'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Secret names, for `az keyvault secret show --name`.')
output predictKeySecretName string = secretNames.predict
output adminKeySecretName string = secretNames.admin

// Versionless secret URLs: the app follows the newest version of each secret, so a rotation reaches it
// without a redeploy. Built from the vault URI: a key that exists already is not declared here.
output predictKeySecretUrl string = '${vault.properties.vaultUri}secrets/${secretNames.predict}'
output adminKeySecretUrl string = '${vault.properties.vaultUri}secrets/${secretNames.admin}'
