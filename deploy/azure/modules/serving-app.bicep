// The prediction service as a Container App. Multiple revisions mode lets a pipeline start a new
// revision, smoke-test it on its own address and then move traffic to it (or away from it).
// No secrets: the app reaches the model store with its user-assigned managed identity.

@description('Container App name.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the app (azd finds the app by its azd-service-name tag).')
param tags object

@description('Resource id of the Container Apps environment.')
param environmentId string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity; the Azure SDK picks it up from AZURE_CLIENT_ID.')
param identityClientId string

@description('Login server of the registry the image is pulled from with the identity.')
param registryServer string

@description('Container image. Empty before the first image exists (first azd provision): see bootstrapImage.')
param image string

@description('Model store location (blob container URI) read by the service.')
param storeUri string

@description('Alias the service serves from each model.')
param alias string = 'production'

@description('Fewest replicas; 1 or more keeps a warm instance for low latency.')
@minValue(0)
@maxValue(300)
param minReplicas int = 1

@description('Most replicas the HTTP scale rule may add.')
@minValue(1)
@maxValue(300)
param maxReplicas int = 10

@description('Concurrent requests per replica before another replica is added.')
@minValue(1)
param concurrentRequests int = 50

@description('vCPU per replica (string, e.g. 0.5).')
param cpu string = '0.5'

@description('Memory per replica (must match the vCPU per the Consumption profile, e.g. 1Gi for 0.5 vCPU).')
param memory string = '1Gi'

// The port ASP.NET Core listens on in its container images.
var appPort = 8080

// Before the first image is pushed, azd provisions the app with Microsoft's public quickstart image
// and no replicas; `azd deploy` then sets the real image. The probes never run against it.
var bootstrapImage = 'mcr.microsoft.com/k8se/quickstart:latest'
var bootstrapping = empty(image)

resource app 'Microsoft.App/containerApps@2025-07-01' = {
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
      activeRevisionsMode: 'Multiple'
      ingress: {
        external: true
        targetPort: appPort
        transport: 'auto'
        allowInsecure: false
        traffic: [
          {
            latestRevision: true
            weight: 100
          }
        ]
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
          name: 'serving'
          image: bootstrapping ? bootstrapImage : image
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: [
            {
              name: 'AZURE_CLIENT_ID'
              value: identityClientId
            }
            {
              name: 'Serving__Store'
              value: storeUri
            }
            {
              name: 'Serving__Alias'
              value: alias
            }
          ]
          probes: [
            {
              // Model loading at start can take a while: allow up to 10 x 3 s before liveness applies.
              type: 'Startup'
              httpGet: {
                path: '/healthz/live'
                port: appPort
              }
              initialDelaySeconds: 1
              periodSeconds: 3
              failureThreshold: 10
              timeoutSeconds: 2
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz/live'
                port: appPort
              }
              periodSeconds: 10
              failureThreshold: 3
              timeoutSeconds: 2
            }
            {
              // Ready only once the models are loaded: no traffic reaches a replica before that.
              type: 'Readiness'
              httpGet: {
                path: '/healthz/ready'
                port: appPort
              }
              periodSeconds: 5
              failureThreshold: 3
              successThreshold: 1
              timeoutSeconds: 2
            }
          ]
        }
      ]
      scale: {
        minReplicas: bootstrapping ? 0 : minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http-concurrency'
            http: {
              metadata: {
                concurrentRequests: string(concurrentRequests)
              }
            }
          }
        ]
      }
    }
  }
}

output id string = app.id
output name string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
output url string = 'https://${app.properties.configuration.ingress.fqdn}'
output latestRevisionName string = app.properties.latestRevisionName
