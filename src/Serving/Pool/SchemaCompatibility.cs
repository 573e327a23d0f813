using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// Whether a new version can take the requests the served version takes: every input it needs must be one the
/// clients already send, with the same type. Dropping an input is fine (clients may send extra columns).
/// </summary>
internal static class SchemaCompatibility
{
    /// <returns>null when compatible, else what breaks, in words.</returns>
    public static string? Check(ModelManifest served, ModelManifest next)
    {
        if (served.IsOnnx || next.IsOnnx)
        {
            return CheckTensors(served, next);
        }

        var sent = served.Inputs.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var column in next.Inputs)
        {
            if (!sent.TryGetValue(column.Name, out var old))
            {
                problems.Add($"needs input '{column.Name}', which version {served.Version} does not take");
            }
            else if (!string.Equals(old.Type, column.Type, StringComparison.Ordinal))
            {
                problems.Add($"takes input '{column.Name}' as {column.Type}, not {old.Type}");
            }
        }

        if (served.Task != next.Task)
        {
            problems.Add($"is a {next.Task} model, not {served.Task}");
        }

        return problems.Count == 0 ? null : "has an incompatible input schema: " + string.Join("; ", problems.Take(3)) + (problems.Count > 3 ? $" (and {problems.Count - 3} more)" : "");
    }

    /// <summary>
    /// An ONNX version replacing another: every graph input it takes must be one the served version takes, with the
    /// same element type and rank, and no fixed dimension that a request for the served version could break.
    /// </summary>
    private static string? CheckTensors(ModelManifest served, ModelManifest next)
    {
        if (served.IsOnnx != next.IsOnnx)
        {
            return $"is an {(next.IsOnnx ? "onnx" : "mlnet")} model replacing an {(served.IsOnnx ? "onnx" : "mlnet")} one: clients send other inputs";
        }

        var sent = served.Graph!.Inputs.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var input in next.Graph!.Inputs)
        {
            if (!sent.TryGetValue(input.Name, out var old))
            {
                problems.Add($"needs input '{input.Name}', which version {served.Version} does not take");
            }
            else if (old.ElementType != input.ElementType || old.Shape.Count != input.Shape.Count
                || old.Shape.Zip(input.Shape).Any(d => d.Second >= 0 && d.First != d.Second))
            {
                problems.Add($"takes input '{input.Name}' as {input.ElementType}[{string.Join(",", input.Shape)}], not {old.ElementType}[{string.Join(",", old.Shape)}]");
            }
        }

        if (served.Task != next.Task)
        {
            problems.Add($"is a {next.Task} model, not {served.Task}");
        }

        return problems.Count == 0 ? null : "has an incompatible input schema: " + string.Join("; ", problems.Take(3)) + (problems.Count > 3 ? $" (and {problems.Count - 3} more)" : "");
    }
}
