using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Text;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Featurization;

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

    /// <summary>The converter's graph, and for each text column the FeaturizeText column its graph reads instead of the raw text.</summary>
    /// <param name="NormalizedTextInputs">Text column -> the graph input standing for its normalized text (e.g. review -> review_TextNormalizer).</param>
    public sealed record Conversion(byte[] Bytes, IReadOnlyDictionary<string, string> NormalizedTextInputs);

    /// <summary>
    /// Converts the model. FeaturizeText's first step, text normalization, has no ONNX mapping: the converter then
    /// fails on the normalized column the next step reads. That column is offered to it as an extra input, which
    /// <see cref="TextFeaturizationRepair"/> computes from the raw text afterwards.
    /// </summary>
    public static Conversion Convert(ITransformer model, IReadOnlyList<FeatureInput> inputs)
    {
        model = TextFeaturizationFirst(model, inputs);
        var normalized = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var extra = normalized.Values.Select(name => new FeatureInput(name, ColumnRole.Text));
            if (ConvertOnce(model, inputs, [.. inputs, .. extra], normalized) is { } bytes)
            {
                return new Conversion(bytes, normalized);
            }
        }
    }

    /// <summary>
    /// The converter stops walking back the pipeline at the first step it cannot convert (FeaturizeText's
    /// normalization) and converts nothing before it. FeaturizeText reads only its raw text column and no other
    /// step reads what it writes until the final concatenation, so it can run first without changing a score:
    /// then the converter reaches every other step. Only one text column can be first, so a model with more is
    /// refused.
    /// </summary>
    private static ITransformer TextFeaturizationFirst(ITransformer model, IReadOnlyList<FeatureInput> inputs)
    {
        var steps = TransformerChains.Flatten(model).ToList();
        var text = steps.Where(s => s.GetType().DeclaringType == typeof(TextFeaturizingEstimator)).ToList();
        if (text.Count > 1)
        {
            throw new OnnxExportException($"{Name} {Version} cannot convert a model with {text.Count} text columns ({string.Join(", ", inputs.Where(i => i.Role == ColumnRole.Text).Select(i => $"'{i.Name}'"))}): it stops at the first FeaturizeText normalization it meets, and only one can be moved ahead of the other steps.");
        }

        return text.Count == 0 ? model : new TransformerChain<ITransformer>([.. text, .. steps.Except(text)]);
    }

    private static (string TextColumn, string Column)? NormalizerColumn(string message, IReadOnlyList<FeatureInput> inputs)
    {
        var match = Regex.Match(message, "'(?<column>(?<text>.+)_TextNormalizer)'");
        return match.Success && inputs.Any(i => i.Role == ColumnRole.Text && i.Name == match.Groups["text"].Value)
            ? (match.Groups["text"].Value, match.Groups["column"].Value)
            : null;
    }

    /// <summary>The converted model, or null when the converter asked for a text column's normalized text (now added to <paramref name="normalized"/>).</summary>
    private static byte[]? ConvertOnce(ITransformer model, IReadOnlyList<FeatureInput> features, IReadOnlyList<FeatureInput> inputs, Dictionary<string, string> normalized)
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
        catch (KeyNotFoundException ex) when (NormalizerColumn(ex.Message, features) is { } missing && !normalized.ContainsKey(missing.TextColumn))
        {
            normalized[missing.TextColumn] = missing.Column;
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or NotSupportedException or NotImplementedException or ArgumentException)
        {
            throw new OnnxExportException($"{Name} {Version} cannot convert the model: {Explain(ex, warnings)}");
        }

        return stream.ToArray();
    }

    /// <summary>
    /// The converter stops walking back the pipeline at the first step without an ONNX mapping and then fails on
    /// a column that step produces; its log names the step's type.
    /// </summary>
    private static string Explain(Exception ex, IReadOnlyList<string> warnings)
    {
        var stopped = warnings.FirstOrDefault(w => w.Contains("cannot save itself as ONNX", StringComparison.Ordinal));
        return stopped is null ? ex.Message : $"{ex.Message} ({stopped})";
    }

    private static string PackageVersion(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "unknown";
    }
}
