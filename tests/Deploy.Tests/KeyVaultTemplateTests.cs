using System.Net;
using System.Text.Json.Nodes;

namespace MLPipeline.Deploy.Tests;

/// <summary>
/// The serving app's API keys in the compiled template: a Key Vault with RBAC only, two secrets created only when
/// missing, read by the app through Key Vault references with its identity, wired to Serving:ApiKeys with roles;
/// forwarded headers and the optional IP allow list.
/// </summary>
[Collection(BicepGroup.Name)]
public sealed class KeyVaultTemplateTests(BicepBuildFixture bicep)
{
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    [Fact]
    public void Vault_uses_RBAC_only_with_soft_delete_and_purge_protection_as_a_parameter()
    {
        var (scope, vault) = bicep.Main.FindAll("Microsoft.KeyVault/vaults").Single();
        var properties = vault["properties"]!;

        ((bool)properties["enableRbacAuthorization"]!).Should().BeTrue();
        (properties["accessPolicies"] as JsonArray ?? []).Should().BeEmpty();
        ((bool)properties["enableSoftDelete"]!).Should().BeTrue();
        ((string?)properties["enablePurgeProtection"]).Should().Be("[if(parameters('purgeProtection'), true(), null())]");
        ((string?)scope.PassedParameters!["purgeProtection"]!["value"]).Should().Be("[parameters('keyVaultPurgeProtection')]");
        ((bool)bicep.Main.Template["parameters"]!["keyVaultPurgeProtection"]!["defaultValue"]!).Should().BeFalse();
        ((bool)properties["enabledForTemplateDeployment"]!).Should().BeFalse();
    }

    [Fact]
    public void Vault_sends_its_audit_events_to_the_workspace()
    {
        var vaultScope = bicep.Main.FindAll("Microsoft.KeyVault/vaults").Single().Scope;
        var audit = vaultScope.Resources.Select(entry => entry.Resource)
            .Single(resource => (string?)resource["type"] == "Microsoft.Insights/diagnosticSettings");

        ((string?)audit["scope"]).Should().Contain("Microsoft.KeyVault/vaults");
        ((string?)audit["properties"]!["workspaceId"]).Should().Be("[parameters('logAnalyticsWorkspaceId')]");
        ((string?)audit["properties"]!["logs"]![0]!["categoryGroup"]).Should().Be("audit");
    }

    [Fact]
    public void Serving_app_reads_both_keys_from_Key_Vault_with_its_user_assigned_identity()
    {
        var (_, app) = ServingApp();
        var secrets = app["properties"]!["configuration"]!["secrets"]!.AsArray().Select(secret => secret!.AsObject()).ToList();

        secrets.Should().HaveCount(2);
        secrets.Should().OnlyContain(secret => secret["value"] == null, "a key is never a plain value in the template");
        secrets.Select(secret => (string?)secret["identity"]).Should().AllBe("[parameters('identityId')]");
        ((string)app["identity"]!["userAssignedIdentities"]!.AsObject().Single().Key).Should().Be("[format('{0}', parameters('identityId'))]");
        secrets.Select(secret => (string?)secret["keyVaultUrl"]).Should().BeEquivalentTo(["[parameters('predictKeySecretUrl')]", "[parameters('adminKeySecretUrl')]"]);

        var serving = bicep.Main.Module("serving").PassedParameters!;
        ((string?)serving["identityId"]!["value"]).Should().Be("[reference('servingIdentity').outputs.id.value]");
        ((string?)serving["predictKeySecretUrl"]!["value"]).Should().Be("[reference('servingApiKeys').outputs.predictKeySecretUrl.value]");
        ((string?)serving["adminKeySecretUrl"]!["value"]).Should().Be("[reference('servingApiKeys').outputs.adminKeySecretUrl.value]");

        // Versionless URLs, so the app follows a rotated key.
        var keys = bicep.Main.Module("servingApiKeys");
        foreach (var (output, secretName) in new[] { ("predictKeySecretUrl", "predict"), ("adminKeySecretUrl", "admin") })
        {
            ((string?)keys.Template["outputs"]![output]!["value"]).Should().Be($"[format('{{0}}secrets/{{1}}', reference('vault').vaultUri, variables('secretNames').{secretName})]");
        }
    }

