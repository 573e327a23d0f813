using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>An ONNX file that passed the parity check, and who wrote it.</summary>
/// <param name="FallbackReason">Why our exporter refused the model, when the official converter wrote the file instead.</param>
internal sealed record CheckedOnnxFile(
    byte[] Bytes,
    ParityReport Parity,
    string Exporter,
    string ExporterVersion,
    long IrVersion,
    IReadOnlyDictionary<string, long> Opsets,
    string? FallbackReason)
{
    /// <summary>The manifest's <c>onnx</c> facts for this file.</summary>
    public OnnxInfo Describe() => new()
    {
        Exported = true,
        Exporter = Exporter,
        ExporterVersion = ExporterVersion,
        FallbackReason = FallbackReason,
        IrVersion = (int)IrVersion,
        Opsets = Opsets,
        MaxAbsoluteDifference = Parity.MaxAbsoluteDifference,
        MaxRelativeDifference = Parity.MaxRelativeDifference,
        ParityRows = Parity.Rows,
        ParityBatchSize = Parity.BatchSize,
        TimedRows = Parity.TimedRows,
        TimedBatchSize = Parity.TimedBatchSize,
        OnnxRuntimeMilliseconds = Math.Round(Parity.OnnxRuntimeMilliseconds, 3),
        MLNetMilliseconds = Math.Round(Parity.MLNetMilliseconds, 3),
    };
}

/// <summary>
/// Exports a model with the chosen exporter and proves parity with ML.NET on the given rows before the file
/// may be written. <see cref="OnnxExporterChoice.Auto"/>: our exporter; when it refuses the model, the official
/// converter with its graph rewritten to our contract, kept only if it passes the same parity check. A parity
/// failure of our own export is a bug and stays an <see cref="OnnxParityException"/>; a failed fallback is a
/// refusal (<see cref="OnnxExportException"/>) naming both exporters' reasons.
/// </summary>
internal static class CheckedOnnxExport
{
    internal static CheckedOnnxFile Run(OnnxExportRequest request, OnnxExporterChoice choice, RawRows parityRows, int timedRows)
    {
        switch (choice)
        {
            case OnnxExporterChoice.Own:
                return Own(request, parityRows, timedRows);
            case OnnxExporterChoice.Official:
                return Official(request, parityRows, timedRows, fallbackReason: null);
        }

        byte[] own;
        try
        {
            own = OnnxExporter.Export(request);
        }
        catch (OnnxExportException refusal)
        {
            try
            {
                return Official(request, parityRows, timedRows, refusal.Message);
            }
            catch (OnnxExportException fallback)
            {
                throw new OnnxExportException($"{refusal.Message} The fallback, {OfficialOnnxConverter.Name} {OfficialOnnxConverter.Version}, gave no usable file either: {fallback.Message}");
            }
        }

        return Checked(request, own, parityRows, timedRows, OnnxExporter.Name, OwnVersion, fallbackReason: null);
    }

    private static string OwnVersion => typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";

    private static CheckedOnnxFile Own(OnnxExportRequest request, RawRows parityRows, int timedRows) =>
        Checked(request, OnnxExporter.Export(request), parityRows, timedRows, OnnxExporter.Name, OwnVersion, fallbackReason: null);

    private static CheckedOnnxFile Official(OnnxExportRequest request, RawRows parityRows, int timedRows, string? fallbackReason)
    {
        var converted = OfficialOnnxConverter.Convert(request.Model, request.Inputs);
        var normalizedText = converted.NormalizedTextInputs.ToDictionary(
            p => p.Key,
            p => (p.Value, TextNormalizationTable.Probe(request.Model, request.Inputs, p.Key, p.Value)));
        var inputSchema = OnnxExporter.InputSchema(request.Inputs);
        var classes = request.Task == ModelTask.Multiclass
            ? OnnxExporter.ModelClassOrder(request.Model.GetOutputSchema(inputSchema), request.Classes)
            : null;
        var trainer = request.Trainer ?? TrainerOf(request.Model);
        var exporter = OfficialOnnxConverter.Name;
        var docString = $"{request.ModelName}: {request.Task} model trained with {trainer}, converted by {exporter} {OfficialOnnxConverter.Version} and rewritten to the mlpipeline graph contract.";
        var model = OfficialGraphRewriter.Rewrite(converted.Bytes, request.Inputs, request.Task, classes, normalizedText, OnnxExporter.Metadata(request, trainer, classes, exporter), docString);
        return Checked(request, model.ToByteArray(), parityRows, timedRows, exporter, OfficialOnnxConverter.Version, fallbackReason);
    }

    private static CheckedOnnxFile Checked(OnnxExportRequest request, byte[] onnx, RawRows parityRows, int timedRows, string exporter, string version, string? fallbackReason)
    {
        ParityReport report;
        try
        {
            report = OnnxParityChecker.Check(request.Model, onnx, parityRows, timedRows, request.Task);
        }
        catch (OnnxRuntimeException ex)
        {
            // E.g. a tree node without a feature index: ONNX Runtime refuses the file before scoring a row.
            throw new OnnxParityException($"ONNX Runtime cannot load or run the file: {Shorten(ex.Message)}");
        }


        var model = ModelProto.Parser.ParseFrom(onnx);
        var opsets = model.OpsetImport.Select(o => (Domain: o.Domain.Length == 0 ? "ai.onnx" : o.Domain, o.Version)).OrderBy(o => o.Domain, StringComparer.Ordinal).ToDictionary(o => o.Domain, o => o.Version);
        return new CheckedOnnxFile(onnx, report, exporter, version, model.IrVersion, opsets, fallbackReason);
    }

    /// <summary>ONNX Runtime's failed checks carry whole C++ signatures: keep what the check says.</summary>
    private static string Shorten(string message)
    {
        const string FailedCheck = " was false. ";
        var check = message.IndexOf(FailedCheck, StringComparison.Ordinal);
        var text = (check >= 0 ? message[(check + FailedCheck.Length)..] : message).Trim();
        return text.Length <= 400 ? text : $"{text[..150]} ... {text[^200..]}";
    }

    private static string TrainerOf(ITransformer model) =>
        TransformerChains.Predictor(model)?.Model is { } parameters
            ? TrainerNames.Of(parameters)
            : "an unknown trainer";
}
