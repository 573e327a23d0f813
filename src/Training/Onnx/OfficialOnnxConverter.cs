using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Runs Microsoft.ML.OnnxConverter (<c>ModelOperationsCatalog.ConvertToOnnx</c>) on a saved console model, fed
/// the raw feature columns only (so the graph has no label input). Its failures become
/// <see cref="OnnxExportException"/>s naming the step where the converter stopped.
/// </summary>
internal static class OfficialOnnxConverter
{
    public const string Name = "Microsoft.ML.OnnxConverter";

    /// <summary>The converter package's version, e.g. 0.23.1.</summary>
    public static string Version { get; } = PackageVersion(typeof(OnnxExportExtensions).Assembly);

    public static byte[] Convert(ITransformer model, IReadOnlyList<FeatureInput> inputs)
    {
        // A context of its own: the converter reports the step it could not convert only as a log warning.
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
            {
                lock (warnings)
                {
                    warnings.Add(e.RawMessage);
                }
            }
        };

        var empty = new RawRows(inputs, 0, inputs.Where(i => i.IsNumeric).ToDictionary(i => i.Name, _ => Array.Empty<float>()), inputs.Where(i => !i.IsNumeric).ToDictionary(i => i.Name, _ => Array.Empty<string>()));
        using var stream = new MemoryStream();
        try
        {
            ml.Model.ConvertToOnnx(model, empty.ToDataView(), stream);
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or NotSupportedException or NotImplementedException or ArgumentException)
        {
            throw new OnnxExportException($"{Name} {Version} cannot convert the model: {Explain(ex, warnings)}");
        }

        return stream.ToArray();
    }

    /// <summary>
    /// The converter stops walking back the pipeline at the first step without an ONNX mapping and then fails on
    /// a column that step produces; name that step where it is known.
    /// </summary>
    private static string Explain(Exception ex, IReadOnlyList<string> warnings)
    {
        var normalizer = Regex.Match(ex.Message, "'(?<column>.+)_TextNormalizer'");
        if (normalizer.Success)
        {
            return $"transform FeaturizeText on column '{normalizer.Groups["column"].Value}' normalizes the text (case, diacritics) with TextNormalizingTransformer, which has no ONNX mapping in the converter.";
        }

        var stopped = warnings.FirstOrDefault(w => w.Contains("cannot save itself as ONNX", StringComparison.Ordinal));
        return stopped is null ? ex.Message : $"{ex.Message} ({stopped})";
    }

    private static string PackageVersion(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "unknown";
    }
}
