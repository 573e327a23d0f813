// The prediction service as a Container App. Multiple revisions mode lets a pipeline start a new
// revision, smoke-test it on its own address and then move traffic to it (or away from it).
// The app reaches the model store with its user-assigned managed identity, and reads its two API keys
// (predict, admin) from Key Vault with the same identity: Key Vault references, no secret values here.

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

@description('Versionless Key Vault URL of the predict key (role predict: the predict routes).')
param predictKeySecretUrl string

@description('Versionless Key Vault URL of the admin key (role admin: reload, on-demand versions, model details; may predict too).')
param adminKeySecretUrl string

@description('Networks (CIDR) the service trusts to set X-Forwarded-For: the addresses the Container Apps ingress proxy connects from.')
param trustedProxyNetworks string[]

@description('Client address ranges (CIDR) allowed to reach the app; empty allows every address.')
param allowedIpRanges string[] = []

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

// The model store, read with the app's identity.
var storeEnvironment = [
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

// Container App secrets that point at Key Vault; the container sees them through secretRef only.
var predictKeySecret = 'predict-api-key'
var adminKeySecret = 'admin-api-key'

// Serving:ApiKeys, one entry per key: Id names the caller in logs and rate limits, Role sets its rights.
var apiKeyEnvironment = [
  {
    name: 'Serving__ApiKeys__0__Id'
    value: 'predict'
  }
  {
    name: 'Serving__ApiKeys__0__Role'
    value: 'predict'
  }
  {
    name: 'Serving__ApiKeys__0__Key'
    secretRef: predictKeySecret
  }
  {
    name: 'Serving__ApiKeys__1__Id'
    value: 'admin'
  }
  {
    name: 'Serving__ApiKeys__1__Role'
    value: 'admin'
  }
  {
    name: 'Serving__ApiKeys__1__Key'
    secretRef: adminKeySecret
  }
]

// The ingress proxy appends the client's address to X-Forwarded-For; the service takes it only from these networks.
var forwardedHeadersEnvironment = [
  for (network, index) in trustedProxyNetworks: {
    name: 'Serving__ForwardedHeaders__KnownNetworks__${index}'
    value: network
  }
]

var ipAllowRules = [
  for (range, index) in allowedIpRanges: {
    name: 'allow-${index}'
    description: 'Allowed client range ${range}'
    ipAddressRange: range
    action: 'Allow'
  }
]

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
        // Allow rules only: once there is one, every other address is refused.
        ipSecurityRestrictions: empty(allowedIpRanges) ? null : ipAllowRules
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
      secrets: [
        {
          name: predictKeySecret
          keyVaultUrl: predictKeySecretUrl
          identity: identityId
        }
        {
          name: adminKeySecret
          keyVaultUrl: adminKeySecretUrl
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
          env: concat(storeEnvironment, apiKeyEnvironment, forwardedHeadersEnvironment)
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
