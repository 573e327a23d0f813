using System.Text.Json.Nodes;

namespace MLPipeline.Deploy.Tests;

/// <summary>What the compiled ARM template (main.bicep and its modules) declares.</summary>
[Collection(BicepGroup.Name)]
public sealed class BicepTemplateTests(BicepBuildFixture bicep)
{
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    private const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";

    [Theory]
    [InlineData("Microsoft.Resources/resourceGroups", 1)]
    [InlineData("Microsoft.OperationalInsights/workspaces", 1)]
    [InlineData("Microsoft.App/managedEnvironments", 1)]
    [InlineData("Microsoft.ContainerRegistry/registries", 1)]
    [InlineData("Microsoft.Storage/storageAccounts", 1)]
    [InlineData("Microsoft.Storage/storageAccounts/blobServices/containers", 1)]
    [InlineData("Microsoft.ManagedIdentity/userAssignedIdentities", 2)]
    [InlineData("Microsoft.App/containerApps", 1)]
    [InlineData("Microsoft.App/jobs", 3)]
    [InlineData("Microsoft.Storage/storageAccounts/queueServices/queues", 2)]
    [InlineData("Microsoft.KeyVault/vaults", 1)]
    [InlineData("Microsoft.KeyVault/vaults/secrets", 2)]
    public void Template_declares_the_platform_resources(string type, int count)
    {
        bicep.Main.FindAll(type).Should().HaveCount(count, type);
    }

    [Fact]
    public void Container_Apps_resources_use_a_generally_available_api_version()
    {
        foreach (var type in new[] { "Microsoft.App/managedEnvironments", "Microsoft.App/containerApps", "Microsoft.App/jobs" })
        {
            foreach (var (_, resource) in bicep.Main.FindAll(type))
            {
                ((string?)resource["apiVersion"]).Should().BeOneOf("2025-07-01", "2026-01-01");
            }
        }
    }

    [Fact]
    public void Model_storage_is_private_keyless_and_TLS_1_2()
    {
        var (scope, account) = bicep.Main.FindAll("Microsoft.Storage/storageAccounts").Single();
        var properties = account["properties"]!;
        ((bool)properties["allowBlobPublicAccess"]!).Should().BeFalse();
        ((bool)properties["allowSharedKeyAccess"]!).Should().BeFalse();
        ((bool)properties["supportsHttpsTrafficOnly"]!).Should().BeTrue();
        ((string?)properties["minimumTlsVersion"]).Should().Be("TLS1_2");

        var (containerScope, container) = bicep.Main.FindAll("Microsoft.Storage/storageAccounts/blobServices/containers").Single();
        containerScope.Name.Should().Be(scope.Name);
        ((string?)container["properties"]!["publicAccess"]).Should().Be("None");
        ((string?)container["name"]).Should().EndWith("parameters('containerName'))]");
        ((string?)containerScope.ResolveParameter("containerName")).Should().Be("models");
    }

    [Fact]
    public void Registry_has_no_admin_user()
    {
        var (_, registry) = bicep.Main.FindAll("Microsoft.ContainerRegistry/registries").Single();
        ((bool)registry["properties"]!["adminUserEnabled"]!).Should().BeFalse();
    }

    [Theory]
    [InlineData("servingAccess", "servingIdentityName", StorageBlobDataReader)]
    [InlineData("trainingAccess", "trainingIdentityName", StorageBlobDataContributor)]
    public void Each_workload_identity_gets_AcrPull_and_its_storage_role(string module, string identityVariable, string storageRoleId)
    {
        var access = bicep.Main.Module(module);
        ((string?)access.PassedParameters!["identityName"]!["value"]).Should().Be($"[variables('{identityVariable}')]");

        // The queue role, when there is one, is checked on its own below.
        var assignments = access.Resources.Select(entry => entry.Resource)
            .Where(resource => (string?)resource["type"] == "Microsoft.Authorization/roleAssignments" && resource["condition"] is null)
            .ToList();
        assignments.Should().HaveCount(2);
        RoleIdsGranted(access, assignments).Should().BeEquivalentTo(new[]
        {
            ("Microsoft.ContainerRegistry/registries", AcrPull),
            ("Microsoft.Storage/storageAccounts", storageRoleId),
        });
        assignments.Should().OnlyContain(assignment => (string?)assignment["properties"]!["principalType"] == "ServicePrincipal");
    }

