using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Data;

/// <summary>What the console does with each column of the CSV: its index, its role and its name.</summary>
public sealed record ColumnPlan(string Name, int Index, ColumnKind Kind, bool Inferred)
{
    public ColumnRole Role => Kind switch
    {
        ColumnKind.Numeric => ColumnRole.Numeric,
        ColumnKind.Categorical => ColumnRole.Categorical,
        ColumnKind.Text => ColumnRole.Text,
        _ => throw new InvalidOperationException($"Column '{Name}' is ignored and has no role."),
    };

    /// <summary>ML.NET type name as recorded in the manifest's input schema.</summary>
    public string TypeName => Kind == ColumnKind.Numeric ? "Single" : "String";
}
