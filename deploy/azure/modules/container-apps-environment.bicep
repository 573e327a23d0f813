// Container Apps environment. Logs go through Azure Monitor diagnostic settings to Log Analytics,
// so no workspace shared key is ever read or stored.

@description('Environment name.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the environment.')
param tags object

@description('Resource id of the Log Analytics workspace that receives the logs.')
param logAnalyticsWorkspaceId string

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-workspace'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output id string = environment.id
output name string = environment.name
output defaultDomain string = environment.properties.defaultDomain
