using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// The engine that scores batches: ONNX Runtime on a version's model.onnx (when training's parity check passed and it
/// agrees with ML.NET again at load), else ML.NET; GET /models/{name} says which and why, and either way a batch answers
/// what the same rows answer one by one.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class BatchEngineTests(TrainedModelsFixture fixture)
{
    private const int BatchRows = 20;

    private TrainedModels Models => fixture.Models;

    [Fact]
    public async Task With_onnx_runtime_configured_batches_of_every_task_answer_as_single_rows_do()
    {
        // The bundled house-prices spec exports model.onnx; the small binary and multiclass test models do not, so
        // their published versions are exported here (with training's own exporter and parity check) and served as files.
        var cancer = WithOnnx(Models.CancerModel);
        var iris = WithOnnx(Models.IrisModel);
        await using var app = new ServingApp(Models, new Dictionary<string, string?>
        {
            ["Serving:BatchEngine"] = "OnnxRuntime",
            ["Serving:Models:0"] = TrainedModels.HousePrices,
            ["Serving:Sources:0:Name"] = TrainedModels.Cancer,
            ["Serving:Sources:0:Path"] = Path.Combine(cancer, ModelManifest.ModelFileName),
            ["Serving:Sources:1:Name"] = TrainedModels.Iris,
            ["Serving:Sources:1:Path"] = Path.Combine(iris, ModelManifest.ModelFileName),
        });
        var client = await app.ReadyClientAsync();
        foreach (var manifest in new[] { Models.HousePricesMain, Models.CancerModel, Models.IrisModel })
        {
            var engines = (await ServingApp.JsonAsync(await client.GetAsync($"/models/{manifest.Name}"))).GetProperty("engines");
            engines.GetProperty("singleRow").GetString().Should().Be("ML.NET", manifest.Name);
            engines.GetProperty("batch").GetString().Should().Be("ONNX Runtime", $"{manifest.Name}: {engines.GetProperty("reason").GetString()}");
            engines.GetProperty("onnxRuntimeFromRows").GetInt32().Should().Be(2);
            using (var lease = app.Pool.Rent(manifest.Name))
            {
                lease.Generation.BatchScorer.Should().NotBeNull("batches of {0} go to ONNX Runtime", manifest.Name);
            }

            await BatchAnswersAsSingleRowsAsync(client, manifest);
        }

        // The v2 protocol's tensors go through the same engine choice.
        var rows = Rows(Models.HousePricesMain);
        var inputs = Models.HousePricesMain.Inputs.Select(c => new
        {
            name = c.Name,
            shape = new[] { rows.Count },
            datatype = c.Type == "String" ? "BYTES" : "FP32",
            data = rows.Select(r => r[c.Name]).ToArray(),
        });
        var infer = await ServingApp.JsonAsync(await client.PostAsync("/v2/models/house-prices/infer", System.Net.Http.Json.JsonContent.Create(new { inputs })));
        var scores = infer.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToList();
        var instances = await ServingApp.JsonAsync(await client.PostAsync("/models/house-prices/predict", ServingApp.Instances([.. rows])));
        scores.Should().Equal(instances.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("score").GetSingle()));
    }

    [Fact]
    public async Task By_default_both_engines_are_timed_at_load_and_the_answer_says_how_they_compared()
    {
        await using var app = new ServingApp(Models, new Dictionary<string, string?> { ["Serving:Models:0"] = TrainedModels.HousePrices });
        var client = await app.ReadyClientAsync();

        var engines = (await ServingApp.JsonAsync(await client.GetAsync("/models/house-prices"))).GetProperty("engines");
        engines.GetProperty("reason").GetString().Should().StartWith("Measured at load: 100 rows in ").And.Contain("with ONNX Runtime and").And.Contain("with ML.NET");
        engines.GetProperty("batch").GetString().Should().BeOneOf("ONNX Runtime", "ML.NET");
        await BatchAnswersAsSingleRowsAsync(client, Models.HousePricesMain);
    }

    [Fact]
    public async Task A_model_onnx_that_disagrees_with_ml_net_or_with_its_manifest_is_not_used_and_the_reason_is_shown()
    {
        // The main version's model.zip with the other version's (valid, but different) model.onnx, its manifest updated to match.
        var disagreeing = CopyVersion(Models.HousePricesMain, "disagreeing");
        var otherOnnx = File.ReadAllBytes(Path.Combine(WithOnnx(Models.HousePricesOther), ModelManifest.OnnxFileName));
        File.WriteAllBytes(Path.Combine(disagreeing, ModelManifest.OnnxFileName), otherOnnx);
        RecordOnnx(disagreeing, otherOnnx, null);

        // The main version with its model.onnx changed after the manifest was written.
        var tampered = CopyVersion(Models.HousePricesMain, "tampered");
        File.AppendAllText(Path.Combine(tampered, ModelManifest.OnnxFileName), "x");

        await using var app = new ServingApp(Models, new Dictionary<string, string?>
        {
            ["Serving:BatchEngine"] = "OnnxRuntime",
            ["Serving:Sources:0:Name"] = "disagreeing",
            ["Serving:Sources:0:Path"] = Path.Combine(disagreeing, ModelManifest.ModelFileName),
            ["Serving:Sources:1:Name"] = "tampered",
            ["Serving:Sources:1:Path"] = Path.Combine(tampered, ModelManifest.ModelFileName),
        });
        var client = await app.ReadyClientAsync();

        var first = (await ServingApp.JsonAsync(await client.GetAsync("/models/disagreeing"))).GetProperty("engines");
        first.GetProperty("batch").GetString().Should().Be("ML.NET");
        first.GetProperty("reason").GetString().Should().Contain("ONNX Runtime disagrees with ML.NET on this version (row ");
        var second = (await ServingApp.JsonAsync(await client.GetAsync("/models/tampered"))).GetProperty("engines");
        second.GetProperty("batch").GetString().Should().Be("ML.NET");
        second.GetProperty("reason").GetString().Should().StartWith("model.onnx has SHA-256 ").And.Contain("but the manifest says");

        var rows = Rows(Models.HousePricesMain);
        client.DefaultRequestHeaders.Add(MLPipeline.Serving.Monitoring.PredictionIds.Header, "same-request");
        var batch = await ServingApp.JsonAsync(await client.PostAsync("/models/disagreeing/predict", ServingApp.Instances([.. rows])));
        var reference = await ServingApp.JsonAsync(await client.PostAsync("/models/tampered/predict", ServingApp.Instances([.. rows])));
        batch.GetProperty("predictions").GetRawText().Should().Be(reference.GetProperty("predictions").GetRawText(), "ML.NET answers both, from the same model.zip");
    }

    [Fact]
    public async Task With_ml_net_configured_onnx_runtime_is_never_used()
    {
        await using var app = new ServingApp(Models, new Dictionary<string, string?> { ["Serving:BatchEngine"] = "MLNet", ["Serving:Models:0"] = TrainedModels.Iris });
        var client = await app.ReadyClientAsync();

        var engines = (await ServingApp.JsonAsync(await client.GetAsync("/models/iris"))).GetProperty("engines");
        engines.GetProperty("batch").GetString().Should().Be("ML.NET");
        engines.GetProperty("reason").GetString().Should().Be("Serving:BatchEngine is MLNet.");
        await BatchAnswersAsSingleRowsAsync(client, Models.IrisModel);
    }

    /// <summary>Labels equal and scores within training's parity tolerance: max(1e-5, 1e-5 x |single-row score|).</summary>
    private static async Task BatchAnswersAsSingleRowsAsync(HttpClient client, ModelManifest manifest)
    {
        var rows = Rows(manifest);
        var batch = await ServingApp.JsonAsync(await client.PostAsync($"/models/{manifest.Name}/predict", ServingApp.Instances([.. rows])));
        var predictions = batch.GetProperty("predictions").EnumerateArray().ToList();
        predictions.Should().HaveCount(rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var single = (await ServingApp.JsonAsync(await client.PostAsync($"/models/{manifest.Name}/predict", ServingApp.Instances(rows[r])))).GetProperty("predictions")[0];
            foreach (var field in single.EnumerateObject().Where(f => f.Name != "id"))
            {
                var value = predictions[r].GetProperty(field.Name);
                switch (field.Value.ValueKind)
                {
                    case JsonValueKind.Number:
                        value.GetDouble().Should().BeApproximately(field.Value.GetDouble(), Math.Max(1e-5, 1e-5 * Math.Abs(field.Value.GetDouble())), $"{manifest.Name} row {r} {field.Name}");
                        break;
                    case JsonValueKind.Object:
                        foreach (var score in field.Value.EnumerateObject())
                        {
                            value.GetProperty(score.Name).GetDouble().Should().BeApproximately(score.Value.GetDouble(), Math.Max(1e-5, 1e-5 * Math.Abs(score.Value.GetDouble())), $"{manifest.Name} row {r} {score.Name}");
                        }

                        break;
                    default:
                        value.GetRawText().Should().Be(field.Value.GetRawText(), $"{manifest.Name} row {r} {field.Name}");
                        break;
                }
            }
        }
    }

    /// <summary>Rows around the sample: numbers from half to one and a half times the sample's, some missing (null).</summary>
    private static List<Dictionary<string, object?>> Rows(ModelManifest manifest) =>
        [.. Enumerable.Range(0, BatchRows).Select(r => manifest.Inputs.ToDictionary(c => c.Name, c =>
        {
            var raw = manifest.SampleInput[c.Name];
            if (c.Type == "String")
            {
                return (object?)raw;
            }

            return r % 7 == 3 ? null : (object?)(float.Parse(raw!, CultureInfo.InvariantCulture) * (0.5f + (r / (float)BatchRows)));
        }))];

    private string CopyVersion(ModelManifest manifest, string name)
    {
        var from = Path.GetDirectoryName(Models.ModelPath(manifest))!;
        var to = Path.Combine(Models.StoreDirectory, "..", "batch-engine-" + Guid.NewGuid().ToString("N"), name);
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        return to;
    }

    /// <summary>A copy of a published version with model.onnx exported and parity-checked by training's exporter.</summary>
    private string WithOnnx(ModelManifest manifest)
    {
        var folder = CopyVersion(manifest, manifest.Name);
        using var zip = File.OpenRead(Path.Combine(folder, ModelManifest.ModelFileName));
        var export = ExistingModelExport.Run(zip, manifest, null);
        File.WriteAllBytes(Path.Combine(folder, ModelManifest.OnnxFileName), export.Onnx);
        RecordOnnx(folder, export.Onnx, export.Info);
        return folder;
    }

    /// <summary>Lists model.onnx in the folder's manifest (and, when given, the export facts), as training would.</summary>
    private static void RecordOnnx(string folder, byte[] onnx, OnnxInfo? info)
    {
        var path = Path.Combine(folder, ModelManifest.FileName);
        var manifest = ManifestJson.Deserialize(File.ReadAllBytes(path), path);
        var artifacts = new Dictionary<string, ArtifactInfo>(manifest.Artifacts)
        {
            [ModelManifest.OnnxFileName] = new(Convert.ToHexStringLower(SHA256.HashData(onnx)), onnx.LongLength),
        };
        File.WriteAllBytes(path, ManifestJson.Serialize(manifest with { Artifacts = artifacts, Onnx = info ?? manifest.Onnx }));
    }
}
