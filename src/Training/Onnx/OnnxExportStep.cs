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
    public static OnnxInfo Run(MLContext ml, ITransformer model, DataProfile profile, TrainingSpec spec, IDataView test, string directory, IRunProgress progress)
    {
        if (!spec.Export.Onnx)
        {
            return new OnnxInfo { Exported = false, Reason = "The spec sets export.onnx to false." };
        }

        using var step = progress.Start("Exporting ONNX and checking parity with ML.NET");

        // Export what is published: the model as loaded back from model.zip, not the in-memory one.
        var saved = ml.Model.Load(Path.Combine(directory, ModelManifest.ModelFileName), out _);
        var inputs = profile.Features.Select(f => new FeatureInput(f.Name, f.Role)).ToList();
        var classes = spec.Task == ModelTask.Multiclass ? profile.LabelClasses : null;
        var testRows = RawRows.Read(test, inputs);
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
}
