using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Benchmarks;

/// <summary>
/// Which of the console's trainers and featurizations each ONNX exporter covers, and how closely: every trainer
/// of the catalog (plus the variants the console can be asked for: LightGbm softmax, categorical tree splits)
/// and text columns with FeaturizeText's defaults, each trained once on bundled data and exported by our
/// exporter and by Microsoft.ML.OnnxConverter (rewritten to our contract), with the same parity check: every row
/// of the data set plus the all-missing and unseen-category rows, in batches of 64. Prints a markdown table.
/// </summary>
public static class OnnxCoverage
{
    private sealed record Case(string Featurization, string Data, string Label, string Task, JsonNode Trainer, string? PositiveClass = null, Dictionary<string, string>? Columns = null);

    public static int Run(string dataDirectory)
    {
        var house = new Dictionary<string, string> { ["CHAS"] = "categorical" };
        var text = new Dictionary<string, string> { ["review"] = "text", ["product"] = "ignore" };
        var creditText = new Dictionary<string, string> { ["Job"] = "text" };
        Case Regression(JsonNode trainer) => new("numeric + 1 categorical", "house-prices.csv", "MEDV", "regression", trainer, Columns: house);
        Case Binary(JsonNode trainer) => new("numeric + categorical, missing values", "credit.csv", "Status", "binary", trainer, "bad");
        Case Multiclass(JsonNode trainer) => new("numeric + categorical, missing values", "penguins.csv", "species", "multiclass", trainer);
        Case Text(JsonNode trainer) => new("text (FeaturizeText defaults)", "fine-foods.csv", "score", "binary", trainer, "great", text);
        JsonNode Options(string name, string option) => new JsonObject { ["name"] = name, ["options"] = new JsonObject { [option] = true } };

        Case[] cases =
        [
            Regression("OnlineGradientDescent"), Regression("Sdca"), Regression("LbfgsPoissonRegression"), Regression("FastTree"), Regression("FastForest"), Regression("LightGbm"),
            Binary("SdcaLogisticRegression"), Binary("LbfgsLogisticRegression"), Binary("FastTree"), Binary("LightGbm"),
            Multiclass("SdcaMaximumEntropy"), Multiclass("LbfgsMaximumEntropy"), Multiclass("LightGbm"), Multiclass("OneVersusAllFastTree"), Multiclass(Options("LightGbm", "UseSoftmax")),
            Binary(Options("FastTree", "CategoricalSplit")) with { Featurization = "categorical tree splits" },
            Binary(Options("LightGbm", "UseCategoricalSplit")) with { Featurization = "categorical tree splits" },
            Text("SdcaLogisticRegression"), Text("LbfgsLogisticRegression"), Text("FastTree"), Text("LightGbm"),
            Binary("LbfgsLogisticRegression") with { Featurization = "numeric + categorical + text (`Job` as text)", Columns = creditText },
        ];

        var table = new StringBuilder();
        table.AppendLine("| task | trainer | featurization | rows | ours: max \\|diff\\| | ours: bytes | official: max \\|diff\\| | official: bytes | ONNX Runtime ms, ours / official / ML.NET |");
        table.AppendLine("|---|---|---|---:|---|---:|---|---:|---|");
        var work = Directory.CreateTempSubdirectory("mlpipeline-onnx-coverage");
        try
        {
            foreach (var @case in cases)
            {
                var result = Train(@case, dataDirectory, work.FullName);
                var data = Path.Combine(dataDirectory, @case.Data);
                var own = Export(result, data, OnnxExporterChoice.Own);
                var official = Export(result, data, OnnxExporterChoice.Official);
                var times = string.Join(" / ", new[] { own.Info?.OnnxRuntimeMilliseconds, official.Info?.OnnxRuntimeMilliseconds, (own.Info ?? official.Info)?.MLNetMilliseconds }
                    .Select(t => t is { } ms ? ms.ToString("G3", CultureInfo.InvariantCulture) : "-"));
                var line = $"| {@case.Task} | {Describe(@case.Trainer)} | {@case.Featurization} | {(own.Info ?? official.Info)?.ParityRows.ToString() ?? "-"} | {own.Cell} | {own.Bytes} | {official.Cell} | {official.Bytes} | {times} |";
                table.AppendLine(line);
                Console.Error.WriteLine(line);
                Directory.Delete(result.PackageDirectory, recursive: true);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        Console.WriteLine(table);
        return 0;
    }

    private static TrainingResult Train(Case @case, string dataDirectory, string work)
    {
        var spec = new JsonObject
        {
            ["name"] = "coverage",
            ["data"] = new JsonObject { ["path"] = Path.Combine(dataDirectory, @case.Data) },
            ["label"] = @case.Label,
            ["task"] = @case.Task,
            ["trainers"] = @case.Trainer.DeepClone(),
            ["testFraction"] = 0.25,
            ["folds"] = 0,
            ["seed"] = 7,
            ["export"] = new JsonObject { ["onnx"] = false },
        };
        if (@case.PositiveClass is not null)
        {
            spec["positiveClass"] = @case.PositiveClass;
        }

        if (@case.Columns is not null)
        {
            spec["columns"] = new JsonObject(@case.Columns.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)JsonValue.Create(c.Value))));
        }

        var path = Path.Combine(work, "coverage.json");
        File.WriteAllText(path, spec.ToJsonString());
        return new TrainingRun(SpecLoader.Load(path), SilentProgress.Instance).Execute();
    }

    private static (string Cell, string Bytes, OnnxInfo? Info) Export(TrainingResult result, string data, OnnxExporterChoice exporter)
    {
        try
        {
            using var zip = File.OpenRead(Path.Combine(result.PackageDirectory, ModelManifest.ModelFileName));
            var export = ExistingModelExport.Run(zip, result.Manifest, data, exporter);
            return (export.Info.MaxAbsoluteDifference!.Value.ToString("G2", CultureInfo.InvariantCulture), export.Onnx.Length.ToString("N0", CultureInfo.InvariantCulture), export.Info);
        }
        catch (OnnxParityException ex)
        {
            return ($"fails parity: {Short(ex.Message)}", "-", null);
        }
        catch (OnnxExportException ex)
        {
            return ($"refused: {Short(ex.Message)}", "-", null);
        }
    }

    private static string Describe(JsonNode trainer) =>
        trainer is JsonObject o ? $"{o["name"]} ({string.Join(", ", o["options"]!.AsObject().Select(p => p.Key))})" : trainer.ToString();

    private static string Short(string message)
    {
        var text = message.Replace("|", "\\|", StringComparison.Ordinal);
        return text.Length <= 160 ? text : text[..157] + "...";
    }
}
