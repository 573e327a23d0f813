using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Onnx;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// Turns fetched bytes into a generation that is safe to serve: hash checked against the manifest, loaded, schema
/// checked against the manifest, and warmed up with the manifest's sample row. Anything wrong throws before a swap.
/// </summary>
internal static class ModelActivator
{
    /// <exception cref="ModelSourceException">The bytes, the manifest or the warm-up prediction are wrong.</exception>
    /// <param name="batchEngine">Serving:BatchEngine: how the engine for batches is chosen.</param>
    /// <param name="maxBatch">Serving:Limits:MaxBatchSize, the largest batch the engine choice has to consider.</param>
    /// <param name="onnxRuntime">Serving:Onnx: session options of imported ONNX models.</param>
    public static ModelGeneration Activate(string name, ModelPackage package, ModelSizeLimits limits, BatchEngineChoice batchEngine = BatchEngineChoice.Auto, int maxBatch = 1000, OnnxRuntimeOptions? onnxRuntime = null)
    {
        if (package.Manifest is { } described)
        {
            // A manifest beside the model always binds it: its hash must be there, and match.
            var file = described.ModelFile;
            if (!described.Artifacts.TryGetValue(file, out var expected))
            {
                throw new ModelSourceException($"{package.Source}: the manifest lists no {file}, so the model cannot be verified.");
            }

            var actual = Convert.ToHexStringLower(SHA256.HashData(package.ModelBytes));
            if (package.ModelBytes.LongLength != expected.Size || !actual.Equals(expected.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelSourceException($"{package.Source}: {file} has SHA-256 {actual} ({package.ModelBytes.LongLength} bytes) but the manifest says {expected.Sha256} ({expected.Size} bytes).");
            }
        }

        // The manifest says what the file is; a bare direct source says it by its extension.
        if ((package.Manifest?.Format ?? package.Format) == ModelFormat.Onnx)
        {
            return OnnxActivator.Activate(name, package, onnxRuntime ?? new OnnxRuntimeOptions());
        }

        limits.CheckArchive(package.Source, package.ModelBytes);
        var ml = new MLContext();

        // Trainer assemblies register their model loaders only once they are loaded; a tree model would not load otherwise.
        ml.ComponentCatalog.RegisterAssembly(typeof(FastTreeRegressionModelParameters).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(LightGbmRegressionModelParameters).Assembly);

        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            using var stream = new MemoryStream(package.ModelBytes, writable: false);
            model = ml.Model.Load(stream, out inputSchema);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelSourceException($"{package.Source}: not a loadable ML.NET model ({ex.Message}).", ex);
        }

        try
        {
            var manifest = package.Manifest ?? ManifestSynthesizer.Describe(name, package.ModelBytes, model, inputSchema);
            var binding = InputBinding.Create(manifest, inputSchema);
            var generation = new ModelGeneration(ml, model, inputSchema, binding, manifest, new ModelOrigin(package.Source, package.ETag, package.Alias, package.ModelBytes.LongLength));
            WarmUp(generation);
            var (onnx, onnxProblem) = VerifiedOnnx(package);
            var (scorer, choice) = BatchEngineSelector.Select(generation, onnx, onnxProblem, batchEngine, maxBatch);
            generation.UseEngines(scorer, choice);
            return generation;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever the model or its manifest makes ML.NET throw is this version's failure, never the host's.
            (model as IDisposable)?.Dispose();
            throw new ModelSourceException($"{package.Source}: {ex.Message}", ex);
        }
    }

    /// <summary>model.onnx when its bytes match the manifest (a source that does not verify artifacts may hand over anything).</summary>
    private static (byte[]? Bytes, string? Problem) VerifiedOnnx(ModelPackage package)
    {
        if (package.OnnxBytes is not { } onnx || package.Manifest?.Artifacts.GetValueOrDefault(ModelManifest.OnnxFileName) is not { } expected)
        {
            return (null, package.OnnxProblem);
        }

        var actual = Convert.ToHexStringLower(SHA256.HashData(onnx));
        return onnx.LongLength == expected.Size && actual.Equals(expected.Sha256, StringComparison.OrdinalIgnoreCase)
            ? (onnx, null)
            : (null, $"{ModelManifest.OnnxFileName} has SHA-256 {actual} ({onnx.LongLength} bytes) but the manifest says {expected.Sha256} ({expected.Size} bytes).");
    }

    /// <summary>Builds the first engine and predicts the manifest's sample row: a model that cannot do that is not served.</summary>
    private static void WarmUp(ModelGeneration generation)
    {
        var engine = generation.RentDynamic();
        try
        {
            engine.BeginInstance();
            for (var i = 0; i < generation.Binding.Columns.Count; i++)
            {
                var column = generation.Binding.Columns[i];
                generation.Manifest.SampleInput.TryGetValue(column.Name, out var raw);
                if (column.IsText)
                {
                    engine.SetText(i, raw);
                }
                else
                {
                    engine.SetNumber(i, float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : float.NaN);
                }
            }

            engine.Predict();
            var score = generation.Manifest.Task == ModelTask.Multiclass ? (engine.Scores.Length > 0 ? engine.Scores[0] : float.NaN) : engine.Score;
            if (float.IsNaN(score))
            {
                throw new InvalidDataException("the warm-up prediction on the manifest's sample input returned NaN.");
            }
        }
        finally
        {
            generation.ReturnDynamic(engine);
        }
    }
}
