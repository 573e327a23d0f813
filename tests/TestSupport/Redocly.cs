using System.Text.Json;

namespace MLPipeline.TestSupport;

/// <summary>
/// Redocly's CLI (tests/package.json, installed by <c>npm ci</c> like Azurite): lints OpenAPI documents under its
/// recommended rules and returns every problem, errors and warnings alike, one line each.
/// </summary>
public static class Redocly
{
    // No telemetry and no update check: the tests reach no address but the package registry.
    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["REDOCLY_TELEMETRY"] = "off",
        ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
    };

    /// <returns>"file pointer rule severity: message" for each problem; empty when every document is clean.</returns>
    public static async Task<IReadOnlyList<string>> LintAsync(IReadOnlyList<string> files)
    {
        var cli = await NodePackages.EnsureInstalledAsync("@redocly/cli");
        var folder = Path.GetDirectoryName(files[0])!;
        var result = await ExternalTool.RunAsync(
            "node",
            [Path.Combine(cli, "bin", "cli.js"), "lint", "--extends=recommended", "--format=json", "--max-problems=1000", .. files],
            folder,
            TimeSpan.FromMinutes(2),
            Quiet,
            NodePackages.Start);
        // One report per document, one after the other.
        var problems = new List<string>();
        var reports = 0;
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(result.StdOut), new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            while (reader.Read())
            {
                using var report = JsonDocument.ParseValue(ref reader);
                var found = report.RootElement.GetProperty("problems").EnumerateArray().Select(Describe).ToList();
                var totals = report.RootElement.GetProperty("totals");
                if (found.Count != totals.GetProperty("errors").GetInt32() + totals.GetProperty("warnings").GetInt32() + totals.GetProperty("ignored").GetInt32())
                {
                    throw new InvalidOperationException($"Redocly's report does not add up: {result}");
                }

                problems.AddRange(found);
                reports++;
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Redocly printed no JSON report: {result}", ex);
        }

        if (reports != files.Count || (problems.Count == 0 && result.ExitCode != 0))
        {
            throw new InvalidOperationException($"Redocly reported on {reports} of {files.Count} documents: {result}");
        }

        return problems;
    }

    private static string Describe(JsonElement problem)
    {
        var location = problem.GetProperty("location").EnumerateArray().FirstOrDefault();
        var where = location.ValueKind == JsonValueKind.Object
            ? $"{Path.GetFileName(location.GetProperty("source").GetProperty("ref").GetString())} {location.GetProperty("pointer").GetString()}"
            : "?";
        return $"{where} {problem.GetProperty("ruleId").GetString()} {problem.GetProperty("severity").GetString()}: {problem.GetProperty("message").GetString()}";
    }
}
