using FluentAssertions;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;
using Xunit;

namespace MLPipeline.Serving.Tests;

/// <summary>The key comparison itself: only the exact key matches, whatever lengths the configured keys have.</summary>
public class ApiKeyRegistryTests
{
    private static readonly ApiKeyRegistry Registry = new(Microsoft.Extensions.Options.Options.Create(new ServingOptions
    {
        ApiKeys =
        [
            new ApiKeyOptions { Id = "short", Key = "predict-key-0123", Role = "predict" },
            new ApiKeyOptions { Id = "long", Key = "admin-key-0123456789-abcdefghijklmnopqrstuvwxyz", Role = "admin" },
            new ApiKeyOptions { Id = "unicode", Key = "clé-0123456789-ünïcødé", Role = "predict" },
        ],
    }));

    [Theory]
    [InlineData("predict-key-0123", "short", "predict")]
    [InlineData("admin-key-0123456789-abcdefghijklmnopqrstuvwxyz", "long", "admin")]
    [InlineData("clé-0123456789-ünïcødé", "unicode", "predict")]
    public void Each_configured_key_finds_its_own_id_and_role(string presented, string id, string role) =>
        Registry.Find(presented).Should().Be((id, role));

    [Theory]
    [InlineData("")]
    [InlineData("predict-key-012")]
    [InlineData("predict-key-01234")]
    [InlineData("predict-key-0124")]
    [InlineData("Predict-key-0123")]
    [InlineData("predict-key-0123\0")]
    [InlineData("admin-key-0123456789-abcdefghijklmnopqrstuvwxyz-and-more-than-any-configured-key")]
    [InlineData("cle-0123456789-unicode")]
    public void Anything_but_an_exact_key_matches_nothing(string presented) =>
        Registry.Find(presented).Should().BeNull();

    [Fact]
    public void A_key_far_longer_than_the_stack_buffer_is_compared_and_refused() =>
        Registry.Find(new string('k', 100_000)).Should().BeNull();

    [Fact]
    public void With_no_keys_nothing_matches() =>
        new ApiKeyRegistry(Microsoft.Extensions.Options.Options.Create(new ServingOptions())).Find("anything-at-all-0123").Should().BeNull();
}
