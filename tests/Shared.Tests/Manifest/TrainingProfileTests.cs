using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Manifest;

/// <summary>The manifest's training profile and monitoring settings: optional, read back, and every broken field named.</summary>
public sealed class TrainingProfileTests : IDisposable
{
    private const string Profile = """
        { "rows": 100,
          "columns": {
            "Size": { "edges": [10, 20], "shares": [0.3, 0.3, 0.3], "missingShare": 0.1 },
            "District": { "categories": ["east", "west"], "shares": [0.5, 0.4, 0.1], "missingShare": 0 } },
          "score": { "edges": [0.5], "shares": [0.5, 0.5], "missingShare": 0 } }
        """;

    private readonly string _package = TestModelPackage.Create("house", "v1");

    public void Dispose() => Directory.Delete(_package, recursive: true);

    private byte[] Valid => File.ReadAllBytes(Path.Combine(_package, ModelManifest.FileName));

    [Fact]
    public void A_profile_is_optional_read_back_and_bins_values_the_documented_way()
    {
        ManifestReader.ReadStored(Valid, "store", "house", "v1").Profile.Should().BeNull();

        var manifest = ManifestReader.ReadStored(CraftedPackage.Mutate(Valid, m => m["profile"] = JsonNode.Parse(Profile)), "store", "house", "v1");

        var size = manifest.Profile!.Columns["Size"];
        new[] { 5, 10, 10.5, 20, 99, double.NaN }.Select(size.BinOf).Should().Equal(0, 0, 1, 1, 2, 3);
        var district = manifest.Profile.Columns["District"];
        new[] { "east", "west", "north", null }.Select(district.BinOf).Should().Equal(0, 1, 2, 3);
        district.ExpectedShares().Should().Equal(0.5, 0.4, 0.1, 0);
    }

    [Theory]
    [InlineData("""{ "rows": 1, "columns": { "Nope": { "edges": [], "shares": [1], "missingShare": 0 } } }""", "profile.columns[\"Nope\"]: is not an input column")]
    [InlineData("""{ "rows": 1, "columns": { "Size": { "edges": [2, 1], "shares": [0.2, 0.3, 0.5], "missingShare": 0 } } }""", "profile.columns[\"Size\"].edges: must be finite and strictly ascending")]
    [InlineData("""{ "rows": 1, "columns": { "Size": { "edges": [1], "shares": [1], "missingShare": 0 } } }""", "profile.columns[\"Size\"].shares: has 1 bins; 1 edges make 2")]
    [InlineData("""{ "rows": 1, "columns": { "Size": { "edges": [1], "shares": [0.5, 0.6], "missingShare": 0 } } }""", "profile.columns[\"Size\"].shares: the shares and missingShare sum to 1.1, not 1")]
    [InlineData("""{ "rows": 1, "columns": { "Size": { "shares": [1], "missingShare": 0 } } }""", "profile.columns[\"Size\"].edges: a column profile has either edges (numeric) or categories (categorical)")]
    [InlineData("""{ "rows": 1, "columns": {}, "score": { "categories": ["a", "a"], "shares": [0.5, 0.5, 0], "missingShare": 0 } }""", "profile.score.categories: must be at most 20 distinct non-empty values")]
    [InlineData("""{ "rows": 1, "columns": { "Size": { "edges": [1], "shares": [-0.5, 1.5], "missingShare": 0 } } }""", "profile.columns[\"Size\"].shares: every share and missingShare must be between 0 and 1")]
    public void A_broken_profile_names_the_field(string profile, string problem)
    {
        var crafted = CraftedPackage.Mutate(Valid, m => m["profile"] = JsonNode.Parse(profile));

        FluentActions.Invoking(() => ManifestReader.ReadStored(crafted, "store", "house", "v1"))
            .Should().Throw<InvalidManifestException>().WithMessage($"*invalid manifest: {problem}");
    }

    [Fact]
    public void Monitoring_exclude_must_name_input_columns()
    {
        var valid = CraftedPackage.Mutate(Valid, m => m["monitoring"] = JsonNode.Parse("""{ "exclude": ["Size"] }"""));
        ManifestReader.ReadStored(valid, "store", "house", "v1").Monitoring!.Exclude.Should().Equal("Size");

        var crafted = CraftedPackage.Mutate(Valid, m => m["monitoring"] = JsonNode.Parse("""{ "exclude": ["Salary"] }"""));
        FluentActions.Invoking(() => ManifestReader.ReadStored(crafted, "store", "house", "v1"))
            .Should().Throw<InvalidManifestException>().WithMessage("*invalid manifest: monitoring.exclude: \"Salary\" is not an input column");
    }

    [Fact]
    public void The_population_stability_index_is_zero_for_the_same_distribution_and_grows_with_a_shift()
    {
        PopulationStability.Index([0.5, 0.5, 0], [50, 50, 0]).Should().BeApproximately(0, 1e-12);
        PopulationStability.Index([0.5, 0.5, 0], [90, 10, 0]).Should().BeApproximately((0.4 * Math.Log(0.9 / 0.5)) + (-0.4 * Math.Log(0.1 / 0.5)), 1e-12);
        PopulationStability.Index([0.5, 0.5, 0], []).Should().Be(0);
    }
}