    [Fact]
    public void Apps_wait_for_their_identity_to_hold_AcrPull()
    {
        DependsOn("serving").Should().Contain("servingAccess");
        DependsOn("trainingOnDemand").Should().Contain("trainingAccess");
        DependsOn("trainingScheduled").Should().Contain("trainingAccess");
        DependsOn("trainingWorkers").Should().Contain("trainingAccess");
    }

    [Fact]
    public void Only_the_training_identity_may_use_the_trial_queue()
    {
        ((string?)bicep.Main.Module("trainingAccess").PassedParameters!["queueRole"]!["value"]).Should().Be("Storage Queue Data Contributor");
        bicep.Main.Module("servingAccess").PassedParameters!.ContainsKey("queueRole").Should().BeFalse("the service never reads the trial queue");
        var access = bicep.Main.Module("trainingAccess");
        var queueData = access.Resources.Select(entry => entry.Resource).Single(resource => ((string?)resource["name"])?.Contains("queueRole", StringComparison.Ordinal) == true);
        ((string?)queueData["condition"]).Should().Be("[not(empty(parameters('queueRole')))]");
        ((string)access.Template["variables"]!["roleIds"]!["Storage Queue Data Contributor"]!).Should().Be(StorageQueueDataContributor);
        ((string)queueData["scope"]!).Should().Contain("Microsoft.Storage/storageAccounts");
        ((string?)queueData["properties"]!["principalType"]).Should().Be("ServicePrincipal");
    }

    [Fact]
    public void Trial_queue_and_its_poison_queue_live_in_the_model_storage_account()
    {
        var queues = bicep.Main.FindAll("Microsoft.Storage/storageAccounts/queueServices/queues").ToList();
        var storage = queues[0].Scope;
        queues.Should().OnlyContain(entry => entry.Scope.Name == storage.Name);
        ((string?)storage.ResolveParameter("trialQueueName")).Should().Be("trials");
        queues.Select(entry => (string?)entry.Resource["name"]).Should().BeEquivalentTo(
            "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('trialQueueName'))]",
            "[format('{0}/{1}/{2}', parameters('name'), 'default', format('{0}-poison', parameters('trialQueueName')))]");
    }

    [Fact]
    public void Distributed_search_workers_run_as_an_event_job_scaled_from_zero_on_the_trial_queue_with_the_training_identity()
    {
        var (scope, job) = bicep.Main.FindAll("Microsoft.App/jobs").Single(entry => entry.Scope.ResolveString(entry.Resource["properties"]!["configuration"]!["triggerType"]) == "Event");
        scope.Name.Should().Be("trainingWorkers");
        var passed = scope.PassedParameters!;
        ((string?)passed["identityId"]!["value"]).Should().Contain("trainingIdentity");
        ((string?)passed["maxExecutions"]!["value"]).Should().Be("[parameters('trainingWorkersMax')]");
        ((int)bicep.Main.Template["parameters"]!["trainingWorkersMax"]!["defaultValue"]!).Should().BeGreaterThan(1);
        ((string?)passed["queueUri"]!["value"]).Should().Contain("trialQueueUri");

        var scale = job["properties"]!["configuration"]!["eventTriggerConfig"]!["scale"]!;
        scope.Resolve(scale["minExecutions"])!.GetValue<int>().Should().Be(0);
        ((string?)scale["maxExecutions"]).Should().Be("[parameters('maxExecutions')]");
        var rule = scale["rules"]!.AsArray().Single()!;
        ((string?)rule["type"]).Should().Be("azure-queue");
        ((string?)rule["identity"]).Should().Be("[parameters('identityId')]", "KEDA reads the queue with the training identity, not a connection string");
        rule["auth"].Should().BeNull();
        ((string?)rule["metadata"]!["queueName"]).Should().Be("[parameters('queueName')]");
        ((string?)rule["metadata"]!["accountName"]).Should().Be("[parameters('storageAccountName')]");
        job["properties"]!["configuration"]!["secrets"].Should().BeNull();

        var container = job["properties"]!["template"]!["containers"]![0]!;
        ((string?)container["image"]).Should().Be("[parameters('image')]");
        container["args"]!.AsArray().Select(arg => (string?)arg).Should().StartWith(["worker", "--queue", "[parameters('queueUri')]", "--store", "[parameters('storeUri')]"]);
        container["env"]!.AsArray().Select(entry => (string?)entry!["name"]).Should().Contain("AZURE_CLIENT_ID");
    }

