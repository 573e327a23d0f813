using System.Text.Json.Nodes;
using Microsoft.ML;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Data;
using MLPipeline.Training.Evaluation;
using MLPipeline.Training.Search;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests.Search;

/// <summary>A bundled spec, optionally with its trainers and search replaced, and its search run in this process (no final fit).</summary>
public static class BundledSearch
{
    public static TrainingSpec Spec(string name, JsonNode? trainers = null, JsonNode? search = null)
    {
        var spec = TestSpec.FromBundled(name);
        if (trainers is not null)
        {
            spec.With("trainers", trainers);
        }

        if (search is not null)
        {
            spec.With("search", search);
        }

        // Parsed as if it were the bundled file, so its relative data path still resolves.
        return SpecLoader.Parse(spec.Json, RepositoryRoot.Spec(name));
    }

    public static async Task<SearchOutcome> RunAsync(TrainingSpec spec, int? parallelism = null)
    {
        using var data = StoredRows.Read(spec);
        var ml = new MLContext(spec.Seed);
        var prepared = PreparedData.Create(ml, spec, data.Profile, data.Load(ml));
        var executor = new ParallelTrialExecutor(new TrialEvaluator(spec, prepared), SilentProgress.Instance, parallelism);
        return await SearchDriver.RunAsync(spec, SearchPlan.For(spec), executor, MetricNames.MainMetric(spec.Task), SilentProgress.Instance);
    }
}
