using System.Collections;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// The few trained facts ML.NET 5 keeps internal, read by reflection. When a member moves, each accessor
/// refuses the export with a message naming the member (so a default run still publishes the .zip), and
/// tests/Training.Tests/Onnx/InternalMembersTests fails loudly on the ML.NET upgrade that moved it.
/// </summary>
internal static class InternalMembers
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public enum OvaFormula
    {
        Raw,
        ProbabilityNormalization,
        Softmax,
    }

    /// <summary>OneVersusAllModelParameters.SubModelParameters: one binary model per class, in class order.</summary>
    public static IReadOnlyList<object> OneVersusAllSubModels(OneVersusAllModelParameters model)
    {
        var property = typeof(OneVersusAllModelParameters).GetProperty("SubModelParameters", Instance)
            ?? throw Moved("OneVersusAllModelParameters.SubModelParameters");
        return property.GetValue(model) is IEnumerable values
            ? values.Cast<object>().ToList()
            : throw Moved("OneVersusAllModelParameters.SubModelParameters (no longer a sequence)");
    }

    /// <summary>How OneVersusAllModelParameters combines its sub-models: the type of its private _impl.</summary>
    public static OvaFormula OneVersusAllFormula(OneVersusAllModelParameters model)
    {
        var field = typeof(OneVersusAllModelParameters).GetField("_impl", Instance) ?? throw Moved("OneVersusAllModelParameters._impl");
        var impl = field.GetValue(model) ?? throw Moved("OneVersusAllModelParameters._impl (null)");
        return impl.GetType().Name switch
        {
            "ImplRaw" => OvaFormula.Raw,
            "ImplDist" => OvaFormula.ProbabilityNormalization,
            "ImplSoftmax" => OvaFormula.Softmax,
            var other => throw Moved($"OneVersusAllModelParameters._impl (unknown implementation {other})"),
        };
    }

    /// <summary>BinaryPredictionTransformer's threshold and the column it applies to (default: Score &gt; 0).</summary>
    public static (float Threshold, string Column) BinaryThreshold(object transformer)
    {
        var type = transformer.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(BinaryPredictionTransformer<>))
        {
            throw new ArgumentException($"{type.Name} is not a BinaryPredictionTransformer.", nameof(transformer));
        }

        var threshold = Read(type, transformer, "Threshold");
        var column = Read(type, transformer, "ThresholdColumn");
        return (threshold as float? ?? throw Moved("BinaryPredictionTransformer.Threshold (no longer a float)"),
            column as string ?? throw Moved("BinaryPredictionTransformer.ThresholdColumn (no longer a string)"));
    }

    /// <summary>
    /// The view a transformed view was computed from (ML.NET's internal IDataTransform.Source), or null for a view
    /// that is not a transform: lets a step's intermediate columns be read (FeaturizeText drops its own).
    /// </summary>
    public static IDataView? SourceOf(IDataView view)
    {
        var transform = view.GetType().GetInterface(DataTransformInterface);
        if (transform is null)
        {
            return null;
        }

        var source = transform.GetProperty("Source") ?? throw Moved(DataTransformInterface + ".Source");
        return (IDataView?)source.GetValue(view);
    }

    internal const string DataTransformInterface = "Microsoft.ML.Data.IDataTransform";

    private static object? Read(Type type, object target, string name) =>
        type.GetField(name, Instance)?.GetValue(target)
        ?? type.GetProperty(name, Instance)?.GetValue(target)
        ?? throw Moved($"BinaryPredictionTransformer.{name}");

    private static OnnxExportException Moved(string member) =>
        new($"ML.NET internal member {member} was not found; the ONNX exporter needs updating for this ML.NET version.");
}
