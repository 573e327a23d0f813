using System.Text;
using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>An alias record that cannot be trusted is a store error naming the file, never another exception type.</summary>
public abstract partial class ModelStoreContract
{
    [Theory]
    [InlineData("""{"model":"house","alias":"production","version":"../../etc","movedBy":"x","movedUtc":"2026-01-01T00:00:00Z"}""", "version '../../etc' is not a valid version name")]
    [InlineData("""{"model":"house","alias":"production","version":null,"movedBy":"x","movedUtc":"2026-01-01T00:00:00Z"}""", "version is missing")]
    [InlineData("""{"model":"iris","alias":"production","version":"v1","movedBy":"x","movedUtc":"2026-01-01T00:00:00Z"}""", "it names iris@production, but was found as house@production")]
    [InlineData("""{"model":"house","alias":"production","version":"v1","previousVersion":"a/b","movedBy":"x","movedUtc":"2026-01-01T00:00:00Z"}""", "previousVersion 'a/b' is not a valid version name")]
    [InlineData("""{"version":"v1"}""", "*not a valid alias file*")]
    public async Task A_stored_invalid_alias_record_is_a_store_error_naming_the_file(string record, string problem)
    {
        await PublishAsync("house", "v1");
        await WriteRawAsync("house/aliases/production.json", Encoding.UTF8.GetBytes(record));

        var refused = await FluentActions.Awaiting(() => Store.FindAliasAsync("house", "production")).Should().ThrowExactlyAsync<ModelStoreException>();

        refused.Which.Message.Should().Match($"*production.json*{problem}*");
        await FluentActions.Awaiting(() => Store.ResolveAsync(ModelReference.Parse("house@production"))).Should().ThrowExactlyAsync<ModelStoreException>();
    }
}
