using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>Names, versions and aliases: safe path segments that every store, a Windows folder included, can hold.</summary>
public sealed class StoreNamesTests
{
    [Theory]
    [InlineData("house-prices")]
    [InlineData("v1.2.3")]
    [InlineData("2026.1")]
    [InlineData("console")]
    [InlineData("COM10")]
    [InlineData("lpt")]
    [InlineData("nul-model")]
    [InlineData("auxiliary.v1")]
    public void Portable_names_are_valid(string name) => StoreNames.Problem(name).Should().BeNull();

    [Theory]
    [InlineData("CON", "device name")]
    [InlineData("con", "device name")]
    [InlineData("Aux.json", "device name")]
    [InlineData("nul.tar.gz", "device name")]
    [InlineData("PRN", "device name")]
    [InlineData("COM0", "device name")]
    [InlineData("lpt9.v2", "device name")]
    [InlineData("v1.", "end with '.'")]
    [InlineData("x.", "end with '.'")]
    [InlineData("a..b", "up to 100")]
    [InlineData(".hidden", "up to 100")]
    [InlineData("a/b", "up to 100")]
    [InlineData("", "up to 100")]
    public void Unportable_or_unsafe_names_are_refused_saying_why(string name, string reason)
    {
        StoreNames.IsValid(name).Should().BeFalse();
        FluentActions.Invoking(() => StoreNames.Check(name, "version")).Should().Throw<ArgumentException>()
            .WithMessage($"Invalid version '{name}': *{reason}*");
    }
}
