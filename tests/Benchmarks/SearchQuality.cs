using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Data;
using MLPipeline.Training.Evaluation;
using MLPipeline.Training.Search;
using MLPipeline.Training.Specs;

namespace MLPipeline.Benchmarks;

/// <summary>
/// Each bundled spec's own comparison (its grid) against halving and random search over its trainers plus a LightGbm
/// space, on the same split and folds: the best cross-validated main metric, the trials, the trainings (trials x folds)
/// and the cost in full-data trainings (a trial on 1/9 of the rows costs 1/9). Printed as a Markdown table.
/// </summary>
public static class SearchQuality
{
    private const string LightGbmSpace = """
        { "name": "LightGbm", "space": {
            "NumberOfLeaves": { "int": [4, 64], "log": true }, "LearningRate": { "float": [0.01, 0.3], "log": true },
            "MinimumExampleCountPerLeaf": { "int": [2, 50], "log": true }, "NumberOfIterations": { "int": [50, 500], "log": true } } }
        """;

    public static async Task<int> RunAsync(string pipelines, IReadOnlyList<string> specs, int trials)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| spec | metric | strategy | trials | trainings | full-data cost | best | winner | seconds |"));
        Console.WriteLine("|---|---|---|---:|---:|---:|---:|---|---:|");
        foreach (var name in specs)
        {
            var path = Path.Combine(pipelines, name + ".json");
            var grid = SpecLoader.Load(path);
            await RowAsync(name, grid);
            foreach (var strategy in new[] { "halving", "random" })
            {
                var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
                var trainers = json["trainers"] is JsonArray list ? list : new JsonArray(json["trainers"]!.DeepClone());
                json["trainers"] = new JsonArray([.. trainers.Select(t => t!.DeepClone()), JsonNode.Parse(LightGbmSpace)]);
                json["search"] = new JsonObject { ["strategy"] = strategy, ["trials"] = trials, ["eta"] = 3 };
                await RowAsync(name, SpecLoader.Parse(json.ToJsonString(), path));
            }
        }

        return 0;
    }

    private static async Task RowAsync(string name, TrainingSpec spec)
    {
        var clock = Stopwatch.StartNew();
        var plan = SearchPlan.For(spec);
        using var data = StoredRows.Read(spec);
        var ml = new MLContext(spec.Seed);
        var prepared = PreparedData.Create(ml, spec, data.Profile, data.Load(ml));
        var metric = MetricNames.MainMetric(spec.Task);
        var outcome = await SearchDriver.RunAsync(spec, plan, new ParallelTrialExecutor(new TrialEvaluator(spec, prepared), SilentProgress.Instance), metric, SilentProgress.Instance);
        var folds = Math.Max(1, spec.Folds);
        var cost = outcome.Trials.Sum(t => t.Fraction) * folds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {metric} | {plan.Strategy.ToString().ToLowerInvariant()} | {outcome.Trials.Count} | {outcome.Trials.Count * folds} | {cost:F1} | {outcome.Best.Score(metric):F4} | {outcome.Best.Candidate.DisplayName} | {clock.Elapsed.TotalSeconds:F0} |"));
    }
}
