using Microsoft.ML;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// The training run's ONNX step: export the saved model.zip, prove parity on the test split (plus missing and
/// unseen rows) and write model.onnx beside it. A model that cannot be exported fails the run when the spec
/// says "onnx": true itself, and otherwise is published without ONNX with the reason in the manifest. A parity
/// failure always fails the run (<see cref="OnnxParityException"/>, exit code 5): nothing is published.
/// </summary>
public static class OnnxExportStep
{
    public static OnnxInfo Run(MLContext ml, ITransformer model, DataProfile profile, TrainingSpec spec, IDataView test, string directory, IRunProgress progress)
    {
        if (!spec.Export.Onnx)
        {
            return new OnnxInfo { Exported = false, Reason = "The spec sets export.onnx to false." };
        }

        using var step = progress.Start("Exporting ONNX and checking parity with ML.NET");
        try
        {
            // Export what is published: the model as loaded back from model.zip, not the in-memory one.
            var saved = ml.Model.Load(Path.Combine(directory, ModelManifest.ModelFileName), out _);
            var inputs = profile.Features.Select(f => new FeatureInput(f.Name, f.Role)).ToList();
            var classes = spec.Task == ModelTask.Multiclass ? profile.LabelClasses : null;
            byte[] onnx;
            try
            {
                onnx = OnnxExporter.Export(new OnnxExportRequest(saved, inputs, spec.Task, classes, Trainer: null, spec.Name));
            }
            catch (OnnxExportException ex) when (!spec.Export.OnnxExplicit)
            {
                progress.Note($"No ONNX file: {ex.Message}");
                return new OnnxInfo { Exported = false, Reason = ex.Message };
            }

            var testRows = RawRows.Read(test, inputs);
            var report = OnnxParityChecker.Check(saved, onnx, ParityRows.WithEdgeCases(testRows), testRows.Count, spec.Task);
            File.WriteAllBytes(Path.Combine(directory, ModelManifest.OnnxFileName), onnx);
            progress.Note($"ONNX parity on {report.Rows} rows: max |diff| {report.MaxAbsoluteDifference:G3}; scoring {report.TimedRows} test rows: ONNX Runtime {report.OnnxRuntimeMilliseconds:F1} ms, ML.NET {report.MLNetMilliseconds:F1} ms.");
            return Describe(report);
        }
        catch (OnnxExportException)
        {
            // Nothing may be published: drop the staging folder the run created.
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public static OnnxInfo Describe(ParityReport report) => new()
    {
        Exported = true,
        IrVersion = (int)OnnxGraphBuilder.IrVersion,
        Opsets = OnnxGraphBuilder.Opsets,
        MaxAbsoluteDifference = report.MaxAbsoluteDifference,
        MaxRelativeDifference = report.MaxRelativeDifference,
        ParityRows = report.Rows,
        ParityBatchSize = report.BatchSize,
        TimedRows = report.TimedRows,
        OnnxRuntimeMilliseconds = Math.Round(report.OnnxRuntimeMilliseconds, 3),
        MLNetMilliseconds = Math.Round(report.MLNetMilliseconds, 3),
    };
}
