using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests.StoreCommands;

/// <summary>The console tests against blob stores share one Azurite server; each test uses its own container.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteTests : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
