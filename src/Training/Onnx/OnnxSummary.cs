using System.Globalization;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Onnx;

/// <summary>One line on a version's ONNX file for people (show, the report): who wrote it, its opsets, its parity.</summary>
public static class OnnxSummary
{
    public static string Describe(OnnxInfo? onnx)
    {
        if (onnx is null)
        {
            return "-";
        }

        if (!onnx.Exported)
        {
            return $"not exported: {onnx.Reason}";
        }

        // Manifests written before the official fallback existed do not name the exporter: ours wrote them.
        var exporter = onnx.Exporter ?? OnnxExporter.Name;
        var line = $"exported by {exporter}{(onnx.ExporterVersion is { } version ? " " + version : "")}";
        if (onnx.IrVersion is { } ir)
        {
            line += $" (IR {ir}{string.Concat((onnx.Opsets ?? new Dictionary<string, long>()).Select(o => $", {o.Key} {o.Value}"))})";
        }

        if (onnx.MaxAbsoluteDifference is { } difference)
        {
            line += string.Create(CultureInfo.InvariantCulture, $"; parity with ML.NET on {onnx.ParityRows} rows, max |diff| {difference:G3}");
        }

        return onnx.FallbackReason is null ? line : $"{line}; our exporter refused the model: {onnx.FallbackReason}";
    }
}
