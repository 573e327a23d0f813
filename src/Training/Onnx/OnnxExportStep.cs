using Microsoft.ML;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// The training run's ONNX step: export the saved model.zip (our exporter, else the official converter as a
/// checked fallback: <see cref="CheckedOnnxExport"/>), prove parity on the test split (plus missing and unseen
/// rows) and write model.onnx beside it. A model neither exporter can give a passing file for fails the run when
/// the spec says "onnx": true itself, and otherwise is published without ONNX with both reasons in the manifest.
/// A parity failure of our own exporter always fails the run (<see cref="OnnxParityException"/>, exit code 5).
/// </summary>
public static class OnnxExportStep
{
    /// <summary>
    /// The rows parity is checked on (at most <paramref name="maxRows"/> of the test split), or none when the spec exports
    /// no ONNX. Read ahead of the step, so that the memory reading them took goes back to the OS before ONNX Runtime's
    /// comes on top of it.
    /// </summary>
    internal static RawRows? ReadRows(MLContext ml, DataProfile profile, TrainingSpec spec, IDataView test, int maxRows) =>
        spec.Export.Onnx ? RawRows.Read(ml.Data.TakeRows(test, maxRows), Inputs(profile)) : null;

    internal static OnnxInfo Run(MLContext ml, ITransformer model, DataProfile profile, TrainingSpec spec, RawRows? testRows, string directory, IRunProgress progress)
    {
        // No rows were read when the spec exports no ONNX.
        if (testRows is null)
        {
            return new OnnxInfo { Exported = false, Reason = "The spec sets export.onnx to false." };
        }

        using var step = progress.Start("Exporting ONNX and checking parity with ML.NET");

        // Export what is published: the model as loaded back from model.zip, not the in-memory one.
        var saved = ml.Model.Load(Path.Combine(directory, ModelManifest.ModelFileName), out _);
        var inputs = Inputs(profile);
        var classes = spec.Task == ModelTask.Multiclass ? profile.LabelClasses : null;
        CheckedOnnxFile file;
        try
        {
            file = CheckedOnnxExport.Run(new OnnxExportRequest(saved, inputs, spec.Task, classes, Trainer: null, spec.Name), OnnxExporterChoice.Auto, ParityRows.WithEdgeCases(testRows), testRows.Count);
        }
        catch (OnnxExportException ex) when (ex is not OnnxParityException && !spec.Export.OnnxExplicit)
        {
            progress.Note($"No ONNX file: {ex.Message}");
            return new OnnxInfo { Exported = false, Reason = ex.Message };
        }

        File.WriteAllBytes(Path.Combine(directory, ModelManifest.OnnxFileName), file.Bytes);
        var report = file.Parity;
        if (file.FallbackReason is not null)
        {
            progress.Note($"ONNX written by {file.Exporter} {file.ExporterVersion} (our exporter refused the model: {file.FallbackReason})");
        }

        progress.Note($"ONNX parity on {report.Rows} rows: max |diff| {report.MaxAbsoluteDifference:G3}; scoring {report.TimedRows} test rows in batches of {report.TimedBatchSize}: ONNX Runtime {report.OnnxRuntimeMilliseconds:F1} ms, ML.NET {report.MLNetMilliseconds:F1} ms.");
        return file.Describe();
    }

    private static List<FeatureInput> Inputs(DataProfile profile) => profile.Features.Select(f => new FeatureInput(f.Name, f.Role)).ToList();
}