    [Fact]
    public void Serving_app_takes_traffic_on_8080_and_keeps_multiple_revisions()
    {
        var (scope, app) = ServingApp();
        var configuration = app["properties"]!["configuration"]!;
        ((string?)configuration["activeRevisionsMode"]).Should().Be("Multiple");
        var ingress = configuration["ingress"]!;
        ((bool)ingress["external"]!).Should().BeTrue();
        ((bool)ingress["allowInsecure"]!).Should().BeFalse();
        scope.Resolve(ingress["targetPort"])!.GetValue<int>().Should().Be(8080);
        ((string?)app["identity"]!["type"]).Should().Be("UserAssigned");
        ((string?)configuration["registries"]![0]!["identity"]).Should().Be("[parameters('identityId')]", "the image is pulled with the managed identity, not a password");
    }

    [Fact]
    public void Serving_app_probes_the_health_routes()
    {
        var (scope, app) = ServingApp();
        var probes = app["properties"]!["template"]!["containers"]![0]!["probes"]!.AsArray()
            .Select(probe => (
                Type: (string?)probe!["type"],
                Path: (string?)probe["httpGet"]!["path"],
                Port: scope.Resolve(probe["httpGet"]!["port"])!.GetValue<int>()))
            .ToList();

        probes.Should().BeEquivalentTo(new[]
        {
            (Type: "Startup", Path: "/healthz/live", Port: 8080),
            (Type: "Liveness", Path: "/healthz/live", Port: 8080),
            (Type: "Readiness", Path: "/healthz/ready", Port: 8080),
        });
    }

    [Fact]
    public void Serving_app_scales_on_HTTP_concurrency_between_min_and_max_replicas()
    {
        var (scope, app) = ServingApp();
        var scale = app["properties"]!["template"]!["scale"]!;
        scale["minReplicas"].Should().NotBeNull();
        var maxReplicas = scope.Resolve(scale["maxReplicas"])!.GetValue<int>();
        maxReplicas.Should().BeGreaterThan(1);
        var rule = scale["rules"]!.AsArray().Single()!;
        var concurrentRequests = (string?)rule["http"]!["metadata"]!["concurrentRequests"];
        concurrentRequests.Should().StartWith("[string(", "the platform wants the concurrency as a string");
        bicep.Main.Module("serving").PassedParameters!["concurrentRequests"].Should().NotBeNull();
        ((int)bicep.Main.Template["parameters"]!["servingConcurrentRequests"]!["defaultValue"]!).Should().BeGreaterThan(0);
    }

    [Fact]
    public void Serving_app_is_configured_with_its_identity_and_the_store()
    {
        var (scope, app) = ServingApp();
        var environment = ContainerEnvironment.Of(scope, app["properties"]!["template"]!["containers"]![0]!);
        foreach (var name in new[] { "AZURE_CLIENT_ID", "Serving__Store", "Serving__Alias" })
        {
            environment.Named(name)["value"].Should().NotBeNull(name);
            environment.Named(name)["secretRef"].Should().BeNull(name);
        }

        ((string?)environment.Named("Serving__Store")["value"]).Should().Be("[parameters('storeUri')]");
        ((string?)bicep.Main.Module("serving").PassedParameters!["storeUri"]!["value"]).Should().Contain("storeUri");
    }

    [Fact]
    public void Training_runs_as_jobs_started_by_hand_and_on_a_schedule()
    {
        var jobs = bicep.Main.FindAll("Microsoft.App/jobs")
            .Select(entry => (entry.Scope, Trigger: entry.Scope.ResolveString(entry.Resource["properties"]!["configuration"]!["triggerType"]), Job: entry.Resource))
            .Where(job => job.Trigger != "Event")
            .ToList();

        jobs.Select(job => job.Trigger).Should().BeEquivalentTo(["Manual", "Schedule"]);
        var scheduled = jobs.Single(job => job.Trigger == "Schedule");
        ((string?)scheduled.Scope.ResolveParameter("cronExpression")).Should().MatchRegex(@"^\S+( \S+){4}$", "a five-field cron expression");
        foreach (var (scope, _, job) in jobs)
        {
            var container = job["properties"]!["template"]!["containers"]![0]!;
            var args = container["args"]!.AsArray().Select(arg => (string?)arg).ToList();
            args.Should().StartWith("train").And.Contain("--store").And.Contain("--alias");
            container["env"]!.AsArray().Select(entry => (string?)entry!["name"]).Should().Contain("AZURE_CLIENT_ID");
            job["properties"]!["configuration"]!["secrets"].Should().BeNull();
            ((string?)job["identity"]!["type"]).Should().Be("UserAssigned");
            ((string?)scope.ResolveParameter("alias")).Should().Be("staging");
        }
    }

