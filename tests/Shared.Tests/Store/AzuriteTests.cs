using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>All blob tests of this assembly share one Azurite server; each test uses its own container.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteTests : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
