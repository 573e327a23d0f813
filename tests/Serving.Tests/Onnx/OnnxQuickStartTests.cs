using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Onnx;

/// <summary>
/// The README's ONNX quick start, step by step: its import-onnx line run by the real console from the repository root
/// (into a temporary store instead of ./models), the service over that store, and its curl request sent as written.
/// </summary>
public sealed partial class OnnxQuickStartTests
{
    private const string Heading = "### Quick start with an ONNX model";

    [Fact]
    public async Task The_readme_steps_import_the_digits_cnn_and_predict_one_image()
    {
        var steps = QuickStartLines();
        var import = steps.Single(l => l.StartsWith("dotnet run --project src/Training -- ", StringComparison.Ordinal));
        var curl = steps.Single(l => l.StartsWith("curl ", StringComparison.Ordinal));
        steps.Should().Contain("dotnet run --project src/Serving");
        using var folder = new TempFolder("mlpipeline-onnx-quickstart");
        var store = folder.Combine("models");

        var imported = await ExternalTool.RunAsync(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "mlpipeline.dll"), .. import["dotnet run --project src/Training -- ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)],
            RepositoryRoot.Path,
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["MLPIPELINE_STORE"] = store });
        imported.ExitCode.Should().Be(0, imported.ToString());

        await using var app = new OnnxServingApp(store);
        var client = await app.ReadyClientAsync();
        var request = CurlRequest().Match(curl);
        request.Success.Should().BeTrue(curl);
        var response = await client.PostAsync(new Uri(request.Groups["url"].Value).PathAndQuery, new StringContent(request.Groups["body"].Value, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var prediction = JsonDocument.Parse(text).RootElement.GetProperty("predictions").EnumerateArray().Single();
        prediction.GetProperty("label").GetString().Should().Be("0");
        var expected = OnnxSamples.Flat(OnnxSamples.Of(OnnxSamples.Digits).Outputs["probabilities"][0]);
        var actual = OnnxSamples.Flat(prediction.GetProperty("probabilities"));
        actual.Zip(expected).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 1e-5);
    }

    /// <summary>The command lines of the bash block under the heading.</summary>
    private static List<string> QuickStartLines()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var start = readme.IndexOf(Heading, StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "the README has an ONNX quick start");
        var block = readme[readme.IndexOf("```bash", start, StringComparison.Ordinal)..];
        block = block[..block.IndexOf("```", 7, StringComparison.Ordinal)];
        return [.. block.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("```", StringComparison.Ordinal))];
    }

    [GeneratedRegex("^curl -s -X POST (?<url>\\S+) -H 'Content-Type: application/json' -d '(?<body>[^']+)'$")]
    private static partial Regex CurlRequest();
}