    [Fact]
    public void Template_holds_no_secret_and_reads_no_key()
    {
        var text = bicep.Template!.ToJsonString();
        text.Should().NotContain("listKeys(").And.NotContain("listSecrets(");

        // The only secure parameters are the generated values of new API keys, which no parent passes.
        var secure = AllTemplates(bicep.Main)
            .SelectMany(scope => (scope.Template["parameters"]?.AsObject() ?? []).Select(parameter => (Scope: scope, parameter.Key, Parameter: parameter.Value!)))
            .Where(entry => ((string?)entry.Parameter["type"])?.StartsWith("secure", StringComparison.OrdinalIgnoreCase) == true)
            .ToList();
        secure.Select(entry => (entry.Scope.Name, entry.Key)).Should().BeEquivalentTo(new[] { ("servingApiKeys", "newPredictKey"), ("servingApiKeys", "newAdminKey") });
        foreach (var (scope, name, parameter) in secure)
        {
            ((string?)parameter["defaultValue"]).Should().Contain("newGuid()");
            scope.PassedParameters!.ContainsKey(name).Should().BeFalse($"{name} is generated by ARM, never a deployment input");
        }
    }

    [Fact]
    public void Outputs_give_the_service_URL_the_store_URI_and_what_azd_needs()
    {
        var outputs = bicep.Main.Template["outputs"]!.AsObject();
        outputs.Select(output => output.Key).Should().Contain(["SERVICE_URL", "MODEL_STORE_URI", "TRIAL_QUEUE_URI", "AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_RESOURCE_GROUP", "AZURE_KEY_VAULT_NAME"]);
        ((string?)bicep.Main.Module("serving").PassedParameters!["tags"]!["value"]).Should().Contain("'azd-service-name', 'serving'");

        // Names of the key secrets may be outputs; their values never are, in main or in the keys module.
        foreach (var scope in new[] { bicep.Main, bicep.Main.Module("servingApiKeys") })
        {
            foreach (var (name, output) in scope.Template["outputs"]!.AsObject())
            {
                ((string?)output!["type"]).Should().Be("string", name);
                ((string)output["value"]!).Should().NotContain("newPredictKey").And.NotContain("newAdminKey").And.NotContain("properties.value", name);
            }
        }
    }

    private (ArmScope Scope, JsonObject App) ServingApp() => bicep.Main.FindAll("Microsoft.App/containerApps").Single();

    private IEnumerable<string> DependsOn(string module) =>
        bicep.Main.Resources.Single(entry => entry.SymbolicName == module).Resource["dependsOn"]!.AsArray().Select(item => (string)item!);

    private static IEnumerable<ArmScope> AllTemplates(ArmScope scope) => new[] { scope }.Concat(scope.Modules.SelectMany(AllTemplates));

    /// <summary>(scope type, role definition id) per assignment, with the role looked up in the module's roleIds map.</summary>
    private static IEnumerable<(string, string)> RoleIdsGranted(ArmScope access, IEnumerable<JsonObject> assignments)
    {
        var roleIds = access.Template["variables"]!["roleIds"]!.AsObject();
        var storageRole = access.ResolveString(access.PassedParameters!["storageRole"]!["value"])!;
        foreach (var assignment in assignments)
        {
            var definition = (string)assignment["properties"]!["roleDefinitionId"]!;
            definition.Should().StartWith("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ");
            var role = definition.Contains("roleIds').AcrPull", StringComparison.Ordinal) ? "AcrPull"
                : definition.Contains("roleIds')[parameters('storageRole')]", StringComparison.Ordinal) ? storageRole
                : throw new InvalidOperationException("Unexpected role definition: " + definition);
            var scopeType = ((string)assignment["scope"]!).Split('\'')[1];
            yield return (scopeType, (string)roleIds[role]!);
        }
    }
}
