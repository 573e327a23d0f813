using MLPipeline.TestSupport;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

/// <summary>Writes small specs (and data) into a temp folder for one test.</summary>
public static class TestSpecs
{
    /// <summary>A spec over a bundled data set; <paramref name="extra"/> is spliced into the JSON object.</summary>
    public static string Write(TempFolder dir, string name, string dataFile, string label, string task, string trainers, string extra = "")
    {
        var data = Path.Combine(RepoPaths.Data, dataFile).Replace("\\", "/", StringComparison.Ordinal);
        var json = $$"""
            {
              "name": "{{name}}",
              "data": { "path": "{{data}}" },
              "label": "{{label}}",
              "task": "{{task}}",
              "trainers": {{trainers}},
              "testFraction": 0.2,
              "folds": 0{{(extra.Length > 0 ? ",\n  " + extra : "")}}
            }
            """;
        return dir.File(name + ".json", json);
    }

    public static TrainingSpec Load(TempFolder dir, string name, string dataFile, string label, string task, string trainers, string extra = "") =>
        SpecLoader.Load(Write(dir, name, dataFile, label, task, trainers, extra));
}