    [Fact]
    public void ApiKeys_settings_give_each_key_its_id_and_role_and_take_the_key_only_through_secretRef()
    {
        var (scope, app) = ServingApp();
        var environment = ContainerEnvironment.Of(scope, app["properties"]!["template"]!["containers"]![0]!);
        var secrets = app["properties"]!["configuration"]!["secrets"]!.AsArray()
            .ToDictionary(secret => scope.ResolveString(secret!["name"])!, secret => (string)secret!["keyVaultUrl"]!);

        foreach (var (index, role) in new[] { (0, "predict"), (1, "admin") })
        {
            ((string?)environment.Named($"Serving__ApiKeys__{index}__Id")["value"]).Should().Be(role);
            ((string?)environment.Named($"Serving__ApiKeys__{index}__Role")["value"]).Should().Be(role);
            var key = environment.Named($"Serving__ApiKeys__{index}__Key");
            key["value"].Should().BeNull();
            secrets[scope.ResolveString(key["secretRef"])!].Should().Be($"[parameters('{role}KeySecretUrl')]", $"the {role} key comes from the {role} secret");
        }

        environment.Entries.Should().OnlyContain(entry => entry.Value["value"] == null || entry.Value["secretRef"] == null);
        environment.Entries.Where(entry => ((string?)entry.Value["name"])?.EndsWith("__Key", StringComparison.Ordinal) == true)
            .Should().HaveCount(2).And.OnlyContain(entry => entry.Value["secretRef"] != null);
    }

    [Fact]
    public void Keys_are_written_only_when_missing_with_values_generated_by_ARM()
    {
        var keys = bicep.Main.Module("servingApiKeys");
        var secrets = keys.Resources.Select(entry => entry.Resource).Where(resource => (string?)resource["type"] == "Microsoft.KeyVault/vaults/secrets").ToList();

        secrets.Select(secret => ((string?)secret["condition"], (string?)secret["properties"]!["value"])).Should().BeEquivalentTo(new[]
        {
            ("[contains(parameters('create'), 'predict')]", "[parameters('newPredictKey')]"),
            ("[contains(parameters('create'), 'admin')]", "[parameters('newAdminKey')]"),
        });
        ((string?)keys.PassedParameters!["create"]!["value"]).Should().Be("[parameters('servingApiKeysToCreate')]");
        bicep.Main.Template["parameters"]!["servingApiKeysToCreate"]!["defaultValue"]!.AsArray().Should().BeEmpty("without the script's answer, no key is written");
        foreach (var name in new[] { "newPredictKey", "newAdminKey" })
        {
            ((string?)keys.Template["parameters"]![name]!["type"]).Should().Be("securestring");
            ((string?)keys.Template["parameters"]![name]!["defaultValue"]).Should().Be("[replace(format('{0}{1}', newGuid(), newGuid()), '-', '')]");
        }
    }

