// Log Analytics workspace: where the Container Apps environment sends console and system logs.

@description('Workspace name.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the workspace.')
param tags object

@description('Days to keep logs.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

output id string = workspace.id
output name string = workspace.name