    [Fact]
    public void Serving_identity_may_read_the_keys_before_the_app_is_saved_and_the_deployer_may_manage_them()
    {
        var keys = bicep.Main.Module("servingApiKeys");
        var reader = keys.Resources.Select(entry => entry.Resource).Single(resource => (string?)resource["type"] == "Microsoft.Authorization/roleAssignments");
        ((string?)reader["scope"]).Should().Be("[resourceId('Microsoft.KeyVault/vaults', parameters('vaultName'))]");
        ((string?)reader["properties"]!["roleDefinitionId"]).Should().Contain("variables('keyVaultSecretsUser')");
        ((string?)keys.Template["variables"]!["keyVaultSecretsUser"]).Should().Be(KeyVaultSecretsUser);
        ((string?)reader["properties"]!["principalId"]).Should().Be("[reference('identity').principalId]");
        var identity = keys.Resources.Single(entry => entry.SymbolicName == "identity").Resource;
        ((string?)identity["type"]).Should().Be("Microsoft.ManagedIdentity/userAssignedIdentities");
        ((string?)identity["name"]).Should().Be("[parameters('identityName')]");
        ((string?)keys.PassedParameters!["identityName"]!["value"]).Should().Be("[variables('servingIdentityName')]");
        ((string?)bicep.Main.Module("servingIdentity").PassedParameters!["name"]!["value"]).Should().Be("[variables('servingIdentityName')]");
        ((string?)keys.PassedParameters!["vaultName"]!["value"]).Should().Be("[variables('keyVaultName')]");
        ((string?)bicep.Main.Module("keyVault").PassedParameters!["name"]!["value"]).Should().Be("[variables('keyVaultName')]");

        DependsOn("serving").Should().Contain("servingApiKeys", "Container Apps reads the secrets when the app is saved");
        DependsOn("servingApiKeys").Should().Contain(["keyVault", "servingIdentity"]);

        var vaultScope = bicep.Main.Module("keyVault");
        var officer = vaultScope.Resources.Select(entry => entry.Resource).Single(resource => (string?)resource["type"] == "Microsoft.Authorization/roleAssignments");
        ((string?)officer["properties"]!["principalId"]).Should().Be("[deployer().objectId]");
        ((string?)officer["properties"]!["roleDefinitionId"]).Should().Contain("variables('keyVaultSecretsOfficer')");
        ((string?)vaultScope.Template["variables"]!["keyVaultSecretsOfficer"]).Should().Be(KeyVaultSecretsOfficer);
    }

    [Fact]
    public void Ingress_allow_rules_come_from_the_allowed_ranges_parameter_and_none_means_open()
    {
        var (scope, app) = ServingApp();
        var ingress = app["properties"]!["configuration"]!["ingress"]!;

        ((string?)ingress["ipSecurityRestrictions"]).Should().Be("[if(empty(parameters('allowedIpRanges')), null(), variables('ipAllowRules'))]");
        var (count, rule) = scope.CopyVariable("ipAllowRules")!.Value;
        count.Should().Be("[length(parameters('allowedIpRanges'))]");
        ((string?)rule["ipAddressRange"]).Should().Be("[parameters('allowedIpRanges')[copyIndex('ipAllowRules')]]");
        ((string?)rule["action"]).Should().Be("Allow");
        ((string?)bicep.Main.Module("serving").PassedParameters!["allowedIpRanges"]!["value"]).Should().Be("[parameters('servingAllowedIpRanges')]");
        bicep.Main.Template["parameters"]!["servingAllowedIpRanges"]!["defaultValue"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public void Service_takes_forwarded_client_addresses_only_from_private_proxy_networks()
    {
        var (scope, app) = ServingApp();
        var environment = ContainerEnvironment.Of(scope, app["properties"]!["template"]!["containers"]![0]!);

        var forwarded = environment.Entries.Single(entry => entry.Loop is not null);
        forwarded.Loop.Should().Be("[length(parameters('trustedProxyNetworks'))]");
        ((string?)forwarded.Value["name"]).Should().Be("[format('Serving__ForwardedHeaders__KnownNetworks__{0}', copyIndex('forwardedHeadersEnvironment'))]");
        ((string?)forwarded.Value["value"]).Should().Be("[parameters('trustedProxyNetworks')[copyIndex('forwardedHeadersEnvironment')]]");
        ((string?)bicep.Main.Module("serving").PassedParameters!["trustedProxyNetworks"]!["value"]).Should().Be("[parameters('servingTrustedProxyNetworks')]");

        // The default: private and shared address space only, where no internet client connects from.
        var notPublic = new[] { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10" }.Select(IPNetwork.Parse).ToList();
        var defaults = bicep.Main.Template["parameters"]!["servingTrustedProxyNetworks"]!["defaultValue"]!.AsArray().Select(item => IPNetwork.Parse((string)item!)).ToList();
        defaults.Should().NotBeEmpty();
        defaults.Should().OnlyContain(network => notPublic.Any(range => range.Contains(network.BaseAddress) && network.PrefixLength >= range.PrefixLength));
    }

    private (ArmScope Scope, JsonObject App) ServingApp() => bicep.Main.FindAll("Microsoft.App/containerApps").Single();

    private IEnumerable<string> DependsOn(string module) =>
        bicep.Main.Resources.Single(entry => entry.SymbolicName == module).Resource["dependsOn"]!.AsArray().Select(item => (string)item!);
}
